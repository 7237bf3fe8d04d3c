package source

// A lesson's source, whole (Show) or as a program of its own (Program):
// the lesson's Run function and everything in the package it calls.

import (
	"bytes"
	"embed"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"regexp"
	"runtime"
	"slices"
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
	file  string
	node  ast.Decl
	names []string
}

func (c *Code) decls() []decl {
	var out []decl
	files := make([]string, 0, len(c.files))
	for name := range c.files {
		files = append(files, name)
	}
	sort.Strings(files)
	for _, name := range files {
		for _, d := range c.files[name].Decls {
			var names []string
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil {
					continue
				}
				names = []string{d.Name.Name}
			case *ast.GenDecl:
				if d.Tok == token.IMPORT {
					continue
				}
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.ValueSpec:
						for _, n := range s.Names {
							names = append(names, n.Name)
						}
					case *ast.TypeSpec:
						names = append(names, s.Name.Name)
					}
				}
			}
			out = append(out, decl{name, d, names})
		}
	}
	return out
}

// runName is the name of the function l.Run is, such as "putGet".
func runName(l runner.Lesson) string {
	if l.Run == nil {
		return ""
	}
	name := runtime.FuncForPC(reflect.ValueOf(l.Run).Pointer()).Name()
	return name[strings.LastIndex(name, ".")+1:]
}

