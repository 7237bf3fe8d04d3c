package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"etcdtour/lessons/exercises"
	"etcdtour/runner/exercise"
)

// TestExercisesCommands walks a learner's way through put-get with the
// commands, in process: init, an offline build of the workspace, the
// starter checked (not implemented), init again keeping the learner's
// file, a compile error, the solution hidden then shown, a solution that
// passes and the progress it leaves, reset with its backup, and the usage
// errors.
func TestExercisesCommands(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "ws")
	file := filepath.Join(dir, "put-get", "putget.go")
	ex, _ := exercise.Find(exercises.List, "put-get")
	starter, _ := ex.Source("starter")
	solution, _ := ex.Source("solution")
	ws := []string{"--workspace", dir}

	if r := inProcess(nil, "exercises", "init", dir); r.code != 0 || !strings.Contains(r.stdout, "+ put-get/putget.go") {
		t.Fatalf("exercises init: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s in the workspace, offline: %v\n%s", args, err, out)
		}
	}
	r := inProcess(nil, append([]string{"check", "put-get"}, ws...)...)
	if r.code != 1 || !strings.Contains(r.stdout, `Visit returned "not implemented"`) {
		t.Errorf("check of the starter: exit %d, want 1 and not implemented\n%s%s", r.code, r.stdout, r.stderr)
	}

	// The learner's own file survives init; a compile error is Go's,
	// with the learner's file:line.
	if err := os.WriteFile(file, []byte("package putget\n\nfunc Visit() { x }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := inProcess(nil, "exercises", "init", dir); r.code != 0 || !strings.Contains(r.stdout, "= put-get/putget.go") {
		t.Errorf("exercises init again: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if b, _ := os.ReadFile(file); !strings.Contains(string(b), "{ x }") {
		t.Errorf("init overwrote the learner's file")
	}
	r = inProcess(nil, append([]string{"check"}, ws...)...)
	if r.code != 1 || !strings.Contains(r.stdout, "put-get/putget.go:3:16: undefined: x") {
		t.Errorf("check of code that does not build: exit %d, want 1 and the compiler's line\n%s%s", r.code, r.stdout, r.stderr)
	}

	if r := inProcess(nil, append([]string{"solution", "put-get"}, ws...)...); r.code != 2 || !strings.Contains(r.stderr, "has not passed yet") {
		t.Errorf("solution before passing: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := inProcess(nil, "solution", "put-get", "--force"); r.code != 0 || !strings.Contains(r.stdout, "put.Header.Revision") {
		t.Errorf("solution --force: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	if err := os.WriteFile(file, solution[0].Data, 0o644); err != nil {
		t.Fatal(err)
	}
	r = inProcess(nil, append([]string{"check", "next", "--json"}, ws...)...)
	var events []string
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var ev struct {
			Event, ID string
			Check     *exercise.CheckResult
			Passed    *bool
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil || ev.ID != "put-get" {
			t.Errorf("check --json: line %q: %v", line, err)
		}
		e := ev.Event
		if ev.Check != nil {
			e += " " + string(ev.Check.Status)
		}
		if ev.Passed != nil {
			e += fmt.Sprint(" ", *ev.Passed)
		}
		events = append(events, e)
	}
	want := []string{"exercise"}
	for range ex.Checks {
		want = append(want, "check passed")
	}
	if want = append(want, "result true"); r.code != 0 || !slices.Equal(events, want) {
		t.Errorf("check --json of the solution: exit %d, events %q, want %q\n%s", r.code, events, want, r.stderr)
	}
	if r := inProcess(nil, append([]string{"exercises"}, ws...)...); r.code != 0 || !strings.Contains(r.stdout, "✓  1. put-get") {
		t.Errorf("exercises after a pass: exit %d, want put-get ✓\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := inProcess(nil, append([]string{"solution", "put-get"}, ws...)...); r.code != 0 {
		t.Errorf("solution after passing: exit %d\n%s", r.code, r.stderr)
	}

	r = inProcess(nil, append([]string{"reset", "put-get"}, ws...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "is back to its starter") || !strings.Contains(r.stdout, "put-get is not passed any more") {
		t.Errorf("reset: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if b, _ := os.ReadFile(file); string(b) != string(starter[0].Data) {
		t.Errorf("reset did not put the starter back")
	}
	backups, _ := filepath.Glob(filepath.Join(dir, ".etcdtour", "backup", "*", "put-get", "putget.go"))
	if len(backups) != 1 {
		t.Errorf("reset left %d backups of the learner's file, want 1", len(backups))
	} else if b, _ := os.ReadFile(backups[0]); string(b) != string(solution[0].Data) {
		t.Errorf("the backup is not the learner's file")
	}
	if r := inProcess(nil, append([]string{"exercises"}, ws...)...); r.code != 0 || strings.Contains(r.stdout, "✓") {
		t.Errorf("exercises after put-get's reset: exit %d, want nothing ✓ (a starter has not passed)\n%s%s", r.code, r.stdout, r.stderr)
	}

	for _, c := range []struct {
		argv []string
		want string
	}{
		{[]string{"check", "nope", "--workspace", dir}, `unknown exercise "nope"`},
		{[]string{"check", "--workspace", t.TempDir()}, "is not an exercises workspace"},
		{[]string{"hint"}, "hint takes one exercise"},
		{[]string{"exercises", "init", "a", "b"}, "takes one directory at most"},
		{[]string{"exercises", "nope"}, "unknown exercises command"},
		{[]string{"exercises", "init", file}, "is a file, not a directory"},
	} {
		if r := inProcess(nil, c.argv...); r.code != 2 || !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and one line with %q", c.argv, r.code, r.stderr, c.want)
		}
	}
	if r := inProcess(nil, "hint", "put-get"); r.code != 0 || !strings.Contains(r.stdout, "put.Header.Revision") {
		t.Errorf("hint put-get: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestOwnClusterExercisesSkipped: on a cluster the user named, the
// exercises that need the checker's own etcd are skipped with one line
// each and exit 0, unbuilt and with nothing sent to it (the address here
// has no etcd); with every other one passed, check says so for each;
// watch leaves them out of its list.
func TestOwnClusterExercisesSkipped(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "ws")
	if r := inProcess(nil, "exercises", "init", dir); r.code != 0 {
		t.Fatalf("exercises init: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	user := []string{"--workspace", dir, "--endpoints", "127.0.0.1:1"}
	var own, others []string
	for _, e := range exercises.List {
		if e.Members > 0 {
			own = append(own, e.ID)
		} else {
			others = append(others, e.ID)
		}
	}
	if len(own) < 3 {
		t.Fatalf("only %q need an etcd of the checker's own", own)
	}
	for _, id := range own {
		r := inProcess(nil, append([]string{"check", id}, user...)...)
		if r.code != 0 || strings.Count(r.stdout, "\n") != 1 || !strings.Contains(r.stdout, "- "+id+": skipped") {
			t.Errorf("check %s on --endpoints: exit %d, want 0 and one line saying skipped\n%s%s", id, r.code, r.stdout, r.stderr)
		}
	}
	r := inProcess(nil, append([]string{"check", own[0], "--json"}, user...)...)
	if r.code != 0 || !strings.Contains(r.stdout, `"skipped":"skipped: `) {
		t.Errorf("check --json on --endpoints: exit %d, want 0 and a skipped result\n%s%s", r.code, r.stdout, r.stderr)
	}
	passed := map[string]string{}
	for _, id := range others {
		passed[id] = "2026-12-08T00:00:00Z"
	}
	b, _ := json.Marshal(map[string]any{"passed": passed})
	if err := os.WriteFile(filepath.Join(dir, ".etcdtour", "progress.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	r = inProcess(nil, append([]string{"check"}, user...)...)
	if r.code != 0 || strings.Count(r.stdout, "\n") != len(own) || strings.Count(r.stdout, ": skipped: ") != len(own) {
		t.Errorf("check next on --endpoints, the others passed: exit %d, want 0 and %d skipped lines\n%s%s", r.code, len(own), r.stdout, r.stderr)
	}
}
