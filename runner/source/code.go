// Package source owns the lessons' Go source as built into the binary: the
// code each step shows (Code.Step, for runner.Config.Code), a lesson's whole
// source ("etcdtour show", Code.Show) and the lesson as a program of its own
// ("etcdtour show --program", Code.Program).
package source

// The Go code a step shows is cut from the lesson's source as built into
// the binary: the statements between one t.Step call and the next, with the
// narration (t.Say, t.Result, t.Check, ...) left out.

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// narration lists the methods of runner.T that narrate or check: a step's
// code leaves out every statement that only calls one of them, and a
// program made from a lesson turns them into plain prints and returns.
var narration = []string{"Step", "Say", "Result", "Check", "Equal", "Wait", "Etcdctl", "NoReplay"}

// Code is a course's Go source, parsed once.
type Code struct {
	fsys fs.FS

	once  sync.Once
	fset  *token.FileSet
	files map[string]*ast.File // by base name
	src   map[string][]byte
	tt    *typed // the files type-checked
	err   error
}

// NewCode returns the source in fsys (a package's .go files by base name,
// such as an embed.FS).
func NewCode(fsys fs.FS) *Code { return &Code{fsys: fsys} }

func (c *Code) parse() error {
	c.once.Do(func() {
		c.fset = token.NewFileSet()
		c.files, c.src = map[string]*ast.File{}, map[string][]byte{}
		names, err := fs.Glob(c.fsys, "*.go") // sorted
		if err != nil {
			c.err = err
			return
		}
		var files []*ast.File
		for _, name := range names {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			b, err := fs.ReadFile(c.fsys, name)
			if err != nil {
				c.err = err
				return
			}
			f, err := parser.ParseFile(c.fset, name, b, parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				c.err = err
				return
			}
			c.files[name], c.src[name] = f, b
			files = append(files, f)
		}
		c.tt = check(c.fset, files)
	})
	return c.err
}

// isNarration reports whether n is the statement t.M(...) for a method M
// in narration, t a *runner.T.
func (c *Code) isNarration(n ast.Node) bool {
	es, ok := n.(*ast.ExprStmt)
	return ok && c.narrationCall(es.X) != ""
}

// narrationCall returns M if e is the call t.M(...), M in narration, t a
// *runner.T.
func (c *Code) narrationCall(e ast.Expr) string {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return ""
	}
	if m := c.tt.method(call.Fun); slices.Contains(narration, m) {
		return m
	}
	return ""
}

func (c *Code) isStep(n ast.Node) bool {
	es, ok := n.(*ast.ExprStmt)
	return ok && c.narrationCall(es.X) == "Step"
}

// Step returns the Go code of the step whose t.Step call is at file:line
// (file may be a path: its base name is used), or "" if there is none.
func (c *Code) Step(file string, line int) string {
	st := c.step(file, line)
	if st == nil {
		return ""
	}
	all := strings.Split(string(c.src[st.name]), "\n")
	drop := c.narrationLines(st.f, st.name, st.stmts)
	var out []string
	for l := st.first; l <= st.last && l <= len(all); l++ {
		if !drop[l] {
			out = append(out, all[l-1])
		}
	}
	return tidy(out)
}

// stepAt is where a step's code is in the source.
type stepAt struct {
	f           *ast.File
	name        string         // the file's base name
	first, last int            // its lines
	stmts       []ast.Stmt     // its statements
	body        *ast.BlockStmt // the function they are in
}

// step finds the step whose t.Step call is at file:line, nil if none.
func (c *Code) step(file string, line int) *stepAt {
	if c == nil || c.parse() != nil {
		return nil
	}
	name := path.Base(strings.ReplaceAll(file, "\\", "/"))
	f := c.files[name]
	if f == nil {
		return nil
	}
	var block, body *ast.BlockStmt
	at := -1
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if at < 0 {
				body = n.Body
			}
		case *ast.FuncLit:
			if at < 0 {
				body = n.Body
			}
		case *ast.BlockStmt:
			if at < 0 {
				for i, s := range n.List {
					if c.isStep(s) && c.fset.Position(s.Pos()).Line == line {
						block, at = n, i
					}
				}
			}
		}
		return at < 0
	})
	if block == nil {
		return nil
	}
	// The function the block is in: the innermost one around it.
	ast.Inspect(f, func(n ast.Node) bool {
		var b *ast.BlockStmt
		switch n := n.(type) {
		case *ast.FuncDecl:
			b = n.Body
		case *ast.FuncLit:
			b = n.Body
		}
		if b != nil && b.Pos() <= block.Pos() && block.End() <= b.End() {
			body = b
		}
		return true
	})
	end := len(block.List)
	for j := at + 1; j < len(block.List); j++ {
		if c.isStep(block.List[j]) {
			end = j
			break
		}
	}
	first := c.fset.Position(block.List[at].End()).Line + 1
	last := c.fset.Position(block.Rbrace).Line - 1
	if end < len(block.List) {
		last = c.fset.Position(block.List[end].Pos()).Line - 1
		// A comment right above the next step belongs to it.
		for _, cg := range f.Comments {
			if l := c.fset.Position(cg.End()).Line; l == last && c.fset.Position(cg.Pos()).Line > first {
				last = c.fset.Position(cg.Pos()).Line - 1
			}
		}
	}
	return &stepAt{f: f, name: name, first: first, last: last, stmts: block.List[at+1 : end], body: body}
}

