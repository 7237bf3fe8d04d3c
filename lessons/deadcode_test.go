package lessons_test

// A program made from a lesson has no dead branch: no if whose outcome an
// earlier if that returns already decided.

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"testing"

	"etcdtour/lessons"
)

// TestProgramsNoDeadBranches: in no program does an if test a condition
// (or its negation) that an if before it in the same block returned on,
// with nothing in between assigning to what it tests. (go vet, which
// TestPrograms runs, does not look for this.)
func TestProgramsNoDeadBranches(t *testing.T) {
	t.Parallel()
	for _, l := range lessons.Course {
		src, err := sourceCode.Program(l)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range deadBranches(t, src) {
			t.Errorf("show --program %s: %s", l.ID, d)
		}
	}
}

// TestDeadBranchesFound: deadBranches finds the dead branches it is for,
// and none where an assignment comes between.
func TestDeadBranchesFound(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		body string
		dead int
	}{
		{"if p == nil { return nil }\nif p != nil { println() }", 1},
		{"if p == nil { return nil }\nif p == nil { println() }", 1},
		{"if !ok { return nil }\nif ok { println() }", 1},
		{"if p == nil { return nil }\nprintln()\nif !(p == nil) { println() }", 1},
		{"if p == nil { return nil }\np = q\nif p != nil { println() }", 0},
		{"if p == nil { return nil }\nif q != nil { println() }", 0},
		{"if p == nil { println() }\nif p != nil { println() }", 0},
	} {
		src := fmt.Sprintf("package main\n\nfunc f(p, q *int, ok bool) error {\n%s\nreturn nil\n}\n", c.body)
		if got := deadBranches(t, []byte(src)); len(got) != c.dead {
			t.Errorf("%q: %d dead branches %q, want %d", c.body, len(got), got, c.dead)
		}
	}
}

// deadBranches returns where Go source src tests again what a returning
// if before it in the same block decided.
func deadBranches(t *testing.T, src []byte) []string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "main.go", src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var dead []string
	ast.Inspect(f, func(n ast.Node) bool {
		var list []ast.Stmt
		switch n := n.(type) {
		case *ast.BlockStmt:
			list = n.List
		case *ast.CaseClause:
			list = n.Body
		case *ast.CommClause:
			list = n.Body
		}
		for i, s := range list {
			guard, ok := s.(*ast.IfStmt)
			if !ok || guard.Init != nil || guard.Else != nil || len(guard.Body.List) == 0 {
				continue
			}
			if _, ok := guard.Body.List[len(guard.Body.List)-1].(*ast.ReturnStmt); !ok {
				continue
			}
			// After it, guard.Cond is false, until something assigns to
			// a name it uses.
			same := map[string]bool{types.ExprString(guard.Cond): true}
			for _, neg := range negations(guard.Cond) {
				same[types.ExprString(neg)] = true
			}
			for _, later := range list[i+1:] {
				if is, ok := later.(*ast.IfStmt); ok && is.Init == nil && same[types.ExprString(is.Cond)] {
					dead = append(dead, fmt.Sprintf("%s: if %s is decided by the if at line %d, which returns",
						fset.Position(is.Pos()), types.ExprString(is.Cond), fset.Position(guard.Pos()).Line))
				}
				if assignsTo(later, guard.Cond) {
					break
				}
			}
		}
		return true
	})
	return dead
}

// negations are forms of !e.
func negations(e ast.Expr) []ast.Expr {
	out := []ast.Expr{&ast.UnaryExpr{Op: token.NOT, X: e}, &ast.UnaryExpr{Op: token.NOT, X: &ast.ParenExpr{X: e}}}
	switch e := ast.Unparen(e).(type) {
	case *ast.UnaryExpr:
		if e.Op == token.NOT {
			out = append(out, e.X, ast.Unparen(e.X))
		}
	case *ast.BinaryExpr:
		neg := map[token.Token]token.Token{token.EQL: token.NEQ, token.NEQ: token.EQL, token.LSS: token.GEQ,
			token.GEQ: token.LSS, token.GTR: token.LEQ, token.LEQ: token.GTR}
		if op, ok := neg[e.Op]; ok {
			out = append(out, &ast.BinaryExpr{X: e.X, Op: op, Y: e.Y})
		}
	}
	return out
}

// assignsTo reports whether s may change what cond uses: it assigns to,
// or takes the address of, a name cond uses, or calls a function with one
// of them.
func assignsTo(s ast.Stmt, cond ast.Expr) bool {
	names := map[string]bool{}
	ast.Inspect(cond, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			names[id.Name] = true
		}
		return true
	})
	uses := func(e ast.Node) bool {
		found := false
		ast.Inspect(e, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && names[id.Name] {
				found = true
			}
			return !found
		})
		return found
	}
	changes := false
	ast.Inspect(s, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				changes = changes || uses(l)
			}
		case *ast.IncDecStmt:
			changes = changes || uses(n.X)
		case *ast.RangeStmt:
			changes = changes || (n.Key != nil && uses(n.Key)) || (n.Value != nil && uses(n.Value))
		case *ast.UnaryExpr:
			changes = changes || (n.Op == token.AND && uses(n.X))
		case *ast.CallExpr:
			for _, a := range n.Args {
				changes = changes || uses(a)
			}
		}
		return !changes
	})
	return changes
}
