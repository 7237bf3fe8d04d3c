package cli

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// valueArg says which argument of a call is the value it writes, by the
// called function's or method's name: the client's Put and OpPut, an
// election's Campaign and Proclaim, and the lessons' helpers that pass a
// value on to one of those.
var valueArg = map[string]func(args int) int{
	"Put": func(args int) int {
		if args == 2 { // an STM's Put(key, value)
			return 1
		}
		return 2 // a client's Put(ctx, key, value, opts...)
	},
	"OpPut":     func(int) int { return 1 },
	"Campaign":  func(int) int { return 1 },
	"Proclaim":  func(int) int { return 1 },
	"campaign":  func(int) int { return 2 },
	"fencedPut": func(int) int { return 4 },
	"register":  func(int) int { return 4 },
}

// editValues changes, in one lesson file, every string literal that a
// lesson writes to etcd as a value: written in the call itself, or given
// to a variable the call writes (name := "v"; for _, v := range
// []string{"a", "b"}). It returns the file's new text and the literals it
// changed.
func editValues(t *testing.T, path string) ([]byte, []string) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var lits []*ast.BasicLit
	names := map[string]bool{} // variables written as values
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		var name string
		switch fn := call.Fun.(type) {
		case *ast.SelectorExpr:
			name = fn.Sel.Name
		case *ast.Ident:
			name = fn.Name
		}
		pick, ok := valueArg[name]
		if !ok {
			return true
		}
		i := pick(len(call.Args))
		if i >= len(call.Args) {
			return true
		}
		switch a := call.Args[i].(type) {
		case *ast.BasicLit:
			if a.Kind == token.STRING {
				lits = append(lits, a)
			}
		case *ast.Ident:
			names[a.Name] = true
		}
		return true
	})
	// The literals those variables get.
	strs := func(exprs []ast.Expr) []*ast.BasicLit {
		var out []*ast.BasicLit
		for _, e := range exprs {
			if l, ok := e.(*ast.BasicLit); ok && l.Kind == token.STRING {
				out = append(out, l)
			}
		}
		return out
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.AssignStmt:
			for i, l := range s.Lhs {
				id, ok := l.(*ast.Ident)
				if ok && names[id.Name] && len(s.Rhs) == len(s.Lhs) {
					lits = append(lits, strs(s.Rhs[i:i+1])...)
				}
			}
		case *ast.RangeStmt:
			id, ok := s.Value.(*ast.Ident)
			if c, isLit := s.X.(*ast.CompositeLit); ok && isLit && names[id.Name] {
				lits = append(lits, strs(c.Elts)...)
			}
		}
		return true
	})
	var changed []string
	for _, l := range lits {
		v, err := strconv.Unquote(l.Value)
		if err != nil {
			t.Fatal(err)
		}
		l.Value = strconv.Quote("edited-" + v)
		changed = append(changed, v)
	}
	var b strings.Builder
	if err := printer.Fprint(&b, fset, f); err != nil {
		t.Fatal(err)
	}
	return []byte(b.String()), changed
}

// TestEditedLessons is the learner who changes the values a lesson writes
// (put-get writes "edited-xiaomotong" instead of "xiaomotong") and runs the
// course again: every check compares what etcd returned with what the code
// sent, so every lesson still passes. The edited lessons replace the real
// ones through go build -overlay; the run shows the edited values.
func TestEditedLessons(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	files, err := filepath.Glob(filepath.Join(root, "lessons", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	overlay := map[string]string{}
	var all []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || filepath.Base(f) == "zh.go" {
			continue
		}
		text, changed := editValues(t, f)
		if len(changed) == 0 {
			continue
		}
		all = append(all, changed...)
		abs, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		edited := filepath.Join(dir, filepath.Base(f))
		if err := os.WriteFile(edited, text, 0o644); err != nil {
			t.Fatal(err)
		}
		overlay[abs] = edited
	}
	// Too few means the search above no longer finds the lessons' writes.
	if len(all) < 30 || !strings.Contains(strings.Join(all, " "), "xiaomotong") {
		t.Fatalf("changed %d values (%q): want put-get's xiaomotong and at least 30", len(all), all)
	}
	t.Logf("changed %d values in %d files: %q", len(all), len(overlay), all)
	spec, err := json.Marshal(map[string]any{"Replace": overlay})
	if err != nil {
		t.Fatal(err)
	}
	ovFile := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(ovFile, spec, 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "etcdtour")
	out, err := exec.Command("go", "build", "-overlay", ovFile, "-ldflags=-s -w", "-o", bin, "etcdtour").CombinedOutput()
	if err != nil {
		t.Fatalf("go build with the edited lessons: %v\n%s", err, out)
	}
	r := runBinary(t, bin, nil, "--json")
	var failed []string
	for _, line := range strings.Split(r.stdout, "\n") {
		var e struct {
			Event, Lesson, Status, Error, Text, Got, Want string
			OK                                            bool
		}
		if json.Unmarshal([]byte(line), &e) != nil {
			continue
		}
		switch {
		case e.Event == "check" && !e.OK:
			failed = append(failed, fmt.Sprintf("%s: ✗ %s (got %s, want %s)", e.Lesson, e.Text, e.Got, e.Want))
		case e.Event == "lesson-end" && e.Status != "passed":
			failed = append(failed, fmt.Sprintf("%s: %s %s", e.Lesson, e.Status, e.Error))
		}
	}
	if r.code != 0 || len(failed) > 0 {
		t.Fatalf("the course with edited values: exit %d\n%s\nstderr:\n%s", r.code, strings.Join(failed, "\n"), r.stderr)
	}
	if !strings.Contains(r.stdout, "edited-xiaomotong") {
		t.Errorf("the run does not show the edited value edited-xiaomotong: the overlay did not apply")
	}
}
