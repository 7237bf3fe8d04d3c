package source

// A step's code line by line (StepLines), for a console that shows each
// call's etcdctl line and result right under the call, folds the
// boilerplate around each call into the call's line, and leaves out what
// only the narration needs.

import (
	"go/ast"
	"go/types"
	"path"
	"regexp"
	"slices"
	"strings"

	"etcdtour/runner"
)

// StepLines returns the code of the step whose t.Step call is at file:line
// line by line: the lines Step returns, with where each is in the source,
// which lines are a call's boilerplate (runner.CodeLine), and the lines
// that compute only what the narration says (a variable the step's checks
// compare and nothing else reads). Nil if there is no such step.
func (c *Code) StepLines(file string, line int) []runner.CodeLine {
	st := c.step(file, line)
	if st == nil {
		return nil
	}
	drop := c.narrationLines(st.f, st.name, st.stmts)
	said := map[int]bool{}
	for _, s := range c.narrationOnly(st.body) {
		c.dropNode(st.f, st.name, s, said)
	}
	boiler, folds, folded := c.boilerplate(st.stmts)
	span := c.spans(st.stmts)
	gloss := c.glosses(st.name, st.stmts)
	// The lesson's last "return nil" says nothing a reader needs: folded
	// with the boilerplate.
	if n := len(st.stmts); n > 0 && st.body != nil && len(st.body.List) > 0 && st.stmts[n-1] == st.body.List[len(st.body.List)-1] {
		if ret, ok := st.stmts[n-1].(*ast.ReturnStmt); ok && len(ret.Results) == 1 && isNil(ret.Results[0]) {
			boiler[c.fset.Position(ret.Pos()).Line] = true
		}
	}
	all := strings.Split(string(c.src[st.name]), "\n")
	var out []runner.CodeLine
	var texts []string
	for l := st.first; l <= st.last && l <= len(all); l++ {
		if drop[l] {
			continue
		}
		cl := runner.CodeLine{From: l, To: l, Boilerplate: boiler[l], Fold: folds[l], Narration: said[l], Gloss: gloss[l]}
		if f, ok := folded[l]; ok {
			cl.Folded = f // indented below, as the line is
		}
		if sp, ok := span[l]; ok {
			cl.From, cl.To = sp[0], sp[1]
		}
		out = append(out, cl)
		texts = append(texts, all[l-1])
	}
	// Dedent as Step does; blank lines at either end and runs of them go.
	tidied := strings.Split(tidy(texts), "\n")
	var res []runner.CodeLine
	j := 0
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			if len(res) > 0 && res[len(res)-1].Text != "" && j < len(tidied) && tidied[j] == "" {
				res = append(res, out[i])
				j++
			}
			continue
		}
		cl := out[i]
		if j < len(tidied) {
			cl.Text = tidied[j]
		}
		if cl.Folded != "" {
			cl.Folded = cl.Text[:len(cl.Text)-len(strings.TrimLeft(cl.Text, " "))] + cl.Folded
		}
		j++
		res = append(res, cl)
	}
	for len(res) > 0 && res[len(res)-1].Text == "" {
		res = res[:len(res)-1]
	}
	return res
}

// spans maps each line of a simple statement within stmts (an assignment,
// a call, a return, a go or defer) to the lines of the innermost such
// statement it is part of: an event made on any of them comes after the
// last.
func (c *Code) spans(stmts []ast.Stmt) map[int][2]int {
	span := map[int][2]int{}
	for _, s := range stmts {
		ast.Inspect(s, func(n ast.Node) bool {
			switch n.(type) {
			case *ast.AssignStmt, *ast.ExprStmt, *ast.ReturnStmt, *ast.GoStmt, *ast.DeferStmt,
				*ast.SendStmt, *ast.IncDecStmt, *ast.DeclStmt:
				from, to := c.fset.Position(n.Pos()).Line, c.fset.Position(n.End()).Line
				for l := from; l <= to; l++ {
					if sp, ok := span[l]; !ok || sp[1]-sp[0] > to-from {
						span[l] = [2]int{from, to}
					}
				}
			}
			return true
		})
	}
	return span
}

