package source

// A lesson's source, whole (Show) or as a program of its own (Program):
// the lesson's Run function and everything in the package it calls.

import (
	"bytes"
	"embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"go/types"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/template"

	"etcdtour/runner"
	"etcdtour/runner/gowrap"
	"etcdtour/runner/i18n"
)

// decl is one top-level declaration of the course's package.
type decl struct {
	file string
	node ast.Decl
	objs []types.Object // what it declares
}

func (c *Code) decls() []decl {
	var out []decl
	files := make([]string, 0, len(c.files))
	for name := range c.files {
		files = append(files, name)
	}
	sort.Strings(files)
	defs := c.tt.info.Defs
	for _, name := range files {
		for _, d := range c.files[name].Decls {
			var objs []types.Object
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil {
					continue
				}
				objs = []types.Object{defs[d.Name]}
			case *ast.GenDecl:
				if d.Tok == token.IMPORT {
					continue
				}
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.ValueSpec:
						for _, n := range s.Names {
							objs = append(objs, defs[n])
						}
					case *ast.TypeSpec:
						objs = append(objs, defs[s.Name])
					}
				}
			}
			out = append(out, decl{name, d, objs})
		}
	}
	return out
}

// lessonOf returns the runner.Lesson literal whose ID is id, and the
// function its Run names.
func (c *Code) lessonOf(id string, all []decl) (lessonVar int, run types.Object, err error) {
	for i, d := range all {
		gd, ok := d.node.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, s := range gd.Specs {
			for _, v := range s.(*ast.ValueSpec).Values {
				cl, ok := v.(*ast.CompositeLit)
				if !ok || !c.tt.isLesson(c.tt.info.TypeOf(cl)) {
					continue
				}
				var lid constant.Value
				var runExpr ast.Expr
				for _, e := range cl.Elts {
					if kv, ok := e.(*ast.KeyValueExpr); ok {
						switch k, _ := kv.Key.(*ast.Ident); {
						case k == nil:
						case k.Name == "ID":
							lid = c.tt.info.Types[kv.Value].Value
						case k.Name == "Run":
							runExpr = kv.Value
						}
					}
				}
				if lid == nil || lid.Kind() != constant.String || constant.StringVal(lid) != id {
					continue
				}
				if runID, ok := ast.Unparen(runExpr).(*ast.Ident); ok {
					if fn, ok := c.tt.info.Uses[runID].(*types.Func); ok && fn.Parent() == c.tt.pkg.Scope() {
						return i, fn, nil
					}
				}
				return -1, nil, fmt.Errorf("lesson %s: its Run must name a function of the lessons' package", id)
			}
		}
	}
	return -1, nil, fmt.Errorf("lesson %s: no runner.Lesson variable with this ID in the lessons' source", id)
}

// closure returns the declarations lesson l consists of: its variable, its
// Run function and, transitively, every declaration of the package they
// use, but other lessons and the course list. The lesson's own come first.
func (c *Code) closure(l runner.Lesson, program bool) (lessonVar *decl, run types.Object, funcs []decl, err error) {
	if err := c.parse(); err != nil {
		return nil, nil, nil, err
	}
	all := c.decls()
	lv, run, err := c.lessonOf(l.ID, all)
	if err != nil {
		return nil, nil, nil, err
	}
	lessonVar = &all[lv]
	byObj := map[types.Object]int{}
	for i, d := range all {
		for _, o := range d.objs {
			if o != nil {
				byObj[o] = i
			}
		}
	}
	start := byObj[run]
	seen := map[int]bool{start: true}
	queue := []int{start}
	for len(queue) > 0 {
		d := all[queue[0]]
		queue = queue[1:]
		ast.Inspect(d.node, func(n ast.Node) bool {
			if is, ok := n.(*ast.IfStmt); ok && program {
				if call, ok := is.Cond.(*ast.CallExpr); ok && c.tt.method(call.Fun) == "Interactive" {
					return false // a program has no --interactive: not part of it
				}
			}
			id, ok := n.(*ast.Ident)
			if !ok {
				return true
			}
			// A declaration of the package's, but a lesson or a list of
			// them: not a local name, a field or a method.
			obj := c.tt.info.Uses[id]
			if i, ok := byObj[obj]; ok && !seen[i] && !c.tt.isLessons(obj.Type()) {
				seen[i] = true
				queue = append(queue, i)
			}
			return true
		})
	}
	idx := make([]int, 0, len(seen))
	for i := range seen {
		idx = append(idx, i)
	}
	// The lesson's file first, then the helpers in file order.
	sort.Slice(idx, func(a, b int) bool {
		da, db := all[idx[a]], all[idx[b]]
		if (da.file == lessonVar.file) != (db.file == lessonVar.file) {
			return da.file == lessonVar.file
		}
		return idx[a] < idx[b]
	})
	for _, i := range idx {
		funcs = append(funcs, all[i])
	}
	return lessonVar, run, funcs, nil
}

