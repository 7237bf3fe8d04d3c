package cli

// Every flag and variable that etcdtour --help and etcdtour CMD --help list,
// set to a distinctive value and its effect checked, so that a flag whose
// handling is removed, or wired to the wrong field, fails a test. Most run
// etcdtour's run in this process against the shared embedded etcd
// (runnertest.Server); TestEveryFlagHasATest names the test for each.

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"etcdtour/runner/runnertest"
)

// hookWriter is a stdout that keeps what the run writes and calls a hook,
// synchronously, the first time the output contains the hook's text: the
// run waits while the test acts on what it saw.
type hookWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	hooks []*hook
}

type hook struct {
	text string
	fn   func()
	done bool
}

// on calls fn once the output contains text.
func (w *hookWriter) on(text string, fn func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hooks = append(w.hooks, &hook{text: text, fn: fn})
}

func (w *hookWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for _, h := range w.hooks {
		if !h.done && strings.Contains(w.buf.String(), h.text) {
			h.done = true
			h.fn()
		}
	}
	return len(p), nil
}

func (w *hookWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// runWith runs etcdtour in this process with ctx, stdout and env (no other
// ETCDCTL_* variable) the test's own; it returns the exit code, stderr and
// how long the run took. A run still going after 30 s is interrupted, as by
// Ctrl-C, instead of hanging the suite.
func runWith(ctx context.Context, env map[string]string, stdout io.Writer, argv ...string) (int, string, time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	start := time.Now()
	code := run(ctx, argv, strings.NewReader(""), stdout, &stderr, func(k string) string { return env[k] }, &Abort{}, nil, nil)
	return code, stderr.String(), time.Since(start)
}

// flagOrEnv is a flag given as --name value, or as its ETCDCTL_* variable.
type flagOrEnv struct {
	form string // "flag" or "env"
	argv []string
	env  map[string]string
}

// bothForms returns the two ways to set the connection flag name to value.
func bothForms(name, value string) []flagOrEnv {
	arg := []string{"--" + name, value}
	if value == "true" {
		arg = arg[:1] // a bool flag
	}
	return []flagOrEnv{
		{form: "--" + name, argv: arg},
		{form: envName(name), env: map[string]string{envName(name): value}},
	}
}

// TestConnFlags: each connection flag, and its ETCDCTL_* variable, reaches
// the connection: a value only it can explain shows in the outcome.
// (--command-timeout is TestCommandTimeout's.)
func TestConnFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	some := filepath.Join(dir, "some.pem") // readable, so the other file is the one refused
	if err := os.WriteFile(some, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missingCA := filepath.Join(dir, "missing-ca-xyz.pem")
	missingCert := filepath.Join(dir, "missing-cert-xyz.pem")
	missingKey := filepath.Join(dir, "missing-key-xyz.pem")
	// Never dialled: the check of the connection flags fails first, and
	// what it finds wrong in them is a usage error, exit 2.
	notDialled := []string{"run", "install", "--endpoints", "127.0.0.1:2"}
	ep := runnertest.Server(t).Endpoint()
	silent := silentServer(t)
	for _, c := range []struct {
		name, value string
		argv        []string // besides the flag
		code        int      // the exit code
		want        string   // in stderr, on one line
		within      time.Duration
	}{
		{"endpoints", "127.0.0.1:99999", []string{"run", "install"}, exitUsage, `endpoint "127.0.0.1:99999" is malformed`, 0},
		// A server that never answers: the client waits until the dial
		// timeout, 1 s, not the default 5 s.
		{"dial-timeout", "1s", []string{"run", "install", "--endpoints", silent}, exitFailed, "did not answer as etcd within 1s", 3 * time.Second},
		// Nothing listens on this machine: said at once, not after the
		// default dial timeout of 5 s.
		{"endpoints", "127.0.0.1:1", []string{"run", "install"}, exitFailed, "nothing listens at 127.0.0.1:1 (connection refused)", 3 * time.Second},
		// A healthy etcd that no one could reach in 1 ms: the value
		// reached the connection, which names it. (That the diagnosis
		// then calls it too short, when the answer comes within its
		// 300 ms, is etcdconn.TestDialTimeoutTooShort's.)
		{"dial-timeout", "1ms", []string{"run", "install", "--endpoints", ep}, exitFailed, "1ms", 0},
		{"user", "alice-xyz", notDialled, exitUsage, `--user "alice-xyz" has no password`, 0},
		{"user", ":pw-xyz", notDialled, exitUsage, `--user ":pw-xyz" has no user name`, 0},
		{"password", "pw-xyz", notDialled, exitUsage, "--password given without --user", 0},
		{"cacert", missingCA, notDialled, exitUsage, "--cacert " + missingCA + ": cannot read it", 0},
		{"cacert", some, notDialled, exitUsage, "--cacert " + some + ": no PEM certificate in it", 0},
		{"cert", missingCert, append([]string{"--key", some}, notDialled...), exitUsage, "--cert " + missingCert + ": cannot read it", 0},
		{"cert", some, notDialled, exitUsage, "--cert and --key go together", 0},
		{"key", missingKey, append([]string{"--cert", some}, notDialled...), exitUsage, "--key " + missingKey + ": cannot read it", 0},
		// TLS to the shared server, which serves plain http: it hangs up.
		{"insecure-skip-tls-verify", "true", []string{"run", "install", "--dial-timeout", "1s", "--endpoints", ep},
			exitFailed, "hung up on the TLS handshake", 3 * time.Second},
	} {
		for _, f := range bothForms(c.name, c.value) {
			t.Run(f.form+"="+filepath.Base(c.value), func(t *testing.T) {
				t.Parallel()
				var stdout bytes.Buffer
				code, stderr, took := runWith(context.Background(), f.env, &stdout, append(f.argv, c.argv...)...)
				if code != c.code || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
					t.Errorf("exit %d, stderr %q; want %d and one line with %q\nstdout:\n%s", code, stderr, c.code, c.want, stdout.String())
				}
				if c.within > 0 && took > c.within {
					t.Errorf("took %v, want under %v", took.Round(time.Millisecond), c.within)
				}
				if c.name == "endpoints" && f.env != nil && !strings.Contains(stderr, "came from ETCDCTL_ENDPOINTS") {
					t.Errorf("stderr %q does not say the endpoints came from ETCDCTL_ENDPOINTS", stderr)
				}
			})
		}
	}
}

