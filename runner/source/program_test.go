package source

import (
	"context"
	"go/parser"
	"go/token"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"etcdtour/runner"
)

// fixture is a course of one lesson that names its *runner.T lt and its
// client kv, has a helper with a client of its own, checks and compares
// slices, maps and structs.
const fixture = `package course

import (
	"context"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

var Fixture = runner.Lesson{ID: "fix" + "ture", Title: "A fixture", Doc: "It runs.", Run: fixtureRun}

var Course = []runner.Lesson{Fixture}

type pair struct{ keys []string }

func fixtureRun(ctx context.Context, lt *runner.T) error {
	kv := lt.Client
	lt.Step("Put %s", "a")
	put, err := kv.Put(ctx, "a", "1", clientv3.WithPrevKV())
	if err != nil {
		return err
	}
	lt.Check(put.PrevKv == nil, "no previous value")
	if put.PrevKv == nil {
		lt.Say("none, as expected")
	}
	keys := []string{"a"}
	lt.Equal(keys, []string{"a"}, "one key")
	lt.Equal(map[string]int{"a": 1}, map[string]int{"a": 1}, "one entry")
	lt.Equal(pair{keys}, pair{[]string{"a"}}, "one pair")
	lt.Equal(put.Header.Revision, 2, "revision 2")
	return own(ctx, lt, kv, []string{fmt.Sprint(put.Header.Revision)}...)
}

func own(ctx context.Context, lt *runner.T, other *clientv3.Client, vs ...string) error {
	lt.Result("writing %s", vs[0])
	_, err := other.Put(ctx, "b", vs[0])
	return err
}
`

// TestProgramFromTypes: the program is made by the types of what the
// lesson names, not by the names (lt, kv, other); it compares as T.Equal
// does; it has no dead if after a check; the step's code is found.
func TestProgramFromTypes(t *testing.T) {
	t.Parallel()
	code := NewCode(fstest.MapFS{"course.go": {Data: []byte(fixture)}})
	l := runner.Lesson{ID: "fixture", Run: func(context.Context, *runner.T) error { return nil }}
	src, err := code.Program(l)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "main.go", src, 0); err != nil {
		t.Fatalf("the program does not parse: %v\n%s", err, src)
	}
	prog := string(src)
	for _, want := range []string{
		"func fixtureRun(ctx context.Context, kv *clientv3.Client) error {", // lt is the client kv
		`fmt.Println("none, as expected")`,                                  // no if: the check returned
		`!slices.Equal(keys, []string{"a"})`,
		`!maps.Equal(map[string]int{"a": 1}, map[string]int{"a": 1})`,
		`!reflect.DeepEqual(pair{keys}, pair{[]string{"a"}})`,
		"put.Header.Revision != 2",
		"func own(ctx context.Context, other *clientv3.Client, vs ...string) error {", // loses lt
		"return own(ctx, kv, []string{fmt.Sprint(put.Header.Revision)}...)",           // keeps its ...
		"go func() { done <- fixtureRun(lctx, cli) }()",
		`"slices"`, `"maps"`, `"reflect"`,
	} {
		if !strings.Contains(prog, want) {
			t.Errorf("the program has no %s:\n%s", want, prog)
		}
	}
	for _, unwanted := range []string{`\blt\b`, `\brunner\b`, `if put\.PrevKv == nil \{\n\s*fmt`} {
		if regexp.MustCompile(unwanted).MatchString(prog) {
			t.Errorf("the program matches %s:\n%s", unwanted, prog)
		}
	}
	line := 1 + strings.Count(fixture[:strings.Index(fixture, "lt.Step(")], "\n")
	step := code.Step("/elsewhere/course.go", line)
	if want := "put, err := kv.Put(ctx, \"a\", \"1\", clientv3.WithPrevKV())\nif err != nil {\n    return err\n}"; !strings.HasPrefix(step, want) {
		t.Errorf("step code:\n%s\nwant it to start with:\n%s", step, want)
	}
}
