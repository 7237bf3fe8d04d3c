// Package gowrap breaks Go source to fit a width, where a break changes
// nothing but the layout: gofmt never breaks a line. One set of rules
// serves whole files (File: a lesson's program, the lessons' own files) and
// single lines (Line: a step's code in the console).
package gowrap

import (
	"bytes"
	"fmt"
	"go/format"
	"go/scanner"
	"go/token"
	"sort"
	"strings"

	"etcdtour/runner/i18n"
)

// TerminalTab is how wide a tab shows: 8 columns on a terminal, in less
// and in cat, whatever an editor is set to.
const TerminalTab = 8

// rules are the line-break rules at one width: max columns, tabs at stops
// of tab; a break inserts nl (a line's own indent and one level more, for
// Line; a bare newline that gofmt indents, for File).
type rules struct {
	max, tab int
	nl       string
}

// width is the number of columns s takes.
func (r rules) width(s string) int { return i18n.WidthTabs(s, r.tab) }

// File returns the Go file src, gofmt'd, with each line wider than max
// columns (its tabs at stops of tab) broken where a break changes nothing
// but the layout: after a comma, an opening bracket, &&, || or +, or the
// dot of a method chain, the outermost such place that fills the line
// most. A string literal too long for any line is cut into a sum of two at
// a space; a comment line is broken between words, and a comment after
// code goes on a line of its own above it. gofmt indents what was cut. A
// line with nowhere to break stays as it is: the result is gofmt-stable,
// and a second File changes nothing.
func File(src []byte, max, tab int) ([]byte, error) {
	out, err := format.Source(src)
	if err != nil {
		return nil, err
	}
	r := rules{max: max, tab: tab, nl: "\n"}
	for range 100 {
		next, changed := r.once(out)
		if !changed {
			return out, nil
		}
		if next, err = format.Source(next); err != nil {
			return nil, fmt.Errorf("breaking long lines: %v", err)
		}
		if bytes.Equal(next, out) {
			return out, nil
		}
		out = next
	}
	return out, nil
}

// Line breaks one line of Go code (indented with spaces, as the console
// shows it) into lines that fit max columns, by File's rules: each
// continuation is indented tab columns more than line, as gofmt indents
// one tab more, and a comment too long after the code goes above it. A
// line that does not scan as Go (a line inside a raw string) stays as it
// is.
func Line(line string, max, tab int) []string {
	indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
	r := rules{max: max, tab: tab, nl: "\n" + indent + strings.Repeat(" ", tab)}
	if r.width(line) <= max {
		return []string{line}
	}
	if toks, ok := scan([]byte(line)); !ok || len(toks) == 0 {
		return []string{line}
	}
	src := []byte(line)
	for range 100 {
		next, changed := r.once(src)
		if !changed {
			break
		}
		src = next
	}
	return strings.Split(string(src), "\n")
}

type gotok struct {
	tok      token.Token
	off, end int
	lit      string
}

// scan returns src's tokens, comments included, automatic semicolons
// left out, and whether src scanned without an error.
func scan(src []byte) ([]gotok, bool) {
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(src))
	ok := true
	var s scanner.Scanner
	s.Init(file, src, func(token.Position, string) { ok = false }, scanner.ScanComments)
	var toks []gotok
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return toks, ok
		}
		if tok == token.SEMICOLON && lit == "\n" {
			continue
		}
		off := file.Offset(pos)
		n := len(lit)
		if lit == "" || tok == token.SEMICOLON {
			n = len(tok.String())
		}
		toks = append(toks, gotok{tok, off, off + n, lit})
	}
}

// assignAt is the index of the := or = of an assignment outside brackets
// in toks, or -1: a line is not broken between the names it sets.
func assignAt(toks []gotok) int {
	for i, d := 0, 0; i < len(toks); i++ {
		switch toks[i].tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			d++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			d--
		case token.DEFINE, token.ASSIGN:
			if d == 0 {
				return i
			}
		}
	}
	return -1
}