// TestCommandTimeout: --command-timeout, and ETCDCTL_COMMAND_TIMEOUT, bound
// each request of a lesson. The lesson's client gets no answer (its
// connection is held by the proxy, which stalls once the run has
// connected); its first Put gives up after 500 ms, not the default 5 s.
// What is timed is the stall to the failure, not the whole run: the run's
// start alone took 4 s under -race beside the package's other tests, and
// the stall to the failure 4–5.4 s in CI's -race run beside them: it runs
// before the package's parallel tests, one form after the other.
func TestCommandTimeout(t *testing.T) {
	for _, f := range bothForms("command-timeout", "500ms") {
		t.Run(f.form, func(t *testing.T) {
			proxy := runnertest.NewProxy(t, runnertest.Server(t).Endpoint())
			stdout := &hookWriter{}
			var stalled, failed time.Time
			stdout.on("keys under", func() { // the course has started: the runner is connected
				stalled = time.Now()
				proxy.Stall()
			})
			stdout.on("deadline exceeded", func() { failed = time.Now() })
			code, stderr, _ := runWith(context.Background(), f.env, stdout,
				append(f.argv, "run", "put-get", "--endpoints", proxy.Addr())...)
			out := stdout.String()
			if code != 1 || !strings.Contains(out, "FAILED put-get") || !strings.Contains(out, "deadline exceeded") {
				t.Errorf("exit %d, stderr %q; want 1, and put-get failed on its deadline:\n%s", code, stderr, out)
			}
			if took := failed.Sub(stalled); stalled.IsZero() || failed.IsZero() || took > 3*time.Second {
				t.Errorf("%v from the stall to the failure: the Put did not give up after 500ms", took.Round(time.Millisecond))
			}
		})
	}
}