// text is the source of n, with its doc comment if it has one.
func (c *Code) text(file string, n ast.Node) string {
	start := n.Pos()
	switch d := n.(type) {
	case *ast.FuncDecl:
		if d.Doc != nil {
			start = d.Doc.Pos()
		}
	case *ast.GenDecl:
		if d.Doc != nil {
			start = d.Doc.Pos()
		}
	}
	src := c.src[file]
	return string(src[c.fset.Position(start).Offset:c.fset.Position(n.End()).Offset])
}

// Show returns lesson l's source as built into the binary: its variable, its
// Run function and every function, constant and type of the package it
// uses, each from the file it is in.
func (c *Code) Show(l runner.Lesson) (string, error) {
	lv, _, decls, err := c.closure(l, false)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	file := ""
	for _, d := range append([]decl{*lv}, decls...) {
		if d.file != file {
			if file != "" {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "// lessons/%s\n\n", d.file)
			file = d.file
		} else {
			b.WriteString("\n")
		}
		b.WriteString(c.text(d.file, d.node) + "\n")
	}
	return b.String(), nil
}

// programPrefix is where a lesson's program keeps its keys: under
// programPrefix + ID + "/".
const programPrefix = "/etcdtour/program/"

// columns is the width a program is fitted to, at 8-column tabs (a
// terminal's): report.Columns, a presenter's terminal or a learner's split
// screen.
const columns = 80

// Program returns lesson l as a Go program of its own, package main: a
// client from ETCDCTL_ENDPOINTS, a timeout per call, the lesson's code with
// its narration turned into plain prints and its checks into returned
// errors, its keys under a prefix of its own, deleted before it exits.
func (c *Code) Program(l runner.Lesson) ([]byte, error) {
	_, run, decls, err := c.closure(l, true)
	if err != nil {
		return nil, err
	}
	g := newGen(c, decls)
	var body strings.Builder
	// Steps are numbered on across functions: a lesson whose steps go on
	// in a function it calls last (discovery's second half) lists it after
	// its Run, as the closure orders them.
	for _, d := range decls {
		g.file = d.file
		body.WriteString("\n" + g.decl(d.node) + "\n")
	}
	if len(g.errs) > 0 {
		return nil, fmt.Errorf("lesson %s: %s", l.ID, strings.Join(g.errs, "; "))
	}
	tmpl, err := programTmpl()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, map[string]any{
		"ID": l.ID, "Title": l.Title, "Doc": "// " + strings.ReplaceAll(i18n.Wrap(l.Doc, 74), "\n", "\n// "), "Prefix": programPrefix + l.ID + "/",
		"Run": run.Name(), "Body": body.String(), "Own": l.Needs.Members > 0,
		"Members": g.members(l.Needs.Members),
	}); err != nil {
		return nil, err
	}
	// A statement taken out at the top of a block leaves a blank line.
	src, err := c.addImports(regexp.MustCompile(`\{\n\s*\n`).ReplaceAll(b.Bytes(), []byte("{\n")))
	if err != nil {
		return nil, fmt.Errorf("lesson %s: %v", l.ID, err)
	}
	// Broken to fit a terminal, as the lessons' own files are: a program
	// says more than its lesson in places (fmt.Printf for t.Step).
	out, err := gowrap.File(joinSignatures(src), columns, gowrap.TerminalTab)
	if err != nil {
		return nil, fmt.Errorf("lesson %s: the program does not parse: %v\n%s", l.ID, err, src)
	}
	return out, nil
}

// skeleton is the program around a lesson's code: Go files that build on
// their own (stub.go stands for the lesson), and templates whose actions
// are in /*{{ }}*/ comments. program.go is the root; own.go and cluster.go
// make the main of a program with an etcd of its own, endpoints.go the
// main of one that uses $ETCDCTL_ENDPOINTS.
//
//go:embed skeleton/*.go
var skeleton embed.FS