// narrationLines returns the lines of the narration statements within
// stmts (and of statements that hold nothing but narration), and of the
// comments right above them.
func (c *Code) narrationLines(f *ast.File, name string, stmts []ast.Stmt) map[int]bool {
	drop := map[int]bool{}
	for _, s := range stmts {
		ast.Inspect(s, func(n ast.Node) bool {
			st, ok := n.(ast.Stmt)
			if !ok {
				return true
			}
			if c.onlyNarration(st) {
				c.dropNode(f, name, st, drop)
				return false
			}
			return true
		})
	}
	return drop
}

// dropNode adds the lines of n to drop, and the comment lines right above
// it, which explain it (but not a comment at the end of a line of code).
func (c *Code) dropNode(f *ast.File, name string, n ast.Node, drop map[int]bool) {
	from, to := c.fset.Position(n.Pos()).Line, c.fset.Position(n.End()).Line
	for l := from; l <= to; l++ {
		drop[l] = true
	}
	for _, cg := range f.Comments {
		if c.fset.Position(cg.End()).Line == from-1 && c.ownLine(name, cg) {
			for l := c.fset.Position(cg.Pos()).Line; l < from; l++ {
				drop[l] = true
			}
		}
	}
}

// ownLine reports whether comment group cg starts a line of its own.
func (c *Code) ownLine(name string, cg *ast.CommentGroup) bool {
	p := c.fset.Position(cg.Pos())
	src := c.src[name]
	start := p.Offset - (p.Column - 1)
	return strings.TrimSpace(string(src[start:p.Offset])) == ""
}

// onlyNarration reports whether s does nothing but narrate: a narration
// call, or a block, if, for or range whose bodies hold only narration.
func (c *Code) onlyNarration(s ast.Stmt) bool {
	switch s := s.(type) {
	case *ast.ExprStmt:
		return c.isNarration(s)
	case *ast.BlockStmt:
		for _, x := range s.List {
			if !c.onlyNarration(x) {
				return false
			}
		}
		return true
	case *ast.IfStmt:
		if s.Init != nil || c.hasCall(s.Cond) {
			return false
		}
		if s.Else != nil && !c.onlyNarration(s.Else) {
			return false
		}
		return c.onlyNarration(s.Body)
	case *ast.RangeStmt:
		return !c.hasCall(s.X) && c.onlyNarration(s.Body)
	case *ast.ForStmt:
		return s.Init == nil && s.Post == nil && !c.hasCall(s.Cond) && c.onlyNarration(s.Body)
	case *ast.SwitchStmt:
		if s.Init != nil || c.hasCall(s.Tag) {
			return false
		}
		for _, cc := range s.Body.List {
			for _, x := range cc.(*ast.CaseClause).List {
				if c.hasCall(x) {
					return false
				}
			}
			for _, x := range cc.(*ast.CaseClause).Body {
				if !c.onlyNarration(x) {
					return false
				}
			}
		}
		return true
	}
	return false
}

// hasCall reports whether e calls a function: such a call may do
// something. A conversion such as string(b) does not, nor len or cap.
func (c *Code) hasCall(e ast.Expr) bool {
	if e == nil {
		return false
	}
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			fun := c.tt.info.Types[call.Fun]
			if fun.IsType() {
				return true
			}
			if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok && fun.IsBuiltin() && (id.Name == "len" || id.Name == "cap") {
				return true
			}
			found = true
		}
		return !found
	})
	return found
}

// tidy dedents lines by their common leading tabs and drops blank lines at
// either end and runs of them.
func tidy(lines []string) string {
	label := regexp.MustCompile(`^\s*\w+:$`)
	indent := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" || label.MatchString(l) {
			continue // gofmt puts a label one tab to the left
		}
		n := len(l) - len(strings.TrimLeft(l, "\t"))
		if indent < 0 || n < indent {
			indent = n
		}
	}
	var out []string
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			if len(out) > 0 && out[len(out)-1] != "" {
				out = append(out, "")
			}
			continue
		}
		cut := min(indent, len(l)-len(strings.TrimLeft(l, "\t")))
		out = append(out, strings.ReplaceAll(l[cut:], "\t", "    "))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}