// runPrefix is the run's own prefix, as the first line of the output says.
var runPrefix = regexp.MustCompile(`keys under (/\S*/)\n`)

// TestPrefixAndKeep: --prefix puts the run's keys under it, and --keep
// leaves them there; without --keep nothing is left. The lesson is txn,
// which ends with keys in place (put-get deletes its own as its last step,
// so it would pass with --keep ignored).
func TestPrefixAndKeep(t *testing.T) {
	t.Parallel()
	ep := runnertest.Server(t).Endpoint()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{ep}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	for _, c := range []struct {
		name       string
		argv       []string
		wantPrefix string // of the run's prefix
		kept       bool
	}{
		{"--prefix --keep", []string{"--prefix", "/distinct-xyz/", "--keep"}, "/distinct-xyz/", true},
		{"--keep", []string{"--keep"}, "/etcdtour/", true},
		{"neither", nil, "/etcdtour/", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var stdout bytes.Buffer
			code, stderr, _ := runWith(context.Background(), nil, &stdout, append(c.argv, "run", "txn", "--endpoints", ep)...)
			m := runPrefix.FindStringSubmatch(stdout.String())
			if code != 0 || m == nil {
				t.Fatalf("exit %d, stderr %q, no run prefix:\n%s", code, stderr, stdout.String())
			}
			p := m[1]
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				cli.Delete(ctx, p, clientv3.WithPrefix())
			})
			if !strings.HasPrefix(p, c.wantPrefix) {
				t.Errorf("the run's keys are under %s, want under %s", p, c.wantPrefix)
			}
			n := runnertest.CountUnder(t, cli, p+"txn/")
			switch {
			case c.kept && n == 0:
				t.Errorf("no keys left under %stxn/ after --keep:\n%s", p, stdout.String())
			case c.kept && !strings.Contains(stdout.String(), "kept (--keep)"):
				t.Errorf("the output does not say the keys were kept:\n%s", stdout.String())
			case !c.kept && n != 0:
				t.Errorf("%d keys left under %stxn/ without --keep", n, p)
			}
		})
	}
}