// edit replaces src[off:end] by text.
type edit struct {
	off, end int
	text     string
}

// once makes one break in each line of src wider than r.max.
func (r rules) once(src []byte) ([]byte, bool) {
	toks, _ := scan(src)
	var edits []edit
	start := 0
	ti := 0
	for start < len(src) {
		end := bytes.IndexByte(src[start:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += start
		}
		for ti < len(toks) && toks[ti].end <= start {
			ti++
		}
		line := string(src[start:end])
		if r.width(line) > r.max {
			var on []gotok // the tokens that start on this line
			for j := ti; j < len(toks) && toks[j].off < end; j++ {
				if toks[j].off >= start {
					on = append(on, toks[j])
				}
			}
			if e, ok := r.breakLine(src, start, end, on, toks); ok {
				edits = append(edits, e)
				if e.end > end {
					end = e.end // a comment's next line, taken in
				}
			}
		}
		start = end + 1
	}
	if len(edits) == 0 {
		return src, false
	}
	out := append([]byte(nil), src...)
	for i := len(edits) - 1; i >= 0; i-- {
		e := edits[i]
		out = append(out[:e.off], append([]byte(e.text), out[e.end:]...)...)
	}
	return out, true
}

// breakLine finds the one edit that breaks the line src[start:end], whose
// tokens are on; all is every token of the file.
func (r rules) breakLine(src []byte, start, end int, on, all []gotok) (edit, bool) {
	max := r.max
	line := string(src[start:end])
	body := strings.TrimLeft(line, " \t")
	indent := line[:len(line)-len(body)]
	cols := func(off int) int { return r.width(string(src[start:off])) }
	if len(on) == 0 {
		return edit{}, false // inside a raw string or comment
	}
	last := on[len(on)-1]
	if last.tok == token.COMMENT && strings.HasPrefix(last.lit, "//") {
		if strings.HasPrefix(last.lit, "//go:") || strings.HasPrefix(last.lit, "//line ") {
			return edit{}, false // a directive
		}
		if len(on) == 1 && on[0].off == start+len(indent) {
			// A comment line: break it between words, and what does not
			// fit goes on with the next line of the comment, if any.
			text := strings.TrimSpace(strings.TrimPrefix(last.lit, "//"))
			if next := end + 1; next < len(src) {
				nl := bytes.IndexByte(src[next:], '\n')
				if nl < 0 {
					nl = len(src) - next
				}
				line := string(src[next : next+nl])
				rest, ok := strings.CutPrefix(line, indent+"// ")
				if ok && rest != "" && !strings.ContainsAny(rest[:1], " \t-*") {
					text += " " + rest
					end = next + nl
				}
			}
			var lines []string
			for _, l := range wrapWords(text, max-r.width(indent+"// ")) {
				lines = append(lines, indent+"// "+l)
			}
			if len(lines) < 2 {
				return edit{}, false
			}
			return edit{start, end, strings.Join(lines, "\n")}, true
		}
		// A comment after code: above it, on a line of its own.
		code := strings.TrimRight(string(src[start:last.off]), " \t")
		return edit{start, end, indent + last.lit + "\n" + code}, true
	}
	if last.tok == token.STRING && strings.Contains(last.lit, "\n") && cols(last.off) <= max {
		// Only a raw string's first line is too long: a break before it
		// would not shorten that.
		return edit{}, false
	}
	// Each cut is ranked by its depth in brackets: a break between a
	// call's arguments reads better than one inside an argument. Not
	// between the names an assignment sets (before, err := ...).
	assign := assignAt(on)
	best, bestDepth, first := -1, 0, -1
	var cands []int
	depth := 0
	for i, t := range on[:len(on)-1] {
		switch t.tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
		}
		next := on[i+1].tok
		if next == token.COMMENT || (t.tok == token.COMMA && depth == 0 && i < assign) {
			continue
		}
		switch {
		case t.tok == token.COMMA, t.tok == token.LAND, t.tok == token.LOR, t.tok == token.ADD,
			t.tok == token.LPAREN && next != token.RPAREN,
			t.tok == token.LBRACE && next != token.RBRACE,
			t.tok == token.PERIOD && i > 0 && on[i-1].tok == token.RPAREN:
		default:
			continue
		}
		if first < 0 {
			first = i
		}
		cands = append(cands, i)
		if cols(t.end) <= max && (best < 0 || depth <= bestDepth) {
			best, bestDepth = i, depth
		}
	}
	// A string literal that would not fit even alone on the next line is
	// cut where it is, not moved down first.
	cont := r.width(indent) + r.tab
	long := -1
	for a, from := 0, 0; a <= len(cands) && long < 0; a++ {
		to := len(on) - 1
		if a < len(cands) {
			to = cands[a]
		}
		w := cols(on[to].end) - cols(on[from].off)
		for i := from; i <= to && cont+w > max; i++ {
			if on[i].tok == token.STRING && on[i].lit[0] == '"' && cols(on[i].off)+4 < max {
				long = i
				break
			}
		}
		from = to + 1
	}
	if best >= 0 && long < 0 {
		return edit{on[best].end, on[best+1].off, r.nl}, true
	}
	// No break fits: cut the first string literal that runs past the
	// edge, or the last one before the edge.
	lastStr := -1
	for i, t := range on {
		if t.tok == token.STRING {
			lastStr = i
		}
	}
	for i, t := range on {
		if t.tok != token.STRING || t.lit[0] != '"' || (cols(t.end) <= max && i != lastStr && i != long) {
			continue
		}
		if n := i + 1; n < len(on) && (on[n].tok == token.LBRACK || on[n].tok == token.PERIOD) {
			break
		}
		k := sort.Search(len(all), func(k int) bool { return all[k].off >= t.off })
		prev := token.ILLEGAL
		if k > 0 {
			prev = all[k-1].tok
		}
		switch prev {
		case token.LPAREN, token.COMMA, token.COLON, token.ASSIGN, token.DEFINE, token.ADD,
			token.RETURN, token.LBRACE, token.EQL, token.NEQ,
			token.ILLEGAL: // first on a line shown alone (Line): an operand
		default:
			return edit{}, false
		}
		// The cut that fills the line most, unless the rest fits on the
		// next line: then the one nearest the middle, which leaves no stub
		// of a word on a line of its own.
		after := r.width(string(src[t.end:end]))
		cut, best, balanced := -1, 0, false
		for j := 1; j < len(t.lit)-2; j++ {
			if t.lit[j] != ' ' || t.lit[j-1] == ' ' || cols(t.off+j+1)+len(`" +`) > max {
				continue
			}
			fits := cont+1+r.width(t.lit[j+1:])+after <= max
			d := abs(2*(j+1) - len(t.lit))
			switch {
			case fits && (!balanced || d < best):
				cut, best, balanced = j+1, d, true
			case !fits && !balanced:
				cut = j + 1
			}
		}
		if cut < 20 {
			// Not even a few words fit after what comes before it: break
			// before the string first, if there is a place.
			for j := len(cands) - 1; j >= 0; j-- {
				if c := cands[j]; on[c].end <= t.off {
					return edit{on[c].end, on[c+1].off, r.nl}, true
				}
			}
			if cut < 0 {
				return edit{}, false
			}
		}
		return edit{t.off, t.end, t.lit[:cut] + `" +` + r.nl + `"` + t.lit[cut:]}, true
	}
	if first >= 0 {
		return edit{on[first].end, on[first+1].off, r.nl}, true
	}
	return edit{}, false
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// wrapWords breaks a comment's text into lines of at most w columns, at
// spaces only: a comment's lines are read as one text joined by spaces, so
// a break between two Chinese characters, where prose may break, would put
// a space between them. A word wider than w stays whole.
func wrapWords(text string, w int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case i18n.Width(line+" "+word) > w:
			lines = append(lines, line)
			line = word
		default:
			line += " " + word
		}
	}
	return append(lines, line)
}