// boilerplate finds, in every list of statements within stmts, the lines
// of each call's boilerplate: the context with a timeout made for it
// (ctx, cancel := context.WithTimeout(...)), its cancel() or defer
// cancel(), and the "if err != nil { return err }" after it. folds says,
// at the last line of each call so dressed, which of it a fold hides.
//
// An "if err := X; err != nil { return err }" on one line folds into X:
// folded has the text its line shows folded.
func (c *Code) boilerplate(stmts []ast.Stmt) (lines map[int]bool, folds map[int]runner.Fold, folded map[int]string) {
	lines, folds, folded = map[int]bool{}, map[int]runner.Fold{}, map[int]string{}
	cancels := map[types.Object]bool{}
	list := func(l []ast.Stmt) {
		kind := make([]int, len(l)) // 0 code, 1 timeout, 2 cancel, 3 error returned, 4 answer checked
		for i, s := range l {
			switch {
			case c.isTimeout(s, cancels):
				kind[i] = 1
			case c.isCancel(s, cancels):
				kind[i] = 2
			case c.isErrReturn(s):
				kind[i] = 3
			case c.isErrorfIf(s) && i > 0 && c.callBefore(l[:i], kind):
				kind[i] = 4
			}
		}
		for _, s := range l {
			if x := c.errIf(s); x != nil {
				is := s.(*ast.IfStmt)
				head := c.fset.Position(is.Body.Lbrace).Line
				folds[head] |= runner.FoldErr
				for ln := head + 1; ln <= c.fset.Position(s.End()).Line; ln++ {
					lines[ln] = true
				}
				if c.fset.Position(is.Pos()).Line == head {
					folded[head] = c.text(c.fset.File(s.Pos()).Name(), x)
				}
			}
		}
		for i, s := range l {
			if kind[i] == 0 {
				continue
			}
			for ln := c.fset.Position(s.Pos()).Line; ln <= c.fset.Position(s.End()).Line; ln++ {
				lines[ln] = true
			}
			switch kind[i] {
			case 1: // the call is the next statement of code
				for j := i + 1; j < len(l); j++ {
					if kind[j] == 0 {
						folds[c.fset.Position(l[j].End()).Line] |= runner.FoldTimeout
						break
					}
				}
			case 3, 4: // the call is the statement of code before
				f := runner.FoldErr
				if kind[i] == 4 {
					f = runner.FoldCheck
				}
				for j := i - 1; j >= 0; j-- {
					if kind[j] == 0 {
						folds[c.fset.Position(l[j].End()).Line] |= f
						break
					}
				}
			}
		}
	}
	list(stmts)
	for _, s := range stmts {
		ast.Inspect(s, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BlockStmt:
				list(n.List)
			case *ast.CaseClause:
				list(n.Body)
			case *ast.CommClause:
				list(n.Body)
			}
			return true
		})
	}
	return lines, folds, folded
}

// isTimeout reports whether s is "ctx1, cancel := context.WithTimeout(...)"
// (or =), and records its cancel.
func (c *Code) isTimeout(s ast.Stmt, cancels map[types.Object]bool) bool {
	as, ok := s.(*ast.AssignStmt)
	if !ok || len(as.Lhs) != 2 || len(as.Rhs) != 1 {
		return false
	}
	call, ok := as.Rhs[0].(*ast.CallExpr)
	if !ok || !c.isFunc(call.Fun, "context", "WithTimeout") {
		return false
	}
	if id, ok := as.Lhs[1].(*ast.Ident); ok {
		if o := c.tt.obj(id); o != nil {
			cancels[o] = true
		}
	}
	return true
}

// isFunc reports whether e names the function pkg.name of the package
// imported from path pkg.
func (c *Code) isFunc(e ast.Expr, pkg, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	if !ok {
		return false
	}
	return c.pkgPath(x) == pkg
}

// pkgPath is the path of the package x names, "" if x names none. A
// package none of whose types the checker has (fmt) has no object: its
// name is then looked up in the files' imports.
func (c *Code) pkgPath(x *ast.Ident) string {
	if pn, ok := c.tt.info.Uses[x].(*types.PkgName); ok {
		return pn.Imported().Path()
	}
	if c.tt.info.Uses[x] != nil {
		return ""
	}
	for _, f := range c.files {
		for _, im := range f.Imports {
			p := strings.Trim(im.Path.Value, `"`)
			name := path.Base(p)
			if im.Name != nil {
				name = im.Name.Name
			}
			if name == x.Name {
				return p
			}
		}
	}
	return ""
}

