package source

// How a lesson's declarations become a program's: its *runner.T becomes a
// client, its narration prints, its checks return errors.

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"
)

// gen rewrites a lesson's declarations into a program's.
type gen struct {
	c       *Code
	tt      *typed
	file    string
	step    int
	errs    []string
	cluster bool // the lesson uses t.Cluster
	// clients holds, for each *runner.T parameter, the name of the client
	// it becomes in the program; "" where its function loses it.
	clients map[types.Object]string
	// drops holds the functions that lose their *runner.T parameter, with
	// its index: they take a client of their own and have no use for t's
	// (their narration needs none). Their calls lose that argument.
	drops map[types.Object]int
	fn    *ast.FuncDecl // the function being rewritten
	// checked holds the if statements that test, right after a check,
	// what the check checked: the program returns when a check fails, so
	// there the if always holds.
	checked map[*ast.IfStmt]bool
}

// tParam is a function's *runner.T parameter.
type tParam struct {
	fn    *ast.FuncDecl
	obj   types.Object
	index int
	name  string          // cli, or X of the first X := t.Client
	taken map[string]bool // the other names fn declares or uses
}

func newGen(c *Code, decls []decl) *gen {
	g := &gen{c: c, tt: c.tt, clients: map[types.Object]string{}, drops: map[types.Object]int{}, checked: map[*ast.IfStmt]bool{}}
	for _, d := range decls {
		ast.Inspect(d.node, func(n ast.Node) bool {
			var list []ast.Stmt
			switch n := n.(type) {
			case *ast.BlockStmt:
				list = n.List
			case *ast.CaseClause:
				list = n.Body
			case *ast.CommClause:
				list = n.Body
			}
			for i := 1; i < len(list); i++ {
				if is, ok := list[i].(*ast.IfStmt); ok && is.Init == nil && c.narrationCall(exprOf(list[i-1])) == "Check" &&
					types.ExprString(exprOf(list[i-1]).(*ast.CallExpr).Args[0]) == types.ExprString(is.Cond) {
					g.checked[is] = true
				}
			}
			return true
		})
	}
	var params []*tParam
	for _, d := range decls {
		if f, ok := d.node.(*ast.FuncDecl); ok && f.Recv == nil {
			if p := g.tParam(f); p != nil {
				params = append(params, p)
			}
		}
	}
	// A function that takes a client of its own loses t, unless it needs
	// t's client; which it may not, once the functions it passes t to lose
	// theirs.
	for _, p := range params {
		if g.hasClientParam(p.fn) {
			g.drops[g.tt.info.Defs[p.fn.Name]] = p.index
		}
	}
	for changed := true; changed; {
		changed = false
		for _, p := range params {
			fn := g.tt.info.Defs[p.fn.Name]
			if _, ok := g.drops[fn]; ok && g.needsClient(p) {
				delete(g.drops, fn)
				changed = true
			}
		}
	}
	for _, p := range params {
		switch _, drop := g.drops[g.tt.info.Defs[p.fn.Name]]; {
		case drop:
			g.clients[p.obj] = ""
		case !p.taken[p.name]:
			g.clients[p.obj] = p.name
		default:
			for i := 0; ; i++ {
				if name := fmt.Sprintf("client%d", i); !p.taken[name] {
					g.clients[p.obj] = name
					break
				}
			}
		}
	}
	return g
}

// tParam returns f's *runner.T parameter, or nil.
func (g *gen) tParam(f *ast.FuncDecl) *tParam {
	var p *tParam
	i := 0
	for _, field := range f.Type.Params.List {
		for _, n := range field.Names {
			if o := g.tt.info.Defs[n]; o != nil && g.tt.isTType(o.Type()) {
				if p != nil {
					g.errs = append(g.errs, fmt.Sprintf("%s: %s takes two *runner.T", g.c.fset.Position(n.Pos()), f.Name.Name))
				}
				p = &tParam{fn: f, obj: o, index: i, name: "cli"}
			}
			i++
		}
		if len(field.Names) == 0 {
			i++
		}
	}
	if p == nil {
		return nil
	}
	var aliases []types.Object
	ast.Inspect(f.Body, func(n ast.Node) bool {
		if x := g.clientAlias(n, p.obj); x != nil {
			if len(aliases) == 0 {
				p.name = x.Name
			}
			if x.Name == p.name {
				aliases = append(aliases, g.tt.info.Defs[x])
			}
		}
		return true
	})
	p.taken = map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if o := g.tt.info.Defs[id]; o != nil && o != p.obj && !slices.Contains(aliases, o) && id != f.Name {
				p.taken[id.Name] = true
			}
			if o := g.tt.info.Uses[id]; o != nil && o.Parent() == g.tt.pkg.Scope() {
				p.taken[id.Name] = true
			}
		}
		return true
	})
	return p
}

