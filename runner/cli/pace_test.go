//go:build linux

package cli

import (
	"strings"
	"testing"

	"etcdtour/runner/runnertest"
)

// TestPaced: on a terminal of 80×24 with no flags the course goes a screen
// at a time: it never writes more than a screen before it waits, with a
// prompt that says how to go on; PageDown (what a clicker sends) and →
// go on, keys the prompt does not use are ignored and not echoed, q alone
// quits at once (130) and leaves the terminal as it was. --no-pause runs
// straight through on the same terminal, with each call's boilerplate
// folded into its line, or, with --code full, shown.
func TestPaced(t *testing.T) {
	t.Parallel()
	t.Run("paged", func(t *testing.T) {
		t.Parallel()
		cmd, ptmx, tty, out := onTerminal(t, "run", "put-get")
		out.waitFor(t, "── more:", 1)
		screen := func() []string { return runnertest.Screen(out.String()) }
		if n := len(screen()); n > 24 {
			t.Errorf("%d rows written before the first prompt, want at most 24:\n%s", n, out)
		}
		ptmx.Write([]byte("x\x1b[A")) // ignored: neither goes on nor shows
		ptmx.Write([]byte("\x1b[6~")) // PageDown
		out.waitFor(t, "── more:", 2)
		ptmx.Write([]byte("\x1b[C")) // →
		out.waitFor(t, "── more:", 3)
		ptmx.Write([]byte("q"))
		if code := wait(t, cmd); code != 130 {
			t.Errorf("exit %d after q, want 130\n%s", code, out)
		}
		leftForTheShell(t, tty)
		tty.Close()
		<-out.done
		s := out.String()
		if strings.Contains(s, "^[") || strings.Contains(s, "[A") || strings.Contains(s, "x\r") {
			t.Errorf("a key the prompt does not use was echoed:\n%q", s)
		}
		if !strings.Contains(s, "1 interrupted") {
			t.Errorf("no summary after q:\n%s", s)
		}
	})
	for _, c := range []struct {
		name   string
		argv   []string
		folded bool
	}{{"--no-pause", nil, true}, {"--code full", []string{"--code", "full"}, false}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cmd, _, tty, out := onTerminal(t, append([]string{"--no-pause", "run", "put-get"}, c.argv...)...)
			if code := wait(t, cmd); code != 0 {
				t.Fatalf("exit %d, want 0\n%s", code, out)
			}
			tty.Close() // all it wrote is read once the terminal's side is closed
			<-out.done
			s := out.String()
			if strings.Contains(s, "── more:") {
				t.Errorf("--no-pause paused:\n%s", s)
			}
			cancels := strings.Contains(s, "│ cancel()")
			marks := strings.Contains(s, "// with a timeout; error returned")
			if cancels == c.folded || marks != c.folded {
				t.Errorf("cancel() shown: %v, fold marks: %v; want folded %v:\n%s", cancels, marks, c.folded, s)
			}
			// The call, then its etcdctl line and its result right under it.
			i := strings.Index(s, "│ get, err := cli.Get(ctx1, \"name\")")
			if i < 0 || !strings.HasPrefix(strings.SplitN(s[i:], "\n", 3)[1], "     $ etcdctl get ") {
				t.Errorf("the Get's etcdctl line is not right under it:\n%s", s)
			}
		})
	}
}