// isCancel reports whether s is cancel() or defer cancel() for a cancel
// that isTimeout recorded.
func (c *Code) isCancel(s ast.Stmt, cancels map[types.Object]bool) bool {
	var call *ast.CallExpr
	switch s := s.(type) {
	case *ast.ExprStmt:
		call, _ = s.X.(*ast.CallExpr)
	case *ast.DeferStmt:
		call = s.Call
	}
	if call == nil || len(call.Args) != 0 {
		return false
	}
	id, ok := call.Fun.(*ast.Ident)
	return ok && cancels[c.tt.obj(id)]
}

// isErrorfIf reports whether s is "if COND { return ..., fmt.Errorf(...) }"
// (or errors.New), COND calling nothing that may do something: a check of
// a call's answer that returns an error where it is not what the lesson
// needs ("if len(get.Kvs) != 1").
func (c *Code) isErrorfIf(s ast.Stmt) bool {
	is, ok := s.(*ast.IfStmt)
	if !ok || is.Init != nil || is.Else != nil || len(is.Body.List) != 1 || c.effectful(is.Cond) {
		return false
	}
	ret, ok := is.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) == 0 {
		return false
	}
	call, ok := ret.Results[len(ret.Results)-1].(*ast.CallExpr)
	return ok && (c.isFunc(call.Fun, "fmt", "Errorf") || c.isFunc(call.Fun, "errors", "New"))
}

// callBefore reports whether the last statement of code in l (kind 0, the
// boilerplate after it skipped) makes a call: the call whose answer an
// isErrorfIf after it checks.
func (c *Code) callBefore(l []ast.Stmt, kind []int) bool {
	for j := len(l) - 1; j >= 0; j-- {
		if kind[j] == 0 {
			return c.hasCall(stmtExpr(l[j]))
		}
		if kind[j] == 1 {
			return false
		}
	}
	return false
}

// stmtExpr is the expression a simple statement evaluates: an assignment's
// right side, an expression statement's expression; nil for another.
func stmtExpr(s ast.Stmt) ast.Expr {
	switch s := s.(type) {
	case *ast.AssignStmt:
		if len(s.Rhs) == 1 {
			return s.Rhs[0]
		}
	case *ast.ExprStmt:
		return s.X
	}
	return nil
}

// isErrReturn reports whether s is "if err != nil { return err }", err an
// error (other results of the return zero: nil, 0, "").
func (c *Code) isErrReturn(s ast.Stmt) bool {
	is, ok := s.(*ast.IfStmt)
	if !ok || is.Init != nil || is.Else != nil || len(is.Body.List) != 1 {
		return false
	}
	cond, ok := is.Cond.(*ast.BinaryExpr)
	if !ok || cond.Op.String() != "!=" || !isNil(cond.Y) {
		return false
	}
	err, ok := cond.X.(*ast.Ident)
	if !ok {
		return false
	}
	o := c.tt.obj(err)
	if o == nil || !c.maybeError(o) {
		return false
	}
	ret, ok := is.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) == 0 {
		return false
	}
	for i, r := range ret.Results {
		if i == len(ret.Results)-1 {
			id, ok := r.(*ast.Ident)
			if !ok || c.tt.obj(id) != o {
				return false
			}
			continue
		}
		if !isZero(r) {
			return false
		}
	}
	return true
}

// maybeError reports whether o is an error, or of a type the checker does
// not know (the result of a function of a package it has no types of).
func (c *Code) maybeError(o types.Object) bool {
	t := o.Type()
	return t == nil || types.Identical(t, types.Universe.Lookup("error").Type()) || t == types.Typ[types.Invalid]
}

// errIf returns X of "if err := X; err != nil { return err }" (or "_, err
// := X", or "="), nil if s is not one.
func (c *Code) errIf(s ast.Stmt) ast.Expr {
	is, ok := s.(*ast.IfStmt)
	if !ok || is.Init == nil || is.Else != nil {
		return nil
	}
	as, ok := is.Init.(*ast.AssignStmt)
	if !ok || len(as.Rhs) != 1 || len(as.Lhs) > 2 {
		return nil
	}
	if len(as.Lhs) == 2 {
		if id, ok := as.Lhs[0].(*ast.Ident); !ok || id.Name != "_" {
			return nil
		}
	}
	plain := &ast.IfStmt{If: is.If, Cond: is.Cond, Body: is.Body}
	if !c.isErrReturn(plain) {
		return nil
	}
	if id, ok := as.Lhs[len(as.Lhs)-1].(*ast.Ident); !ok || c.tt.obj(id) != c.tt.obj(is.Cond.(*ast.BinaryExpr).X.(*ast.Ident)) {
		return nil
	}
	return as.Rhs[0]
}

func isNil(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "nil"
}