// clientAlias returns X if n is the statement X := t.Client, t the
// parameter t.
func (g *gen) clientAlias(n ast.Node, t types.Object) *ast.Ident {
	as, ok := n.(*ast.AssignStmt)
	if !ok || as.Tok != token.DEFINE || len(as.Lhs) != 1 || len(as.Rhs) != 1 || g.tt.method(as.Rhs[0]) != "Client" {
		return nil
	}
	x, _ := as.Lhs[0].(*ast.Ident)
	if tid, ok := as.Rhs[0].(*ast.SelectorExpr).X.(*ast.Ident); !ok || g.tt.info.Uses[tid] != t || x == nil || g.tt.info.Defs[x] == nil {
		return nil
	}
	return x
}

// hasClientParam reports whether f takes a client of the type of T.Client.
func (g *gen) hasClientParam(f *ast.FuncDecl) bool {
	for _, field := range f.Type.Params.List {
		if g.tt.isClient(g.tt.info.TypeOf(field.Type)) {
			return true
		}
	}
	return false
}

// needsClient reports whether p's function uses t's client: t.Client, or
// t passed on to a function that keeps its own.
func (g *gen) needsClient(p *tParam) bool {
	fine := map[*ast.Ident]bool{}
	ast.Inspect(p.fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok && n.Sel.Name != "Client" {
				fine[id] = true
			}
		case *ast.CallExpr:
			if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok {
				if i, ok := g.drops[g.tt.info.Uses[id]]; ok && i < len(n.Args) {
					if a, ok := n.Args[i].(*ast.Ident); ok {
						fine[a] = true
					}
				}
			}
		}
		return true
	})
	needs := false
	ast.Inspect(p.fn.Body, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && g.tt.info.Uses[id] == p.obj && !fine[id] {
			needs = true
		}
		return !needs
	})
	return needs
}

// members is how many members the program's own etcd has: none unless
// the lesson stops or restarts them (t.Cluster), which it cannot do to an
// etcd at $ETCDCTL_ENDPOINTS.
func (g *gen) members(l int) int {
	if !g.cluster {
		return 0
	}
	return max(l, 1)
}

func (g *gen) off(p token.Pos) int { return g.c.fset.Position(p).Offset }

func (g *gen) decl(d ast.Decl) string {
	g.fn, _ = d.(*ast.FuncDecl)
	return g.rewritten(d, true)
}