// TestRunID: --run-id fixes the run's prefix, under --prefix, so that the
// commands on a slide are the ones on screen; a run id whose keys are still
// there (here left by --keep) is refused, before any lesson, with one line
// saying how to remove them, and that command works; without --keep the
// same id runs again and again. A bad id is a usage error.
func TestRunID(t *testing.T) {
	t.Parallel()
	ep := runnertest.Server(t).Endpoint()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{ep}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	const p = "/runid-xyz/alice-1/"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		cli.Delete(ctx, p, clientv3.WithPrefix())
	})
	count := func() int64 {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		resp, err := cli.Get(ctx, p, clientv3.WithPrefix(), clientv3.WithCountOnly())
		if err != nil {
			t.Fatal(err)
		}
		return resp.Count
	}
	argv := []string{"run", "txn", "--prefix", "/runid-xyz/", "--run-id", "alice-1", "--endpoints", ep}
	for i := 0; i < 2; i++ { // the same name twice: the lesson leaves nothing
		var stdout bytes.Buffer
		code, stderr, _ := runWith(context.Background(), nil, &stdout, argv...)
		if code != 0 || !strings.Contains(stdout.String(), "keys under "+p+"\n") || !strings.Contains(stdout.String(), "etcdctl get "+p+"txn/owner") {
			t.Fatalf("run %d: exit %d, stderr %q; want 0 and the keys under %s:\n%s", i+1, code, stderr, p, stdout.String())
		}
	}
	var stdout bytes.Buffer
	if code, stderr, _ := runWith(context.Background(), nil, &stdout, append(argv, "--keep")...); code != 0 || count() == 0 {
		t.Fatalf("--keep: exit %d, stderr %q, %d keys under %s", code, stderr, count(), p)
	}
	stdout.Reset()
	code, stderr, _ := runWith(context.Background(), nil, &stdout, argv...)
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "already exist under "+p) ||
		!strings.Contains(stderr, "pick another --run-id") || !strings.Contains(stderr, "may be another person's run") || stdout.Len() != 0 {
		t.Fatalf("keys left under the run id: exit %d, stderr %q, stdout %q; want 1, one line, nothing run", code, stderr, stdout.String())
	}
	// The command the line gives removes them (etcdctl 3.4, as in CI).
	_, del, _ := strings.Cut(strings.TrimSpace(stderr), "delete them with: ")
	if _, err := exec.LookPath("etcdctl"); err != nil {
		t.Logf("no etcdctl: %s not run", del)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		cli.Delete(ctx, p, clientv3.WithPrefix())
		cancel()
	} else if out, err := exec.Command("sh", "-c", del).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", del, err, out)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d keys under %s after %s", n, p, del)
	}
	if code, stderr, _ := runWith(context.Background(), nil, &stdout, argv...); code != 0 {
		t.Errorf("after the delete: exit %d, stderr %q", code, stderr)
	}
	for _, bad := range []string{"a/b", "-x", ".", "x y", strings.Repeat("a", 65), "名字"} {
		r := inProcess(nil, "run", "install", "--run-id", bad, "--endpoints", ep)
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "--run-id") {
			t.Errorf("--run-id %q: exit %d, stderr %q; want 2 and one line", bad, r.code, r.stderr)
		}
	}
}

// sgr is a Select Graphic Rendition escape: color or bold. (A live line's
// \x1b[K is not one.)
var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// TestColor: on a terminal the output has color, unless NO_COLOR is set,
// TERM is dumb, or --no-color or --color never is given; --color always
// colors a pipe too (for less -R) and wins over NO_COLOR and TERM=dumb.
// --theme, COLORFGBG and a 256-color TERM pick the colors: the etcdctl
// line's color tells which theme ran. (On a pipe there is no color by
// default: TestBinary.)
func TestColor(t *testing.T) {
	t.Parallel()
	ep := runnertest.Server(t).Endpoint()
	const (
		anyBg   = "\x1b[1m"       // the default theme's step heading (16 colors)
		any256  = "\x1b[38;5;98m" // its etcdctl lines, with 256 colors
		dark    = "\x1b[93m"      // the dark theme's etcdctl lines
		light   = "\x1b[35m"      // the light theme's
		noColor = ""
	)
	for _, c := range []struct {
		name string
		env  map[string]string
		argv []string
		pipe bool   // stdout a pipe, not a terminal
		want string // an SGR sequence the output must have; "" for none at all
	}{
		{"terminal", nil, nil, false, anyBg},
		{"NO_COLOR=1", map[string]string{"NO_COLOR": "1"}, nil, false, noColor},
		{"--no-color", nil, []string{"--no-color"}, false, noColor},
		{"--color never", nil, []string{"--color", "never"}, false, noColor},
		{"TERM=dumb", map[string]string{"TERM": "dumb"}, nil, false, noColor},
		{"--color auto on a pipe", nil, []string{"--color", "auto"}, true, noColor},
		{"--color always on a pipe", nil, []string{"--color", "always"}, true, anyBg},
		{"--color always NO_COLOR=1", map[string]string{"NO_COLOR": "1"}, []string{"--color=always"}, false, anyBg},
		{"--color always TERM=dumb", map[string]string{"TERM": "dumb"}, []string{"--color=always"}, false, anyBg},
		{"TERM=xterm-256color", map[string]string{"TERM": "xterm-256color"}, nil, false, any256},
		{"COLORTERM=truecolor", map[string]string{"COLORTERM": "truecolor"}, nil, false, any256},
		{"--theme dark", nil, []string{"--theme", "dark"}, false, dark},
		{"--theme light", nil, []string{"--theme", "light"}, false, light},
		{"COLORFGBG=15;0", map[string]string{"COLORFGBG": "15;0"}, nil, false, dark},
		{"COLORFGBG=0;default;15", map[string]string{"COLORFGBG": "0;default;15"}, nil, false, light},
		{"--theme dark beats COLORFGBG", map[string]string{"COLORFGBG": "0;15"}, []string{"--theme=dark"}, false, dark},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			stdout, s := outputTo(t, c.pipe)
			code, stderr, _ := runWith(context.Background(), c.env, stdout, append(c.argv, "run", "install", "--endpoints", ep)...)
			got := s()
			if code != 0 || !strings.Contains(got, "PASS install") {
				t.Fatalf("exit %d, stderr %q:\n%q", code, stderr, got)
			}
			if c.want == noColor && sgr.MatchString(got) {
				t.Errorf("color codes, want none:\n%q", got)
			}
			if c.want != noColor && !strings.Contains(got, c.want) {
				t.Errorf("no %q in the output:\n%q", c.want, got)
			}
			for _, other := range []string{dark, light, any256} {
				if other != c.want && strings.Contains(got, other) {
					t.Errorf("%q, another theme's color, in the output:\n%q", other, got)
				}
			}
		})
	}
	for _, argv := range [][]string{{"--color", "sometimes"}, {"--theme", "blue"}, {"--no-color", "--color=always"}} {
		if r := inProcess(nil, append(argv, "run", "install")...); r.code != 2 || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and one line", argv, r.code, r.stderr)
		}
	}
}