// isZero reports whether e is nil, 0 or "".
func isZero(e ast.Expr) bool {
	if isNil(e) {
		return true
	}
	b, ok := e.(*ast.BasicLit)
	return ok && (b.Value == "0" || b.Value == `""`)
}

// narrationOnly returns the statements of body that compute only what its
// narration says: an assignment with no call but to a pure function
// (fmt.Sprintf, strings.Join, ...) whose variables only narration and
// other such statements read, and an if, for or range holding nothing
// else. The lesson keeps them; a console that shows the code without the
// narration may leave them out, so that no variable looks unused.
func (c *Code) narrationOnly(body *ast.BlockStmt) []ast.Stmt {
	if body == nil {
		return nil
	}
	gone := map[ast.Stmt]bool{}
	// Narration statements are gone from the start.
	ast.Inspect(body, func(n ast.Node) bool {
		if st, ok := n.(ast.Stmt); ok && st != body && c.onlyNarration(st) {
			gone[st] = true
			return false
		}
		return true
	})
	inGone := func(stack []ast.Node) bool {
		for _, n := range stack {
			if s, ok := n.(ast.Stmt); ok && gone[s] {
				return true
			}
		}
		return false
	}
	for changed := true; changed; {
		changed = false
		// Variables read only within gone statements.
		read := map[types.Object]bool{} // read outside them
		var stack []ast.Node
		ast.Inspect(body, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return false
			}
			stack = append(stack, n)
			if id, ok := n.(*ast.Ident); ok {
				if o, ok := c.tt.info.Uses[id].(*types.Var); ok && !inGone(stack) && !c.assigned(stack, id) {
					read[o] = true
				}
			}
			return true
		})
		ast.Inspect(body, func(n ast.Node) bool {
			s, ok := n.(ast.Stmt)
			if !ok || gone[s] {
				return !ok || !gone[s]
			}
			if c.computesFor(body, s, read, gone) {
				gone[s], changed = true, true
				return false
			}
			return true
		})
	}
	var out []ast.Stmt
	for s := range gone {
		if !c.onlyNarration(s) {
			out = append(out, s)
		}
	}
	return out
}

// assigned reports whether id, the last node of stack, is written, not
// read: the left of an assignment (x = ..., x += ... reads x only for
// itself), or a range's key or value.
func (c *Code) assigned(stack []ast.Node, id *ast.Ident) bool {
	if len(stack) < 2 {
		return false
	}
	switch p := stack[len(stack)-2].(type) {
	case *ast.AssignStmt:
		for _, l := range p.Lhs {
			if l == id {
				return true
			}
		}
	case *ast.RangeStmt:
		return p.Key == id || p.Value == id
	case *ast.IncDecStmt:
		return p.X == id
	}
	return false
}

// computesFor reports whether s does nothing but give values to variables
// no one reads (outside gone statements), with no call that may do
// something.
func (c *Code) computesFor(body *ast.BlockStmt, s ast.Stmt, read map[types.Object]bool, gone map[ast.Stmt]bool) bool {
	unread := func(e ast.Expr) bool {
		id, ok := e.(*ast.Ident)
		if !ok {
			return false
		}
		if id.Name == "_" {
			return true
		}
		o, ok := c.tt.obj(id).(*types.Var)
		// A variable of the function's own: a package's may be read
		// elsewhere.
		return ok && !read[o] && body.Pos() <= o.Pos() && o.Pos() < body.End()
	}
	allGone := func(l []ast.Stmt) bool {
		for _, x := range l {
			if !gone[x] {
				return false
			}
		}
		return true
	}
	switch s := s.(type) {
	case *ast.AssignStmt:
		for _, l := range s.Lhs {
			if !unread(l) {
				return false
			}
		}
		for _, r := range s.Rhs {
			if c.effectful(r) {
				return false
			}
		}
		return true
	case *ast.IncDecStmt:
		return unread(s.X)
	case *ast.IfStmt:
		if s.Init != nil || c.effectful(s.Cond) || !allGone(s.Body.List) {
			return false
		}
		if s.Else != nil {
			e, ok := s.Else.(ast.Stmt)
			return ok && (gone[e] || c.computesFor(body, e, read, gone))
		}
		return true
	case *ast.BlockStmt:
		return len(s.List) > 0 && allGone(s.List)
	case *ast.RangeStmt:
		return !c.effectful(s.X) && allGone(s.Body.List) && (s.Key == nil || unread(s.Key)) && (s.Value == nil || unread(s.Value))
	case *ast.ForStmt:
		return s.Init == nil && s.Post == nil && !c.effectful(s.Cond) && allGone(s.Body.List)
	}
	return false
}

