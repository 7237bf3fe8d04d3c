//go:build linux

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWatchOnTerminal is etcdtour watch as a learner meets it, on an 80×24
// terminal: the first exercise's starter fails with "not implemented"; a
// save of a correct solution turns it ✓ and the watch moves on to the next
// exercise; h says a hint; keys it does not use are not echoed; q alone
// quits, exit 0, and the terminal is as it was.
func TestWatchOnTerminal(t *testing.T) {
	t.Parallel()
	ws := filepath.Join(t.TempDir(), "ws")
	if r := runBinary(t, buildBinary(t), nil, "exercises", "init", ws); r.code != 0 {
		t.Fatalf("exercises init: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	cmd, ptmx, tty, out := onTerminal(t, "watch", "--workspace", ws)
	out.waitFor(t, "Exercise 1 of ", 1)
	out.waitFor(t, "not implemented", 1)
	out.waitFor(t, "h hint · l list · r reset · q quit", 1)

	ptmx.Write([]byte("h"))
	out.waitFor(t, "Hint 1 of ", 1)
	ptmx.Write([]byte("zz\x1b[6~"))

	// The learner's fix: the reference solution, saved over the starter.
	sol, err := os.ReadFile(filepath.Join(root, "lessons", "exercises", "_code", "put-get", "solution", "putget.go"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws, "put-get", "putget.go"), sol, 0o644); err != nil {
		t.Fatal(err)
	}
	out.waitFor(t, "✓ put-get passed. Next: watch", 1)
	out.waitFor(t, "Exercise 2 of ", 1)
	out.waitFor(t, "not implemented", 2)
	ptmx.Write([]byte("q"))
	if code := wait(t, cmd); code != 0 {
		t.Errorf("exit %d after q, want 0\n%s", code, out)
	}
	leftForTheShell(t, tty)
	tty.Close()
	<-out.done
	noResidue(t, out.String(), "zz")
	if strings.Contains(out.String(), "^[") {
		t.Errorf("a key was echoed as an escape:\n%s", out)
	}
	progress, err := os.ReadFile(filepath.Join(ws, ".etcdtour", "progress.json"))
	if err != nil || !strings.Contains(string(progress), `"put-get"`) {
		t.Errorf("progress.json after put-get passed: %q, %v", progress, err)
	}
}