// outputTo is where a test's run writes: a pipe, or a pseudo-terminal
// (closed when the test ends). s returns what was written, once the run is
// over.
func outputTo(t *testing.T, pipe bool) (stdout io.Writer, s func() string) {
	t.Helper()
	if pipe {
		b := &bytes.Buffer{}
		return b, b.String
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ptmx.Close() })
	out := collectOutput(ptmx)
	return tty, func() string { tty.Close(); <-out.done; return out.String() }
}

// TestRedraws: on a terminal a wait's status line is redrawn in place
// (\r\033[K); with TERM=dumb, which has no such control, or on a pipe even
// with --color always, the wait is one plain line.
func TestRedraws(t *testing.T) {
	t.Parallel()
	ep := runnertest.Server(t).Endpoint()
	for _, c := range []struct {
		name   string
		env    map[string]string
		argv   []string
		pipe   bool
		redraw bool
	}{
		{"terminal", map[string]string{"TERM": "xterm"}, nil, false, true},
		{"TERM=dumb", map[string]string{"TERM": "dumb"}, nil, false, false},
		{"TERM=dumb --color always", map[string]string{"TERM": "dumb"}, []string{"--color", "always"}, false, false},
		{"pipe --color always", nil, []string{"--color", "always"}, true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			stdout, s := outputTo(t, c.pipe)
			code, stderr, _ := runWith(context.Background(), c.env, stdout, append(c.argv, "run", "lease", "--endpoints", ep)...)
			got := s()
			if code != 0 || !strings.Contains(got, "waiting for lease") {
				t.Fatalf("exit %d, stderr %q:\n%q", code, stderr, got)
			}
			if redrawn := strings.Contains(got, "\x1b[K"); redrawn != c.redraw {
				t.Errorf("redrawn: %v, want %v:\n%q", redrawn, c.redraw, got)
			}
		})
	}
}

// gutter is a line of a step's Go code.
var gutter = regexp.MustCompile(`(?m)^     │ `)