// closure returns the declarations lesson l consists of: its variable, its
// Run function and, transitively, every declaration of the package they
// name, but other lessons and the course list. The lesson's own come first.
func (c *Code) closure(l runner.Lesson, program bool) (lessonVar *decl, funcs []decl, err error) {
	if err := c.parse(); err != nil {
		return nil, nil, err
	}
	run := runName(l)
	all := c.decls()
	byName := map[string]int{}
	var lessonVars []string
	for i, d := range all {
		for _, n := range d.names {
			byName[n] = i
		}
		if gd, ok := d.node.(*ast.GenDecl); ok && gd.Tok == token.VAR {
			for _, s := range gd.Specs {
				vs := s.(*ast.ValueSpec)
				for _, v := range vs.Values {
					if cl, ok := v.(*ast.CompositeLit); ok && isLessonType(cl.Type) {
						lessonVars = append(lessonVars, d.names...)
						if runOf(cl) == run {
							lessonVar = &all[i]
						}
					}
				}
			}
		}
	}
	start, ok := byName[run]
	if !ok || lessonVar == nil {
		return nil, nil, fmt.Errorf("lesson %s: its Run must be a function of the lessons' source, named in a Lesson variable (found %q)", l.ID, run)
	}
	seen := map[int]bool{start: true}
	queue := []int{start}
	for len(queue) > 0 {
		d := all[queue[0]]
		queue = queue[1:]
		ast.Inspect(d.node, func(n ast.Node) bool {
			if is, ok := n.(*ast.IfStmt); ok && program {
				if call, ok := is.Cond.(*ast.CallExpr); ok && isT(call.Fun, "Interactive") {
					return false // a program has no --interactive: not part of it
				}
			}
			if sel, ok := n.(*ast.SelectorExpr); ok {
				ast.Inspect(sel.X, func(n ast.Node) bool { return c.visit(d.file, n, byName, lessonVars, seen, &queue) })
				return false // sel.Sel is a field or method, not ours
			}
			return c.visit(d.file, n, byName, lessonVars, seen, &queue)
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
	return lessonVar, funcs, nil
}

func (c *Code) visit(file string, n ast.Node, byName map[string]int, skip []string, seen map[int]bool, queue *[]int) bool {
	id, ok := n.(*ast.Ident)
	if !ok {
		return true
	}
	if id.Obj != nil && c.files[file].Scope.Lookup(id.Name) != id.Obj {
		return true // a local name
	}
	if i, ok := byName[id.Name]; ok && !seen[i] && !slices.Contains(skip, id.Name) && id.Name != "Course" {
		seen[i] = true
		*queue = append(*queue, i)
	}
	return true
}

func isLessonType(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Lesson"
}

func runOf(cl *ast.CompositeLit) string {
	for _, e := range cl.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Run" {
				if v, ok := kv.Value.(*ast.Ident); ok {
					return v.Name
				}
			}
		}
	}
	return ""
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
	lv, decls, err := c.closure(l, false)
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

// ProgramPrefix is where a lesson's program keeps its keys: under
// ProgramPrefix + ID + "/".
const ProgramPrefix = "/etcdtour/program/"

// Program returns lesson l as a Go program of its own, package main: a
// client from ETCDCTL_ENDPOINTS, a timeout per call, the lesson's code with
// its narration turned into plain prints and its checks into returned
// errors, its keys under a prefix of its own, deleted before it exits.
func (c *Code) Program(l runner.Lesson) ([]byte, error) {
	_, decls, err := c.closure(l, true)
	if err != nil {
		return nil, err
	}
	g := &gen{c: c, dropT: map[string]int{}}
	for _, d := range decls {
		if f, ok := d.node.(*ast.FuncDecl); ok && f.Recv == nil {
			if i := tIndex(f); i >= 0 {
				g.dropT[f.Name.Name] = i
			}
		}
	}
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
		"ID": l.ID, "Title": l.Title, "Doc": "// " + strings.ReplaceAll(i18n.Wrap(l.Doc, 74), "\n", "\n// "), "Prefix": ProgramPrefix + l.ID + "/",
		"Run": runName(l), "Body": body.String(), "Own": l.Needs.Members > 0,
		"Members": g.members(l),
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
	out, err := gowrap.File(joinSignatures(src), runner.Columns, gowrap.TerminalTab)
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
}

// addImports adds an import block for the packages src uses, taking their
// paths from the lessons' own imports.
func (c *Code) addImports(src []byte) ([]byte, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", src, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("the program does not parse: %v\n%s", err, src)
	}
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
			if id, ok := sel.X.(*ast.Ident); ok && id.Obj == nil {
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

// gen rewrites a lesson's declarations into a program's: *runner.T t
// becomes the client cli, narration becomes prints, checks return errors.
type gen struct {
	c       *Code
	file    string
	step    int
	errs    []string
	cluster bool // the lesson uses t.Cluster
	// dropT holds the functions of the lesson that take a client cli of
	// their own besides t: in the program they lose t, and their calls
	// its argument (the index of t in their parameters).
	dropT map[string]int
	// inDropT is set while a function of dropT is rewritten.
	inDropT bool
}

// members is how many members the program's own etcd has: none unless
// the lesson stops or restarts them (t.Cluster), which it cannot do to an
// etcd at $ETCDCTL_ENDPOINTS.
func (g *gen) members(l runner.Lesson) int {
	if !g.cluster {
		return 0
	}
	return max(l.Needs.Members, 1)
}

func (g *gen) off(p token.Pos) int { return g.c.fset.Position(p).Offset }

func (g *gen) decl(d ast.Decl) string {
	f, ok := d.(*ast.FuncDecl)
	_, g.inDropT = g.dropT[funcName(f, ok)]
	return g.rewritten(d, true)
}

func funcName(f *ast.FuncDecl, ok bool) string {
	if !ok || f.Recv != nil {
		return ""
	}
	return f.Name.Name
}

// tIndex is the index of f's *runner.T parameter, if f also has one named
// cli; else -1.
func tIndex(f *ast.FuncDecl) int {
	at, n, cli := -1, 0, false
	for _, p := range f.Type.Params.List {
		if star, ok := p.Type.(*ast.StarExpr); ok && isLessonT(star.X) {
			at = n
		}
		for _, name := range p.Names {
			cli = cli || name.Name == "cli"
		}
		n += max(len(p.Names), 1)
	}
	if !cli {
		return -1
	}
	return at
}

// rewritten is n's source (with its doc comment if top) with every
// rewrite inside it applied.
func (g *gen) rewritten(n ast.Node, top bool) string {
	start := g.off(n.Pos())
	if top {
		start = g.off(docStart(n))
	}
	end := g.off(n.End())
	src := g.c.src[g.file]
	type edit struct {
		from, to int
		text     string
	}
	var edits []edit
	ast.Inspect(n, func(x ast.Node) bool {
		if x == nil || x == n {
			return true
		}
		if r, ok := g.rewrite(x); ok {
			edits = append(edits, edit{g.off(x.Pos()), g.off(x.End()), r})
			return false
		}
		return true
	})
	// A statement taken out takes its line with it.
	for i, e := range edits {
		if e.text != "" {
			continue
		}
		ls := bytes.LastIndexByte(src[:e.from], '\n') + 1
		le := bytes.IndexByte(src[e.to:], '\n')
		if le >= 0 && ls >= start && len(bytes.TrimSpace(src[ls:e.from])) == 0 && len(bytes.TrimSpace(src[e.to:e.to+le])) == 0 {
			edits[i].from, edits[i].to = ls, e.to+le+1
		}
	}
	var b strings.Builder
	at := start
	for _, e := range edits {
		b.Write(src[at:e.from])
		b.WriteString(e.text)
		at = e.to
	}
	b.Write(src[at:end])
	return b.String()
}

func docStart(n ast.Node) token.Pos {
	switch d := n.(type) {
	case *ast.FuncDecl:
		if d.Doc != nil {
			return d.Doc.Pos()
		}
	case *ast.GenDecl:
		if d.Doc != nil {
			return d.Doc.Pos()
		}
	}
	return n.Pos()
}

func (g *gen) src(n ast.Node) string { return g.rewritten(n, false) }

// format joins a narration's format argument with text before and after
// it: one literal where it is one, a sum of strings where not.
func (g *gen) format(before string, f ast.Expr, after string) string {
	if s, ok := constString(f); ok {
		// One literal, which the program's wrapping cuts where it must:
		// "check failed: " + "a " + "b" would keep the lesson's cuts too.
		return strconv.Quote(before + s + after)
	}
	parts := []string{}
	if before != "" {
		parts = append(parts, strconv.Quote(before))
	}
	parts = append(parts, g.src(f))
	if after != "" {
		parts = append(parts, strconv.Quote(after))
	}
	return strings.Join(parts, "+")
}

// joinSignatures puts each function's signature back on one line: the
// lesson broke it where its own parameters made it too long, and the
// program's differ (cli *clientv3.Client for t *runner.T), so gowrap breaks
// it again where the program's need.
func joinSignatures(src []byte) []byte {
	lines := strings.Split(string(src), "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "func ") && !strings.HasSuffix(l, "{") && !strings.HasSuffix(l, "}") {
			for i+1 < len(lines) && !strings.HasSuffix(l, "{") {
				i++
				next := strings.TrimSpace(lines[i])
				if strings.HasSuffix(l, "(") {
					l += next
				} else {
					l += " " + next
				}
			}
		}
		out = append(out, l)
	}
	return []byte(strings.Join(out, "\n"))
}

// constString is the value of a string literal, or of a sum of them.
func constString(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		x, ok1 := constString(e.X)
		y, ok2 := constString(e.Y)
		return x + y, e.Op == token.ADD && ok1 && ok2
	case *ast.ParenExpr:
		return constString(e.X)
	}
	return "", false
}

