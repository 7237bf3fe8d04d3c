//go:build linux

package cli

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"etcdtour/runner/i18n"
	"etcdtour/runner/runnertest"
)

// onTerminal starts the binary on a new pseudo-terminal of 80×24 that it
// controls, as a shell would in a terminal window, and keeps the terminal's
// own side open after it exits, to see what it left in it.
func onTerminal(t *testing.T, args ...string) (cmd *exec.Cmd, ptmx, tty *os.File, out *output) {
	t.Helper()
	return onTerminalRows(t, 24, args...)
}

// onTerminalRows is onTerminal with rows rows.
func onTerminalRows(t *testing.T, rows uint16, args ...string) (cmd *exec.Cmd, ptmx, tty *os.File, out *output) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ptmx.Close(); tty.Close() })
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: rows, Cols: 80}); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(buildBinary(t), args...)
	// A learner's terminal, not CI's: CI set runs straight through.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CI=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return cmd, ptmx, tty, collectOutput(ptmx)
}

// leftForTheShell checks the terminal after etcdtour exited: echo is on
// again, and nothing typed during the run is waiting to be read by the
// shell.
func leftForTheShell(t *testing.T, tty *os.File) {
	t.Helper()
	fd := int(tty.Fd())
	tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if tio.Lflag&unix.ECHO == 0 || tio.Lflag&unix.ICANON == 0 {
		t.Errorf("the terminal is left without echo or line editing: lflag %#o", tio.Lflag)
	}
	// Out of line mode, every byte in the queue counts, a line or not.
	raw := *tio
	raw.Lflag &^= unix.ICANON
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &raw); err != nil {
		t.Fatal(err)
	}
	if n, err := unix.IoctlGetInt(fd, unix.TIOCINQ); err != nil || n != 0 {
		b := make([]byte, max(n, 1))
		unix.SetNonblock(fd, true)
		m, _ := unix.Read(fd, b)
		t.Errorf("%d byte(s) typed during the run are left for the shell (%v): %q", n, err, b[:max(m, 0)])
	}
}

// noResidue fails if the terminal shows a wait's status line after the run,
// or anything typed during it.
func noResidue(t *testing.T, out string, typed ...string) {
	t.Helper()
	for i, line := range runnertest.Screen(out) {
		if s := strings.TrimSpace(line); strings.HasSuffix(s, "s left") || strings.HasSuffix(s, "s waited") {
			t.Errorf("screen line %d is a status line left behind: %q", i+1, line)
		}
		for _, k := range typed {
			if strings.Contains(line, k) {
				t.Errorf("screen line %d shows %q, typed during the run: %q", i+1, k, line)
			}
		}
	}
}

// TestTypedDuringRun: in a plain run on a terminal, keys typed while the
// course runs (the reporter's "q" Enter during keepalive's hold) are not
// echoed into the countdown, and the shell does not get them after exit.
func TestTypedDuringRun(t *testing.T) {
	t.Parallel()
	cmd, ptmx, tty, out := onTerminal(t, "--no-pause", "run", "keepalive")
	out.waitFor(t, "keeping lease", 1)
	ptmx.Write([]byte("zz q\r"))
	if code := wait(t, cmd); code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	leftForTheShell(t, tty)
	tty.Close() // the reader sees the end
	<-out.done
	noResidue(t, out.String(), "zz")
	if !strings.Contains(out.String(), "1 passed, 0 failed") {
		t.Errorf("the lesson did not pass:\n%s", out)
	}
}

// TestStepModeTypeAhead: under --step, an Enter (and a q Enter) pressed
// while a step waits does not answer the next prompt: step 4 waits for a
// key pressed after its prompt, here q, which quits. Nothing is left on
// the screen of the countdown, and nothing for the shell.
func TestStepModeTypeAhead(t *testing.T) {
	t.Parallel()
	// 60 rows: step 3 fits, so no "more" prompt shows during its wait to
	// take the keys typed meanwhile (it would, rightly: TestPaced).
	cmd, ptmx, tty, out := onTerminalRows(t, 60, "--step", "run", "keepalive")
	for step := 1; step <= 3; step++ {
		out.waitFor(t, "· Enter runs it", step)
		ptmx.Write([]byte("\r"))
	}
	out.waitFor(t, "keeping lease", 1) // step 3's hold
	ptmx.Write([]byte("\r"))
	ptmx.Write([]byte("zz q\r"))
	out.waitFor(t, "keepalive 4: ", 1)
	ptmx.Write([]byte("q\r"))
	if code := wait(t, cmd); code != 130 {
		t.Errorf("exit %d after q at step 4's prompt, want 130\n%s", code, out)
	}
	leftForTheShell(t, tty)
	tty.Close()
	<-out.done
	s := out.String()
	if strings.Contains(s, "4. Stop renewing") {
		t.Errorf("step 4 ran: a key pressed during step 3 answered its prompt\n%s", s)
	}
	for _, want := range []string{"renewed after", "INTERRUPTED keepalive", "1 interrupted"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	noResidue(t, s, "zz")
}

// TestErrorFitsTerminal: an error on a terminal is broken between words to
// fit 80 columns, its continuation indented; in a pipe it stays one line
// (TestBadInput and others), which scripts grep.
func TestErrorFitsTerminal(t *testing.T) {
	t.Parallel()
	cmd, _, tty, out := onTerminal(t, "show", "nosuchlesson")
	if code := wait(t, cmd); code != 2 {
		t.Fatalf("exit %d, want 2\n%s", code, out)
	}
	tty.Close()
	<-out.done
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(out.String(), "\r", ""), "\n"), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], `etcdtour: unknown lesson "nosuchlesson"`) {
		t.Fatalf("want the error broken over lines, got:\n%s", out)
	}
	for i, l := range lines {
		if i18n.Width(l) > 80 || (i > 0 && !strings.HasPrefix(l, "  ")) {
			t.Errorf("line %d of the error is %d columns or not indented: %q", i+1, i18n.Width(l), l)
		}
	}
}