// TestNoCode: each step shows its Go code, in a gutter, unless --no-code.
func TestNoCode(t *testing.T) {
	t.Parallel()
	ep := runnertest.Server(t).Endpoint()
	for _, noCode := range []bool{false, true} {
		argv := []string{"run", "put-get", "--endpoints", ep}
		if noCode {
			argv = append(argv, "--no-code")
		}
		t.Run(map[bool]string{false: "default", true: "--no-code"}[noCode], func(t *testing.T) {
			t.Parallel()
			var stdout bytes.Buffer
			code, stderr, _ := runWith(context.Background(), nil, &stdout, argv...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q:\n%s", code, stderr, stdout.String())
			}
			if got := gutter.MatchString(stdout.String()); got == noCode {
				t.Errorf("code shown: %v, with --no-code %v:\n%s", got, noCode, stdout.String())
			}
		})
	}
}

// TestInteractiveFlag: with --interactive the watch lesson waits for the
// learner's own etcdctl writes, saying which to type; the test interrupts
// it there, as a learner's Ctrl-C would. (Playing the learner to the end
// is lessons' TestWatchInteractive.)
func TestInteractiveFlag(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout := &hookWriter{}
	stdout.on("In another terminal", cancel)
	code, stderr, _ := runWith(ctx, nil, stdout, "run", "watch", "--interactive", "--endpoints", runnertest.Server(t).Endpoint())
	if out := stdout.String(); code != exitInterrupted || !strings.Contains(out, "In another terminal") || !strings.Contains(out, "INTERRUPTED watch") {
		t.Errorf("exit %d, stderr %q; want %d after the lesson asked for the learner's writes:\n%s", code, stderr, exitInterrupted, out)
	}
}

// TestServeFlags: serve --listen serves on that URL, and --data-dir keeps
// etcd's data in that dir after it stops; restarted with the same
// --data-dir and no --listen, serve keeps its address and its keys, and
// says so when that address has been taken meanwhile.
func TestServeFlags(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String() // free, once closed
	l.Close()
	dir := filepath.Join(t.TempDir(), "kept-xyz")

	// serve runs serve with argv until fn returns, then interrupts it.
	serve := func(fn func(out string), argv ...string) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		serving := make(chan struct{})
		stdout := &hookWriter{}
		stdout.on("Ctrl-C stops it", func() { close(serving) })
		type exit struct {
			code   int
			stderr string
		}
		done := make(chan exit, 1)
		go func() {
			code, stderr, _ := runWith(ctx, nil, stdout, append([]string{"serve"}, argv...)...)
			done <- exit{code, stderr}
		}()
		select {
		case <-serving:
		case e := <-done:
			t.Fatalf("serve %q exited %d before serving, stderr %q:\n%s", argv, e.code, e.stderr, stdout.String())
		}
		fn(stdout.String())
		cancel() // Ctrl-C
		if e := <-done; e.code != exitInterrupted {
			t.Errorf("serve %q: exit %d after Ctrl-C, want %d, stderr %q", argv, e.code, exitInterrupted, e.stderr)
		}
	}
	client := func() *clientv3.Client {
		cli, err := clientv3.New(clientv3.Config{Endpoints: []string{addr}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
		if err != nil {
			t.Fatal(err)
		}
		return cli
	}

	serve(func(out string) {
		for _, want := range []string{"serving on " + addr + "\n", "data: " + dir + " (kept)"} {
			if !strings.Contains(out, want) {
				t.Errorf("serve output lacks %q:\n%s", want, out)
			}
		}
		cli := client()
		defer cli.Close()
		pctx, pcancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer pcancel()
		if _, err := cli.Put(pctx, "kept", "yes"); err != nil {
			t.Errorf("put to %s, the --listen address: %v", addr, err)
		}
	}, "--data-dir", dir, "--listen", "http://"+addr)
	if _, err := os.Stat(filepath.Join(dir, "data", "member", "snap", "db")); err != nil {
		t.Errorf("etcd's data is not in --data-dir %s after serve stopped: %v", dir, err)
	}

	// Restarted without --listen: the same address, the same keys.
	serve(func(out string) {
		if !strings.Contains(out, "serving on "+addr+"\n") {
			t.Errorf("restarted on --data-dir %s without --listen, serve does not serve on %s, where it was:\n%s", dir, addr, out)
			return
		}
		cli := client()
		defer cli.Close()
		gctx, gcancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer gcancel()
		resp, err := cli.Get(gctx, "kept")
		if err != nil || len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "yes" {
			t.Errorf("after a restart on --data-dir %s, get kept: %v %v, want \"yes\"", dir, resp, err)
		}
	}, "--data-dir", dir)

	// Its address taken meanwhile: one line that says so and names --listen.
	l, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	code, stderr, _ := runWith(context.Background(), nil, io.Discard, "serve", "--data-dir", dir)
	if code != exitFailed || !strings.Contains(stderr, addr) || !strings.Contains(stderr, "--listen") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("serve --data-dir %s with its address %s taken: exit %d, stderr %q; want 1 and one line naming the address and --listen", dir, addr, code, stderr)
	}
}

