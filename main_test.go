package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

var (
	binDir    string
	buildOnce sync.Once
	buildErr  error
)

func TestMain(m *testing.M) {
	var err error
	if binDir, err = os.MkdirTemp("", "etcdtour-test-bin-"); err != nil {
		panic(err)
	}
	code := 0
	func() {
		defer os.RemoveAll(binDir)
		code = m.Run()
		if code == 0 {
			if err := goleak.Find(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				code = 1
			}
		}
	}()
	os.Exit(code)
}

// buildBinary builds etcdtour once for all tests.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(binDir, "etcdtour")
	buildOnce.Do(func() {
		out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return bin
}

type result struct {
	code           int
	stdout, stderr string
}

// runBinary runs the binary with a generous limit: a hang fails the test
// with a message instead of stalling the suite.
func runBinary(t *testing.T, bin string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("etcdtour %q hung", args)
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, stdout.String(), stderr.String()}
}

var logLine = regexp.MustCompile(`(?m)^\s*\{"level"|"caller"|"msg":|^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d|^\[?(WARNING|INFO|ERROR)|\] grpc:|^grpc:`)

func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)

	t.Run("whole course while 2379 is taken", func(t *testing.T) {
		// Hold the default etcd ports if they are free, so the embedded
		// server must pick its own. If something else holds them, even better.
		for _, addr := range []string{"127.0.0.1:2379", "127.0.0.1:2380"} {
			if l, err := net.Listen("tcp", addr); err == nil {
				defer l.Close()
			}
		}
		r := runBinary(t, bin, []string{"NO_COLOR="}) // stdout is a pipe: no color anyway
		if r.code != 0 {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
		}
		for _, id := range []string{"install", "put-get", "watch", "lease", "keepalive", "lock"} {
			if !strings.Contains(r.stdout, "PASS "+id+" ") {
				t.Errorf("no PASS line for %s", id)
			}
		}
		if !strings.Contains(r.stdout, "6 passed, 0 failed") {
			t.Errorf("summary missing:\n%s", r.stdout)
		}
		if logLine.MatchString(r.stdout) || logLine.MatchString(r.stderr) || r.stderr != "" {
			t.Errorf("log lines reached the terminal:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout, "\x1b[") {
			t.Errorf("color codes written to a pipe")
		}
	})

	t.Run("run one lesson", func(t *testing.T) {
		r := runBinary(t, bin, nil, "run", "lock")
		if r.code != 0 || !strings.Contains(r.stdout, "PASS lock") || strings.Contains(r.stdout, "put-get") {
			t.Errorf("run lock: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})

	t.Run("unknown lesson", func(t *testing.T) {
		r := runBinary(t, bin, nil, "run", "nope")
		if r.code != 2 || !strings.Contains(r.stderr, `unknown lesson "nope"`) ||
			!strings.Contains(r.stderr, "install, put-get, watch, lease, keepalive, lock") {
			t.Errorf("run nope: exit %d, stderr %q", r.code, r.stderr)
		}
		if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("want a one-line error, got %q", r.stderr)
		}
	})

	t.Run("unreachable endpoint", func(t *testing.T) {
		r := runBinary(t, bin, nil, "--endpoints", "127.0.0.1:1", "--dial-timeout", "1s")
		if r.code != 1 || !strings.Contains(r.stderr, "127.0.0.1:1") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("exit %d, stderr %q; want 1 and one line naming 127.0.0.1:1", r.code, r.stderr)
		}
	})

	t.Run("endpoint from ETCDCTL_ENDPOINTS", func(t *testing.T) {
		r := runBinary(t, bin, []string{"ETCDCTL_ENDPOINTS=127.0.0.1:1", "ETCDCTL_DIAL_TIMEOUT=1s"}, "run", "install")
		if r.code != 1 || !strings.Contains(r.stderr, "127.0.0.1:1") {
			t.Errorf("exit %d, stderr %q; want 1 naming 127.0.0.1:1", r.code, r.stderr)
		}
	})

	t.Run("usage errors", func(t *testing.T) {
		for _, args := range [][]string{{"--bogus"}, {"frobnicate"}, {"list", "extra"}, {"--prefix", "/no-slash"}, {"run", "0"}} {
			r := runBinary(t, bin, nil, args...)
			if r.code != 2 || r.stderr == "" || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("%q: exit %d, stderr %q; want 2 and one line", args, r.code, r.stderr)
			}
		}
		r := runBinary(t, bin, []string{"ETCDCTL_ENDPOINTS=127.0.0.1:1"}, "--endpoints", "127.0.0.1:2")
		if r.code != 2 || !strings.Contains(r.stderr, "ETCDCTL_ENDPOINTS") {
			t.Errorf("flag and variable both set: exit %d, stderr %q", r.code, r.stderr)
		}
	})

	t.Run("list and help", func(t *testing.T) {
		r := runBinary(t, bin, nil, "list")
		if r.code != 0 || !strings.Contains(r.stdout, " 6. lock") {
			t.Errorf("list: exit %d\n%s", r.code, r.stdout)
		}
		r = runBinary(t, bin, nil, "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "Examples:") || !strings.Contains(r.stdout, "--endpoints") {
			t.Errorf("--help: exit %d\n%s", r.code, r.stdout)
		}
	})
}

// TestBadInput: each bad flag value or variable gets one line and exit 2,
// before anything starts.
func TestBadInput(t *testing.T) {
	bin := buildBinary(t)
	for _, c := range []struct {
		env  []string
		args []string
		want string
	}{
		{nil, []string{"--dial-timeout", "-1s"}, "--dial-timeout -1s: want a positive duration"},
		{nil, []string{"--command-timeout", "0"}, "--command-timeout 0s: want a positive duration"},
		{[]string{"ETCDCTL_DIAL_TIMEOUT=0s"}, nil, "ETCDCTL_DIAL_TIMEOUT=0s: want a positive duration"},
		{nil, []string{"--dial-timeout", "abc"}, `invalid value "abc" for flag --dial-timeout: parse error: want a duration such as 5s`},
		{nil, []string{"--bogus"}, "flag provided but not defined: --bogus"},
		{nil, []string{"serve", "--listen", "https://127.0.0.1:2379"}, "is not a plain-http client URL"},
		{nil, []string{"run", "4-2"}, `lesson range "4-2" is backwards: write 2-4`},
	} {
		r := runBinary(t, bin, c.env, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%v %q: exit %d, stderr %q; want 2 and one line with %q", c.env, c.args, r.code, r.stderr, c.want)
		}
	}
}

// TestOutputError: output that cannot be written fails the run (exit 1)
// with one line on stderr, instead of passing unseen.
func TestOutputError(t *testing.T) {
	bin := buildBinary(t)
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full here: %v", err)
	}
	defer full.Close()
	for _, args := range [][]string{{"run", "install"}, {"--json", "run", "install"}, {"list"}, {"show", "lock"}, {"--help"}} {
		cmd := exec.Command(bin, args...)
		cmd.Stdout = full
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(stderr.String(), "writing the output") {
			t.Errorf("%q > /dev/full: exit %d (%v), stderr %q; want 1 and a line about the output", args, code, err, stderr.String())
		}
	}
}

// TestServeIgnoresEtcdctlEndpoints: the course tells learners to export
// ETCDCTL_ENDPOINTS for etcdctl; serve is the server and ignores it, while
// --endpoints given to serve is a usage error.
func TestServeIgnoresEtcdctlEndpoints(t *testing.T) {
	bin := buildBinary(t)
	if r := runBinary(t, bin, nil, "serve", "--endpoints", "127.0.0.1:2379"); r.code != 2 || !strings.Contains(r.stderr, "drop --endpoints") {
		t.Errorf("serve --endpoints: exit %d, stderr %q", r.code, r.stderr)
	}
	p := startBinary(t, bin, []string{"ETCDCTL_ENDPOINTS=127.0.0.1:1"}, "serve")
	cmd, out := p.cmd, p.out
	out.waitFor(t, "is serving on", 1)
	cmd.Process.Signal(os.Interrupt)
	if code := wait(t, cmd); code != 0 {
		t.Errorf("serve with ETCDCTL_ENDPOINTS set: exit %d, want 0 after Ctrl-C", code)
	}
	<-out.done
}
