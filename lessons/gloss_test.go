package lessons_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"etcdtour/lessons"
	"etcdtour/runner/source"
)

// TestGlosses lists every call a step's code shows of a function of the
// tour's own, which a learner cannot look up in a library's documentation
// (a helper of the lessons, a method of T or of its Cluster: nextEvents,
// dbSize, t.Timeout), and requires what it does on its line (the dim
// "// nextEvents: reads a watch channel until it has n events" the
// console shows there), in English and in Chinese.
func TestGlosses(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	helpers := map[string]bool{}
	for _, f := range pkgs["lessons"].Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil {
				helpers[fd.Name.Name] = true
			}
		}
	}
	zh := lessons.Chinese()
	for k, v := range source.Chinese() {
		zh[k] = v
	}
	plain := regexp.MustCompile(`(^|[^.\w])([a-z]\w*)(\[[^\]]*\])?\(`)
	method := regexp.MustCompile(`\bt\.(Cluster\.)?([A-Z]\w*)\(`)
	files, _ := filepath.Glob("*.go")
	calls := 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range strings.Split(string(b), "\n") {
			if !strings.Contains(l, "t.Step(") {
				continue
			}
			for _, cl := range sourceCode.StepLines(file, i+1) {
				if cl.Boilerplate || cl.Narration {
					continue
				}
				text := cl.Text
				if c := strings.Index(text, "//"); c >= 0 && !strings.Contains(text[:c], `"`) {
					text = text[:c]
				}
				var names []string
				for _, m := range plain.FindAllStringSubmatch(text, -1) {
					if helpers[m[2]] {
						names = append(names, m[2])
					}
				}
				for _, m := range method.FindAllStringSubmatch(text, -1) {
					names = append(names, "t."+m[1]+m[2])
				}
				for _, name := range names {
					calls++
					meaning := ""
					for _, g := range cl.Gloss {
						if n, m, _ := strings.Cut(g, ": "); n == name {
							meaning = m
						}
					}
					switch {
					case meaning == "" || meaning == "?":
						t.Errorf("%s:%d: %s is the tour's own and its line does not say what it does (a doc comment on the helper, or runner/source's runnerMeaning):\n%s", file, cl.From, name, cl.Text)
					case zh[meaning] == "":
						t.Errorf("%s:%d: what %s does, %q, has no Chinese (lessons/zh.go, runner/source/zh.go)", file, cl.From, name, meaning)
					}
				}
			}
		}
	}
	if calls < 20 {
		t.Errorf("found %d calls of the tour's own functions: the search is broken", calls)
	}
}