func (g *gen) args(es []ast.Expr) string {
	var s []string
	for _, e := range es {
		s = append(s, g.src(e))
	}
	return strings.Join(s, ", ")
}

// printf is fmt.Printf of a narration, or fmt.Println where it has no
// arguments and needs no prefix.
func (g *gen) printf(before string, f ast.Expr, args []ast.Expr) string {
	if len(args) == 0 {
		if before == "" {
			return "fmt.Println(" + g.src(f) + ")"
		}
	}
	call := "fmt.Printf(" + g.format(before, f, "\n")
	if len(args) > 0 {
		call += ", " + g.args(args)
	}
	return call + ")"
}

// rewrite returns the program's text for n, if n is something of the
// runner's: a narration statement, t.Client, t.Timeout(), the *runner.T
// parameter, t itself.
func (g *gen) rewrite(n ast.Node) (string, bool) {
	switch n := n.(type) {
	case *ast.ExprStmt:
		call, ok := n.X.(*ast.CallExpr)
		if !ok {
			return "", false
		}
		a := call.Args
		switch narrationCall(n.X) {
		case "Step":
			g.step++
			return g.printf(fmt.Sprintf("\n%d. ", g.step), a[0], a[1:]), true
		case "Say":
			return g.printf("", a[0], a[1:]), true
		case "Result":
			return g.printf("→ ", a[0], a[1:]), true
		case "Wait":
			return g.printf("… ", a[1], a[2:]), true
		case "Etcdctl":
			return "", true
		case "Check":
			return fmt.Sprintf("if %s {\nreturn fmt.Errorf(%s%s)\n}", g.not(a[0]), g.format("check failed: ", a[1], ""), g.rest(a[2:])), true
		case "Equal":
			got, want := g.src(a[0]), g.src(a[1])
			rest := append(slices.Clone(a[3:]), a[0], a[1])
			return fmt.Sprintf("if %s != %s {\nreturn fmt.Errorf(%s, %s)\n}", paren(a[0], got), paren(a[1], want),
				g.format("check failed: ", a[2], ": got %v, want %v"), g.args(rest)), true
		}
	case *ast.AssignStmt:
		// cli := t.Client: cli is the program's parameter already.
		if len(n.Rhs) == 1 && isT(n.Rhs[0], "Client") {
			return "", true
		}
	case *ast.IfStmt:
		// if t.Interactive() { ... }: a program has no --interactive.
		if call, ok := n.Cond.(*ast.CallExpr); ok && isT(call.Fun, "Interactive") {
			return "", true
		}
	case *ast.CallExpr:
		switch {
		case isT(n.Fun, "Timeout"):
			return "requestTimeout", true
		case isT(n.Fun, "NewClient"):
			return "newClient()", true
		case isT(n.Fun, "Key"):
			return "prefix + " + g.src(n.Args[0]), true
		}
		if id, ok := n.Fun.(*ast.Ident); ok {
			if i, drop := g.dropT[id.Name]; drop && i < len(n.Args) {
				args := append(slices.Clone(n.Args[:i]), n.Args[i+1:]...)
				return id.Name + "(" + g.args(args) + ")", true
			}
		}
		if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "t" {
				g.errs = append(g.errs, fmt.Sprintf("%s: t.%s has no plain-Go form", g.c.fset.Position(n.Pos()), sel.Sel.Name))
			}
		}
	case *ast.SelectorExpr:
		if isT(n, "Client") {
			return "cli", true
		}
		if isT(n, "Cluster") {
			g.cluster = true
			return "cluster", true
		}
	case *ast.FieldList:
		// The parameters of a function that loses its t.
		if !g.inDropT || !slices.ContainsFunc(n.List, func(f *ast.Field) bool {
			star, ok := f.Type.(*ast.StarExpr)
			return ok && isLessonT(star.X)
		}) {
			return "", false
		}
		var keep []string
		for _, f := range n.List {
			if star, ok := f.Type.(*ast.StarExpr); !ok || !isLessonT(star.X) {
				keep = append(keep, g.src(f))
			}
		}
		return "(" + strings.Join(keep, ", ") + ")", true
	case *ast.Field:
		if star, ok := n.Type.(*ast.StarExpr); ok && isLessonT(star.X) {
			return "cli *clientv3.Client", true
		}
	case *ast.Ident:
		if n.Name == "t" {
			if g.inDropT {
				g.errs = append(g.errs, fmt.Sprintf("%s: t passed on where cli is another client", g.c.fset.Position(n.Pos())))
			}
			return "cli", true
		}
	}
	return "", false
}