// TestServeListenStable: serve --listen gives the same address on every
// start, with or without a --data-dir, so that a slide can carry it. Each
// start serves a client at that address, and stops on Ctrl-C.
func TestServeListenStable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String() // free, once closed
	l.Close()
	for start := 1; start <= 2; start++ {
		ctx, cancel := context.WithCancel(context.Background())
		serving := make(chan struct{})
		stdout := &hookWriter{}
		stdout.on("Ctrl-C stops it", func() { close(serving) })
		done := make(chan int, 1)
		var stderr string
		go func() {
			var code int
			code, stderr, _ = runWith(ctx, nil, stdout, "serve", "--listen", "http://"+addr)
			done <- code
		}()
		select {
		case <-serving:
		case code := <-done:
			cancel()
			t.Fatalf("start %d: serve exited %d before serving, stderr %q:\n%s", start, code, stderr, stdout.String())
		}
		for _, want := range []string{"serving on " + addr + "\n", "export ETCDCTL_ENDPOINTS=" + addr + "\n"} {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("start %d: serve output lacks %q:\n%s", start, want, stdout.String())
			}
		}
		cli, err := clientv3.New(clientv3.Config{Endpoints: []string{addr}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
		if err != nil {
			t.Fatal(err)
		}
		pctx, pcancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err = cli.Put(pctx, "stable", "yes")
		pcancel()
		cli.Close()
		if err != nil {
			t.Errorf("start %d: put to %s: %v", start, addr, err)
		}
		cancel() // Ctrl-C
		if code := <-done; code != exitInterrupted {
			t.Errorf("start %d: serve exit %d after Ctrl-C, stderr %q", start, code, stderr)
		}
	}
}

