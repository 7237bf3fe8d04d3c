package gowrap

import (
	"bytes"
	"go/format"
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"etcdtour/runner/i18n"
)

// TestFileSamePrograms breaks real Go (the lessons, the runner, main.go)
// to 40 and 60 columns and fails where the result is another program: other
// tokens (a cut string is folded back: "a " + "b" is "a b"), other comment
// words, not gofmt'd, or changed by a second File.
func TestFileSamePrograms(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../lessons/*.go")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "../../main.go", "../cli/commands.go", "../cli/flags.go", "../cli/help.go", "../source/program.go", "../source/gen.go", "gowrap.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || filepath.Base(f) == "zh.go" {
			continue // raw strings wider than any line, a catalog: not what is shown
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, max := range []int{40, 60} {
			out, err := File(src, max, TerminalTab)
			if err != nil {
				t.Fatalf("%s at %d: %v", f, max, err)
			}
			if a, b := foldedTokens(src), foldedTokens(out); a != b {
				t.Errorf("%s at %d columns: the tokens changed", f, max)
			}
			if g, err := format.Source(out); err != nil || !bytes.Equal(g, out) {
				t.Errorf("%s at %d columns: not gofmt'd (%v)", f, max, err)
			}
			if again, _ := File(out, max, TerminalTab); !bytes.Equal(again, out) {
				t.Errorf("%s at %d columns: a second File changes it", f, max)
			}
			if a, b := widest(src), widest(out); b > a {
				t.Errorf("%s at %d columns: its widest line is %d columns, %d before", f, max, b, a)
			}
		}
	}
}

func widest(src []byte) int {
	n := 0
	for _, l := range strings.Split(string(src), "\n") {
		n = max(n, i18n.WidthTabs(l, TerminalTab))
	}
	return n
}

// foldedTokens is src's tokens, string literals joined by + folded into
// one, then its comments' words.
func foldedTokens(src []byte) string {
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", -1, len(src)), src, nil, scanner.ScanComments)
	var toks []string
	var words []string
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		switch {
		case tok == token.COMMENT:
			words = append(words, strings.Fields(strings.TrimPrefix(lit, "//"))...)
			continue
		case tok == token.SEMICOLON && lit == "\n":
			lit = ";"
		case tok == token.STRING && lit[0] == '"':
			v, _ := strconv.Unquote(lit)
			n := len(toks)
			if n >= 2 && toks[n-1] == "+" && strings.HasPrefix(toks[n-2], "S:") {
				toks = append(toks[:n-2], toks[n-2]+v)
				continue
			}
			toks = append(toks, "S:"+v)
			continue
		}
		if lit == "" {
			lit = tok.String()
		}
		toks = append(toks, lit)
	}
	// A semicolon before a closing bracket is one gofmt adds when it
	// spreads a one-line block over lines: it changes nothing.
	var kept []string
	for i, tk := range toks {
		if tk == ";" && i+1 < len(toks) && (toks[i+1] == "}" || toks[i+1] == ")") {
			continue
		}
		kept = append(kept, tk)
	}
	return strings.Join(kept, " ") + "\n" + strings.Join(words, " ")
}

// TestFile shows where File breaks a line, at 50 columns.
func TestFile(t *testing.T) {
	t.Parallel()
	in := `package p

//go:generate a directive that is long and stays on one line as it is
func f() {
	// A comment line longer than fifty columns is broken between words.
	err := call(first, second, third, fourth, fifth, sixth)
	x := a.B(1).C(2).D(3).E(4).F(5).G(6).H(7).I(8).J(9)
	g(x, "a message that is much too long for any line, so it is cut")
	h(1) // a trailing comment too long for the line goes above it
	s := ` + "`a raw string whose line is long stays as it is, always`" + `
	if aaaaaaaaaaa(bbbbbbbbbbb) && ccccccccccccc(ddddddddddddd) {
	}
}
`
	want := `package p

//go:generate a directive that is long and stays on one line as it is
func f() {
	// A comment line longer than fifty
	// columns is broken between words.
	err := call(first, second, third, fourth,
		fifth, sixth)
	x := a.B(1).C(2).D(3).E(4).F(5).G(6).H(7).
		I(8).J(9)
	g(x, "a message that is much too "+
		"long for any line, so it is cut")
	// a trailing comment too long for the
	// line goes above it
	h(1)
	s := ` + "`a raw string whose line is long stays as it is, always`" + `
	if aaaaaaaaaaa(bbbbbbbbbbb) &&
		ccccccccccccc(ddddddddddddd) {
	}
}
`
	out, err := File([]byte(in), 50, TerminalTab)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != want {
		t.Errorf("File at 50:\n%s\nwant:\n%s", out, want)
	}
}

// TestLine shows where Line breaks a line of the console's code (tabs
// shown as 4 spaces), at 50 columns: by File's rules, each continuation 4
// columns further in.
func TestLine(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		line string
		want []string
	}{
		{"    short(a, b)", []string{"    short(a, b)"}},
		{"    err := call(first, second, third, fourth, fifth, sixth)",
			[]string{"    err := call(first, second, third, fourth,", "        fifth, sixth)"}},
		{"    h(1) // a trailing comment too long for the line goes above it",
			[]string{"    // a trailing comment too long for the line", "    // goes above it", "    h(1)"}},
		{`    g(x, "a message that is much too long for any line, so it is cut")`,
			[]string{`    g(x, "a message that is much too " +`, `        "long for any line, so it is cut")`}},
		{"    if aaaaaaaaaaa(bbbbbbbbbbb) && ccccccccccccc(ddddddddddddd) {",
			[]string{"    if aaaaaaaaaaa(bbbbbbbbbbb) &&", "        ccccccccccccc(ddddddddddddd) {"}},
		{"    x := a.B(1).C(2).D(3).E(4).F(5).G(6).H(7).I(8).J(9).K(10)",
			[]string{"    x := a.B(1).C(2).D(3).E(4).F(5).G(6).H(7).", "        I(8).J(9).K(10)"}},
		// A comment breaks at spaces only: read again as one text, its
		// Chinese keeps its characters together.
		{"    // 租约到期时它的每个 key 都被删除，一次修订号里全部删除，监听会看到每个 DELETE 事件",
			[]string{"    // 租约到期时它的每个 key", "    // 都被删除，一次修订号里全部删除，监听会看到每个", "    // DELETE 事件"}},
		// Inside a raw string: it does not scan as Go, and stays.
		{"a raw string's line, \"quoted\" and much wider than fifty columns",
			[]string{"a raw string's line, \"quoted\" and much wider than fifty columns"}},
	} {
		got := Line(c.line, 50, 4)
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("Line(%q, 50, 4):\n%s\nwant:\n%s", c.line, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
	}
}

// TestLineSameCode breaks every line of the lessons' files, as the console
// shows them, to 33, 43, 53 and 73 columns and fails where the pieces are
// another line of Go (other tokens, a cut string folded back), or where a
// piece is wider than the line was.
func TestLineSameCode(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../lessons/*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if filepath.Base(f) == "zh.go" {
			continue // the lessons' Chinese catalog: data, never shown
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			line = strings.ReplaceAll(line, "\t", "    ")
			for _, max := range []int{33, 43, 53, 73} {
				pieces := Line(line, max, 4)
				if a, b := foldedTokens([]byte(line)), foldedTokens([]byte(strings.Join(pieces, "\n"))); a != b {
					t.Errorf("%s:%d at %d columns: the tokens changed:\n%s", f, i+1, max, strings.Join(pieces, "\n"))
				}
				for _, p := range pieces {
					if w := i18n.Width(p); w > max && w > i18n.Width(line) {
						t.Errorf("%s:%d at %d columns: a piece wider than the line:\n%s", f, i+1, max, p)
					}
				}
			}
		}
	}
}