// not is the negation of a condition.
func (g *gen) not(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.UnaryExpr:
		if e.Op == token.NOT {
			return g.src(e.X)
		}
	case *ast.ParenExpr:
		return g.not(e.X)
	case *ast.Ident, *ast.CallExpr, *ast.SelectorExpr:
		return "!" + g.src(e)
	case *ast.BinaryExpr:
		neg := map[token.Token]token.Token{token.EQL: token.NEQ, token.NEQ: token.EQL, token.LSS: token.GEQ,
			token.GEQ: token.LSS, token.GTR: token.LEQ, token.LEQ: token.GTR}
		if op, ok := neg[e.Op]; ok {
			return g.src(e.X) + " " + op.String() + " " + g.src(e.Y)
		}
	}
	return "!(" + g.src(e) + ")"
}

func (g *gen) rest(es []ast.Expr) string {
	if len(es) == 0 {
		return ""
	}
	return ", " + g.args(es)
}

// paren wraps a comparison's operand in parentheses where != would bind
// it wrongly.
func paren(e ast.Expr, s string) string {
	if _, ok := e.(*ast.BinaryExpr); ok {
		return "(" + s + ")"
	}
	return s
}

func isT(e ast.Expr, method string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != method {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == "t"
}

func isLessonT(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "T" {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == "runner"
}
