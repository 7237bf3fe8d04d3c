package lessons_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestWatchesFromAKnownRevision reads the lessons' source: every Watch a
// lesson opens starts at a revision it knows, WithRev(r) with r taken from
// a response, never at revision 0 ("now"). On a cluster of several members
// "now" is the serving member's revision: a follower that lags behind the
// write before it replays that write as if it were new
// (etcd-io/etcd#11496), which failed lessons now and then on a healthy
// three-member cluster. TestCourseThreeMembers (runner) cannot catch that
// reliably: the lag lasts a millisecond or two.
func TestWatchesFromAKnownRevision(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	watches := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Watch" || len(call.Args) < 2 {
				return true
			}
			watches++
			if !fromKnownRevision(call.Args[2:]) {
				t.Errorf("%s: Watch without WithRev(r) from a response: it starts at the serving member's revision, which may be behind the lesson's last write", fset.Position(call.Pos()))
			}
			return true
		})
	}
	if watches < 5 {
		t.Fatalf("found %d Watch calls in the lessons, want the course's", watches)
	}
}

// fromKnownRevision reports whether the options of a Watch hold
// clientv3.WithRev(r), r not a constant.
func fromKnownRevision(opts []ast.Expr) bool {
	for _, o := range opts {
		call, ok := o.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			continue
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "WithRev" {
			continue
		}
		if _, constant := call.Args[0].(*ast.BasicLit); !constant {
			return true
		}
	}
	return false
}