// programTmpl is the skeleton parsed, once.
var programTmpl = sync.OnceValues(func() (*template.Template, error) {
	root := template.New("program.go").Delims("/*{{", "}}*/")
	for _, name := range []string{"program.go", "own.go", "cluster.go", "endpoints.go"} {
		b, err := skeleton.ReadFile("skeleton/" + name)
		if err != nil {
			return nil, err
		}
		text, err := skeletonText(name, b, name == "program.go")
		if err != nil {
			return nil, err
		}
		t := root
		if name != "program.go" {
			t = root.New(name)
		}
		if _, err := t.Parse(text); err != nil {
			return nil, fmt.Errorf("skeleton/%s: %v", name, err)
		}
	}
	return root, nil
})

// skeletonText is a skeleton file as a template: without its build line
// and imports, and what lies between, nor, unless root, its package
// clause and what precedes it; stub.go's names become actions.
func skeletonText(name string, src []byte, root bool) (string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return "", err
	}
	off := func(p token.Pos) int { return fset.Position(p).Offset }
	cut := off(f.Name.End()) // the end of the package clause
	for _, d := range f.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
			cut = off(gd.End())
		}
	}
	text := strings.TrimLeft(string(src[cut:]), "\n")
	if root {
		head := string(src[:off(f.Name.End())])
		head = head[strings.Index(head, "\n\n")+2:] // the build line
		text = head + "\n\n" + text
	}
	text = strings.ReplaceAll(text, "lessonRun", "/*{{.Run}}*/")
	text = strings.ReplaceAll(text, "lessonMembers", "/*{{.Members}}*/")
	return text, nil
}

// knownImports are the packages a program may use, by name.
var knownImports = map[string]string{
	"context":     "context",
	"errors":      "errors",
	"fmt":         "fmt",
	"maps":        "maps",
	"reflect":     "reflect",
	"slices":      "slices",
	"log":         "log",
	"os":          "os",
	"strings":     "strings",
	"time":        "time",
	"clientv3":    "go.etcd.io/etcd/client/v3",
	"namespace":   "go.etcd.io/etcd/client/v3/namespace",
	"concurrency": "go.etcd.io/etcd/client/v3/concurrency",
	"zap":         "go.uber.org/zap",
	"exec":        "os/exec",
	"signal":      "os/signal",
	"syscall":     "syscall",
	"filepath":    "path/filepath",
	"net":         "net",
	"sync":        "sync",
	"grpc":        "google.golang.org/grpc",
	"codes":       "google.golang.org/grpc/codes",
	"peer":        "google.golang.org/grpc/peer",
	"status":      "google.golang.org/grpc/status",
}

// addImports adds an import block for the packages src uses, taking their
// paths from the lessons' own imports.
func (c *Code) addImports(src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "main.go", src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("the program does not parse: %v\n%s", err, src)
	}
	// Checked without imports, a package's name is the one that is not
	// declared: a local variable may have the name of a package.
	uses := map[*ast.Ident]types.Object{}
	(&types.Config{Error: func(error) {}}).Check("main", fset, []*ast.File{f}, &types.Info{Uses: uses})
	paths := map[string]string{}
	for name, p := range knownImports {
		paths[name] = p
	}
	for _, lf := range c.files {
		for _, im := range lf.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			name := p[strings.LastIndex(p, "/")+1:]
			if im.Name != nil {
				name = im.Name.Name
			}
			if _, ok := paths[name]; !ok && p != "etcdtour/runner" {
				paths[name] = p
			}
		}
	}
	used := map[string]bool{}
	var unknown []string
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && uses[id] == nil {
				if _, ok := paths[id.Name]; ok {
					used[id.Name] = true
				} else if id.Name == "runner" {
					unknown = append(unknown, "runner."+sel.Sel.Name)
				}
			}
		}
		return true
	})
	if len(unknown) > 0 {
		return nil, fmt.Errorf("the program would use %s: a lesson may use only its *runner.T t and its own package", strings.Join(unknown, ", "))
	}
	var std, other []string
	for name := range used {
		p := paths[name]
		line := strconv.Quote(p)
		if !strings.HasSuffix(p, "/"+name) && p != name {
			line = name + " " + line
		}
		if strings.Contains(strings.Split(p, "/")[0], ".") {
			other = append(other, line)
		} else {
			std = append(std, line)
		}
	}
	sort.Strings(std)
	sort.Strings(other)
	block := "import (\n\t" + strings.Join(std, "\n\t") + "\n\n\t" + strings.Join(other, "\n\t") + "\n)\n"
	return bytes.Replace(src, []byte("\npackage main\n"), []byte("\npackage main\n\n"+block), 1), nil
}