// pure lists the functions whose calls compute a value and do nothing
// else, by package.
var pure = map[string]bool{"fmt": true, "strings": true, "strconv": true, "slices": true, "maps": true, "sort": true}

// effectful reports whether e calls a function that may do something:
// not a conversion, len or cap, or a function of a package in pure.
func (c *Code) effectful(e ast.Expr) bool {
	if e == nil {
		return false
	}
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || found {
			return !found
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok {
				if pure[c.pkgPath(x)] {
					return true
				}
			}
		}
		if c.hasCall(&ast.CallExpr{Fun: call.Fun, Args: nil}) {
			found = true
		}
		return !found
	})
	return found
}

// glosses maps each line of stmts that calls a function of the tour's own
// (a helper of the lessons, a method of the runner's T or of its Cluster),
// which a learner cannot look up in a library's documentation, to what
// each such call does, in a few words: "nextEvents: reads a watch channel
// until it has n events".
func (c *Code) glosses(name string, stmts []ast.Stmt) map[int][]string {
	out := map[int][]string{}
	for _, s := range stmts {
		ast.Inspect(s, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if g := c.gloss(name, call.Fun); g != "" {
				l := c.fset.Position(call.Lparen).Line
				if !slices.Contains(out[l], g) {
					out[l] = append(out[l], g)
				}
			}
			return true
		})
	}
	return out
}

// gloss is "name: meaning" for a call of fun, a function of the tour's
// own, "" for any other (Go's, the etcd client's, gRPC's).
func (c *Code) gloss(file string, fun ast.Expr) string {
	var id *ast.Ident
	switch f := ast.Unparen(fun).(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	case *ast.IndexExpr: // a generic function: closed[R]
		if x, ok := f.X.(*ast.Ident); ok {
			id = x
		}
	}
	if id == nil {
		return ""
	}
	fn, ok := c.tt.info.Uses[id].(*types.Func)
	if !ok || fn.Pkg() == nil {
		return ""
	}
	text := c.text(file, fun)
	if fn.Pkg() == c.tt.pkg {
		if m := c.docMeaning(fn); m != "" {
			return text + ": " + m
		}
		return text + ": ?"
	}
	if !strings.HasPrefix(fn.Pkg().Path(), "etcdtour/") {
		return ""
	}
	recv := ""
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() != nil {
		t := sig.Recv().Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if n, ok := t.(*types.Named); ok {
			recv = n.Obj().Name() + "."
		}
	}
	if m, ok := runnerMeaning[recv+fn.Name()]; ok {
		return text + ": " + m
	}
	return text + ": ?"
}

// runnerMeaning says what the methods of the runner's a lesson calls do.
var runnerMeaning = map[string]string{
	"T.Timeout":         "--command-timeout, 5s by default",
	"T.Ping":            "whether etcd still answers",
	"T.SayStray":        "says writes outside the lesson's keys",
	"T.NewClient":       "another client, made as t.Client was",
	"T.Interactive":     "whether --interactive was given",
	"T.Key":             "the full key, prefix included",
	"T.EtcdctlEnv":      "etcdctl's ETCDCTL_* for this etcd",
	"Cluster.Endpoints": "the members' client addresses",
	"Cluster.Size":      "how many members",
	"Cluster.Name":      "member i's name",
	"Cluster.Leader":    "which member leads",
	"Cluster.Stop":      "stops member i, its data kept",
	"Cluster.Restart":   "starts member i again from its data",
	"Cluster.Client":    "a client of member i alone",
}

// clauseEnd is where the first clause of a doc comment ends.
var clauseEnd = regexp.MustCompile(`[,:;] |\. |\.$| \(`)

// docMeaning is the start of fn's doc comment, its name left out, up to
// its first comma, colon or full stop: "reads a watch channel until it has
// n events".
func (c *Code) docMeaning(fn *types.Func) string {
	for _, f := range c.files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Doc == nil || c.tt.info.Defs[fd.Name] != fn {
				continue
			}
			doc := strings.Join(strings.Fields(fd.Doc.Text()), " ")
			doc = strings.TrimPrefix(doc, fn.Name()+" ")
			if loc := clauseEnd.FindStringIndex(doc); loc != nil {
				doc = doc[:loc[0]]
			}
			return doc
		}
	}
	return ""
}