// flagTests names, for each flag and variable that etcdtour --help and
// etcdtour CMD --help list, the tests that fail when its handling is
// removed or mis-wired: "TestX" in this package, "runner.TestX",
// "lessons.TestX" or "i18n.TestX" (runner/i18n) in those.
var flagTests = map[string][]string{
	// run: connection flags, and their ETCDCTL_* variables
	"endpoints":                        {"TestConnFlags", "TestBinary"},
	"ETCDCTL_ENDPOINTS":                {"TestConnFlags", "TestBinary"},
	"dial-timeout":                     {"TestConnFlags"},
	"ETCDCTL_DIAL_TIMEOUT":             {"TestConnFlags", "TestBadInput"},
	"command-timeout":                  {"TestCommandTimeout"},
	"ETCDCTL_COMMAND_TIMEOUT":          {"TestCommandTimeout"},
	"user":                             {"TestConnFlags", "runner.TestAuth"},
	"ETCDCTL_USER":                     {"TestConnFlags"},
	"password":                         {"TestConnFlags", "runner.TestAuth"},
	"ETCDCTL_PASSWORD":                 {"TestConnFlags"},
	"cacert":                           {"TestConnFlags", "runner.TestTLS", "TestBinaryServerHangsUp"},
	"ETCDCTL_CACERT":                   {"TestConnFlags"},
	"cert":                             {"TestConnFlags", "runner.TestTLS"},
	"ETCDCTL_CERT":                     {"TestConnFlags"},
	"key":                              {"TestConnFlags", "runner.TestTLS"},
	"ETCDCTL_KEY":                      {"TestConnFlags"},
	"insecure-skip-tls-verify":         {"TestConnFlags", "runner.TestTLS"},
	"ETCDCTL_INSECURE_SKIP_TLS_VERIFY": {"TestConnFlags"},
	// run: the course's own
	"prefix":      {"TestPrefixAndKeep", "TestRunID", "TestBadInput"},
	"run-id":      {"TestRunID"},
	"keep":        {"TestPrefixAndKeep"},
	"no-color":    {"TestColor"},
	"NO_COLOR":    {"TestColor"},
	"color":       {"TestColor", "TestRedraws"},
	"theme":       {"TestColor", "report.TestThemeContrast"},
	"json":        {"TestJSONOutput"},
	"step":        {"TestStepMode", "TestStepModeLongPauses", "TestStepModeTypeAhead"},
	"interactive": {"TestInteractiveFlag", "lessons.TestWatchInteractive"},
	// the exercises' commands
	"workspace": {"TestExercisesCommands"},
	"force":     {"TestExercisesCommands"},
	"web":       {"TestWebFlags", "TestWebStep", "web.TestBrowser"},
	"open":      {"TestWebFlags"},
	"no-code":   {"TestNoCode"},
	"no-pause":  {"TestPaced", "TestTypedDuringRun"},
	"code":      {"TestPaced", "lessons.TestCourse"},
	// show
	"program": {"TestOwnFlagsTaken"},
	// serve
	"data-dir": {"TestServeFlags"},
	"listen":   {"TestServeFlags", "TestServeListenStable"},
	// every command: the language
	"lang":        {"TestLang", "TestLangHelpAndErrors"},
	"LC_ALL":      {"TestLang", "i18n.TestFromEnv"},
	"LC_MESSAGES": {"i18n.TestFromEnv"},
	"LANG":        {"TestLang", "TestLangHelpAndErrors", "i18n.TestFromEnv", "TestLocaleNotUTF8"},
	"LANGUAGE":    {"i18n.TestFromEnv", "TestLocaleNotUTF8"},
}

// TestEveryFlagHasATest: each flag of each command, each ETCDCTL_*
// variable and NO_COLOR has an entry in flagTests, naming tests that exist;
// and flagTests names nothing that is gone.
func TestEveryFlagHasATest(t *testing.T) {
	t.Parallel()
	// --lang and the locale variables are read before any command's flags.
	want := map[string]bool{"NO_COLOR": true, "lang": true, "LC_ALL": true, "LC_MESSAGES": true, "LANG": true, "LANGUAGE": true}
	for _, f := range allFlags() {
		want[f.Name] = true
	}
	for _, name := range etcdctlFlags {
		want[envName(name)] = true
	}
	for name := range want {
		if len(flagTests[name]) == 0 {
			t.Errorf("%s: no test named in flagTests: add one that fails when its handling breaks", name)
		}
	}
	funcs := map[string]bool{}
	for pkg, dir := range map[string]string{"": "runner/cli", "runner.": "runner", "lessons.": "lessons", "i18n.": "runner/i18n", "report.": "runner/report", "web.": "runner/web"} {
		files, err := filepath.Glob(filepath.Join(root, dir, "*_test.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range regexp.MustCompile(`(?m)^func (Test\w+)\(t \*testing\.T\)`).FindAllSubmatch(src, -1) {
				funcs[pkg+string(m[1])] = true
			}
		}
	}
	for name, tests := range flagTests {
		if !want[name] {
			t.Errorf("flagTests has %s, which is no flag or variable of etcdtour", name)
		}
		for _, test := range tests {
			if !funcs[test] {
				t.Errorf("flagTests: %s names %s, which does not exist", name, test)
			}
		}
	}
}