// client is the program's name for the client of t, a *runner.T.
func (g *gen) client(t ast.Expr) string {
	if id, ok := ast.Unparen(t).(*ast.Ident); ok {
		if name, ok := g.clients[g.tt.info.Uses[id]]; ok && name != "" {
			return name
		}
	}
	g.errs = append(g.errs, fmt.Sprintf("%s: a *runner.T that is not the parameter of a function that keeps it", g.c.fset.Position(t.Pos())))
	return "cli"
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
		switch g.c.narrationCall(n.X) {
		case "Step":
			g.step++
			return g.printf(fmt.Sprintf("\n%d. ", g.step), a[0], a[1:]), true
		case "Say":
			return g.printf("", a[0], a[1:]), true
		case "Result":
			return g.printf("→ ", a[0], a[1:]), true
		case "Wait":
			return g.printf("… ", a[1], a[2:]), true
		case "Etcdctl", "NoReplay":
			return "", true
		case "Check":
			return fmt.Sprintf("if %s {\nreturn fmt.Errorf(%s%s)\n}", g.not(a[0]), g.format("check failed: ", a[1], ""), g.rest(a[2:])), true
		case "Equal":
			rest := append(slices.Clone(a[3:]), a[0], a[1])
			return fmt.Sprintf("if %s {\nreturn fmt.Errorf(%s, %s)\n}", g.differ(a[0], a[1]),
				g.format("check failed: ", a[2], ": got %v, want %v"), g.args(rest)), true
		}
	case *ast.AssignStmt:
		// cli := t.Client: cli is the program's parameter already.
		if g.fn != nil {
			if t := g.tt.info.Uses[g.tParamIdent(n)]; t != nil {
				if x := g.clientAlias(n, t); x != nil && x.Name == g.clients[t] {
					return "", true
				}
			}
		}
	case *ast.IfStmt:
		// if t.Interactive() { ... }: a program has no --interactive.
		if call, ok := n.Cond.(*ast.CallExpr); ok && g.tt.method(call.Fun) == "Interactive" {
			return "", true
		}
		// t.Check(c, ...) then if c { ... }: in the program the check
		// returned unless c, so only the body is left; in a block of its
		// own if it declares something.
		if g.checked[n] {
			body := g.src(n.Body)
			if !declares(n.Body) {
				body = strings.TrimSpace(body[1 : len(body)-1])
			}
			return body, true
		}
	case *ast.CallExpr:
		switch m := g.tt.method(n.Fun); m {
		case "Timeout":
			return "requestTimeout", true
		case "NewClient":
			return "newClient()", true
		case "Key":
			return "prefix + " + g.src(n.Args[0]), true
		case "":
		default:
			g.errs = append(g.errs, fmt.Sprintf("%s: %s has no plain-Go form", g.c.fset.Position(n.Pos()), m))
		}
		if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok {
			if i, drop := g.drops[g.tt.info.Uses[id]]; drop && i < len(n.Args) {
				args := append(slices.Clone(n.Args[:i]), n.Args[i+1:]...)
				dots := "" // a variadic call keeps its ...
				if n.Ellipsis.IsValid() {
					dots = "..."
				}
				return id.Name + "(" + g.args(args) + dots + ")", true
			}
		}
	case *ast.SelectorExpr:
		switch g.tt.method(n) {
		case "Client":
			return g.client(n.X), true
		case "Cluster":
			g.cluster = true
			return "cluster", true
		}
	case *ast.FieldList:
		// The parameters of a function that loses its t.
		if g.fn == nil || n != g.fn.Type.Params {
			return "", false
		}
		if _, drop := g.drops[g.tt.info.Defs[g.fn.Name]]; !drop {
			return "", false
		}
		var keep []string
		for _, f := range n.List {
			if !g.tt.isTType(g.tt.info.TypeOf(f.Type)) {
				keep = append(keep, g.src(f))
			}
		}
		return "(" + strings.Join(keep, ", ") + ")", true
	case *ast.Field:
		if len(n.Names) == 1 {
			if name, ok := g.clients[g.tt.info.Defs[n.Names[0]]]; ok && name != "" {
				return name + " *clientv3.Client", true
			}
		}
	case *ast.Ident:
		if g.tt.isT(n) {
			return g.client(n), true
		}
	}
	return "", false
}

// differ is the program's condition that got and want differ, as T.Equal
// compares them, chosen by their type: != where == compares them,
// slices.Equal and maps.Equal where their elements can, reflect.DeepEqual
// for the rest.
func (g *gen) differ(gotE, wantE ast.Expr) string {
	got, want := g.src(gotE), g.src(wantE)
	typ := g.tt.info.TypeOf(gotE)
	if !known(typ) {
		typ = g.tt.info.TypeOf(wantE)
	}
	if known(typ) {
		call := func(f string) string { return "!" + f + "(" + got + ", " + want + ")" }
		switch u := typ.Underlying().(type) {
		case *types.Slice:
			if types.Comparable(u.Elem()) {
				return call("slices.Equal")
			}
			return call("reflect.DeepEqual")
		case *types.Map:
			if types.Comparable(u.Elem()) {
				return call("maps.Equal")
			}
			return call("reflect.DeepEqual")
		}
		if !types.Comparable(typ) {
			return call("reflect.DeepEqual")
		}
	}
	return paren(gotE, got) + " != " + paren(wantE, want)
}

// known reports whether the checker knows typ.
func known(typ types.Type) bool {
	return typ != nil && typ != types.Typ[types.Invalid]
}

// exprOf is the expression of an expression statement, or nil.
func exprOf(s ast.Stmt) ast.Expr {
	if es, ok := s.(*ast.ExprStmt); ok {
		return es.X
	}
	return nil
}

// declares reports whether block declares a name of its own.
func declares(block *ast.BlockStmt) bool {
	for _, s := range block.List {
		switch s := s.(type) {
		case *ast.DeclStmt, *ast.LabeledStmt:
			return true
		case *ast.AssignStmt:
			if s.Tok == token.DEFINE {
				return true
			}
		}
	}
	return false
}

// tParamIdent is t in the statement X := t.Client, or nil.
func (g *gen) tParamIdent(as *ast.AssignStmt) *ast.Ident {
	if len(as.Rhs) != 1 {
		return nil
	}
	if sel, ok := as.Rhs[0].(*ast.SelectorExpr); ok {
		id, _ := sel.X.(*ast.Ident)
		return id
	}
	return nil
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
