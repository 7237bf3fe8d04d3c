package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"etcdtour/lessons"
	"etcdtour/runner"
	"etcdtour/runner/i18n"
	"etcdtour/runner/report"
	"etcdtour/runner/runnertest"
)

// root is the module's root, seen from this package's directory, where
// go test runs its tests.
const root = "../.."

var (
	binDir    string
	buildOnce sync.Once
	buildErr  error
)

// TestMain runs the tests as runnertest.Main does: more of them at once than
// GOMAXPROCS (they wait on the binary and on etcd's timers, not on the
// CPU), the shared embedded etcd (runnertest.Server) closed at the end, and
// no goroutine left behind. The binary the tests build goes with its dir.
func TestMain(m *testing.M) {
	// The binary's messages are English unless a test asks for Chinese,
	// whatever the locale of the terminal the tests run in.
	runnertest.PinLocale()
	var err error
	if binDir, err = os.MkdirTemp("", "etcdtour-test-bin-"); err != nil {
		panic(err)
	}
	code := runnertest.Main(m)
	os.RemoveAll(binDir)
	os.Exit(code)
}

// buildBinary builds etcdtour once for all tests.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(binDir, "etcdtour")
	buildOnce.Do(func() {
		// No symbol table or DWARF: every test waits for this link.
		out, err := exec.Command("go", "build", "-ldflags=-s -w", "-o", bin, "etcdtour").CombinedOutput()
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
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)

	// The whole course runs once in this package, in TestJSONOutput; here a
	// console run of two lessons.
	t.Run("console run while 2379 is taken", func(t *testing.T) {
		t.Parallel()
		// Hold the default etcd ports if they are free, so the embedded
		// server must pick its own. If something else holds them, even better.
		for _, addr := range []string{"127.0.0.1:2379", "127.0.0.1:2380"} {
			if l, err := net.Listen("tcp", addr); err == nil {
				defer l.Close()
			}
		}
		two := []runner.Lesson{lessons.Course[1], lessons.Course[len(lessons.Course)-1]}
		r := runBinary(t, bin, []string{"NO_COLOR="}, "run", two[0].ID, two[1].ID) // stdout is a pipe: no color anyway
		if r.code != 0 {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
		}
		for _, l := range two {
			if !strings.Contains(r.stdout, "PASS "+l.ID+" ") {
				t.Errorf("no PASS line for %s", l.ID)
			}
		}
		if !strings.Contains(r.stdout, "2 passed, 0 failed") {
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
		t.Parallel()
		r := runBinary(t, bin, nil, "run", "lock")
		if r.code != 0 || !strings.Contains(r.stdout, "PASS lock") || strings.Contains(r.stdout, "put-get") {
			t.Errorf("run lock: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})

	t.Run("unknown lesson", func(t *testing.T) {
		t.Parallel()
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
		t.Parallel()
		r := runBinary(t, bin, nil, "--endpoints", "127.0.0.1:1", "--dial-timeout", "1s")
		if r.code != 1 || !strings.Contains(r.stderr, "127.0.0.1:1") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("exit %d, stderr %q; want 1 and one line naming 127.0.0.1:1", r.code, r.stderr)
		}
	})

	t.Run("endpoint from ETCDCTL_ENDPOINTS", func(t *testing.T) {
		t.Parallel()
		r := runBinary(t, bin, []string{"ETCDCTL_ENDPOINTS=127.0.0.1:1", "ETCDCTL_DIAL_TIMEOUT=1s"}, "run", "install")
		if r.code != 1 || !strings.Contains(r.stderr, "127.0.0.1:1") {
			t.Errorf("exit %d, stderr %q; want 1 naming 127.0.0.1:1", r.code, r.stderr)
		}
	})

	t.Run("usage errors", func(t *testing.T) {
		t.Parallel()
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
		t.Parallel()
		r := runBinary(t, bin, nil, "list")
		if r.code != 0 || !strings.Contains(r.stdout, " 6. lock") {
			t.Errorf("list: exit %d\n%s", r.code, r.stdout)
		}
		// The titles are one column, whatever the longest ID.
		col := -1
		for i, l := range lessons.Course {
			line := strings.Split(r.stdout, "\n")[i]
			at := strings.Index(line, l.Title)
			if col < 0 {
				col = at
			}
			if at < 0 || at != col {
				t.Errorf("list: %q has its title at column %d, the first line at %d\n%s", line, at, col, r.stdout)
			}
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
	t.Parallel()
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
		{[]string{"ETCDCTL_DIAL_TIMEOUT=abc"}, nil, `invalid value "abc" for ETCDCTL_DIAL_TIMEOUT: parse error: want a duration such as 5s`},
		{nil, []string{"--prefix", "/a\nb/"}, `--prefix "/a\nb/" has a control character (U+000A)`},
		{nil, []string{"--prefix", "/a\x1b[31mb/"}, `--prefix "/a\x1b[31mb/" has a control character (U+001B)`},
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
	t.Parallel()
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
	t.Parallel()
	bin := buildBinary(t)
	if r := runBinary(t, bin, nil, "serve", "--endpoints", "127.0.0.1:2379"); r.code != 2 || !strings.Contains(r.stderr, "drop --endpoints") {
		t.Errorf("serve --endpoints: exit %d, stderr %q", r.code, r.stderr)
	}
	p := startBinary(t, bin, []string{"ETCDCTL_ENDPOINTS=127.0.0.1:1"}, "serve")
	cmd, out := p.cmd, p.out
	out.waitFor(t, "is serving on", 1)
	cmd.Process.Signal(os.Interrupt)
	if code := wait(t, cmd); code != exitInterrupted {
		t.Errorf("serve with ETCDCTL_ENDPOINTS set: exit %d, want %d after Ctrl-C", code, exitInterrupted)
	}
	<-out.done
}

// inProcess runs etcdtour's run with argv and no ETCDCTL_* variables except
// those in env: no binary, no server unless argv asks for one. The cases
// here should end at once; one that starts serve by mistake is interrupted
// after 20 s, as by Ctrl-C, instead of hanging the suite.
func inProcess(env map[string]string, argv ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	// The course's go.mod and go.sum, which main embeds.
	mod, _ := os.ReadFile(filepath.Join(root, "go.mod"))
	sum, _ := os.ReadFile(filepath.Join(root, "go.sum"))
	code := run(ctx, argv, strings.NewReader(""), &stdout, &stderr,
		func(k string) string { return env[k] }, &Abort{}, mod, sum)
	return result{code, stdout.String(), stderr.String()}
}

// ownFlags is each command's flags, by name.
func ownFlags() map[string][]*flag.Flag {
	own := map[string][]*flag.Flag{}
	for _, c := range commands {
		newFlagSetOf(c).VisitAll(func(f *flag.Flag) { own[c.name] = append(own[c.name], f) })
	}
	return own
}

// allFlags is every command's flags, each name once.
func allFlags() []*flag.Flag {
	var all []*flag.Flag
	seen := map[string]bool{}
	for _, c := range commands {
		newFlagSetOf(c).VisitAll(func(f *flag.Flag) {
			if !seen[f.Name] {
				seen[f.Name] = true
				all = append(all, f)
			}
		})
	}
	return all
}

// flagArgs is --name, with a value that parses unless it is a bool flag.
func flagArgs(f *flag.Flag) []string {
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return []string{"--" + f.Name}
	}
	if _, ok := f.Value.(interface{ Get() any }).Get().(time.Duration); ok {
		return []string{"--" + f.Name, "1s"}
	}
	return []string{"--" + f.Name, "x/"}
}

// TestForeignFlags: a flag that a command does not take is a usage error,
// before or after the command, with one line naming the flag and the
// command, and nothing started.
func TestForeignFlags(t *testing.T) {
	t.Parallel()
	own := ownFlags()
	takes := func(c, name string) bool {
		return slices.ContainsFunc(own[c], func(f *flag.Flag) bool { return f.Name == name })
	}
	type tc struct {
		argv       []string
		flag, cmd  string
		wantInLine string
	}
	var cases []tc
	for _, c := range append(slices.Clone(commands), &command{name: "help"}) {
		for _, f := range allFlags() {
			if takes(c.name, f.Name) {
				continue
			}
			a := flagArgs(f)
			cases = append(cases,
				tc{argv: append([]string{c.name}, a...), flag: f.Name, cmd: c.name},
				tc{argv: append(slices.Clone(a), c.name), flag: f.Name, cmd: c.name})
			if c.name == "run" { // run is the default command
				cases = append(cases, tc{argv: a, flag: f.Name, cmd: "run", wantInLine: "the default command"})
			}
		}
	}
	// The ones the issue named, and serve's own reasons.
	cases = append(cases,
		tc{argv: []string{"--json", "list"}, flag: "json", cmd: "list"},
		tc{argv: []string{"serve", "--keep"}, flag: "keep", cmd: "serve", wantInLine: "--data-dir"},
		tc{argv: []string{"serve", "--endpoints", "127.0.0.1:2379"}, flag: "endpoints", cmd: "serve", wantInLine: "drop --endpoints"},
		tc{argv: []string{"show", "lock", "--json"}, flag: "json", cmd: "show"},
		tc{argv: []string{"run", "lock", "--program"}, flag: "program", cmd: "run"},
		tc{argv: []string{"run", "--data-dir", "/tmp/x"}, flag: "data-dir", cmd: "run", wantInLine: "only serve takes it"},
	)
	for _, c := range cases {
		t.Run(strings.Join(c.argv, " "), func(t *testing.T) {
			t.Parallel()
			r := inProcess(nil, c.argv...)
			want := fmt.Sprintf("--%s is not a flag of %q", c.flag, c.cmd)
			see := "(see etcdtour " + c.cmd + " --help)"
			if c.cmd == "help" {
				see = "etcdtour --help"
			}
			if r.code != 2 || !strings.HasPrefix(r.stderr, "etcdtour: "+want) ||
				!strings.Contains(r.stderr, see[5:]) || !strings.Contains(r.stderr, c.wantInLine) ||
				strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want 2 and one line: %s ... %s %s",
					r.code, r.stderr, r.stdout, want, c.wantInLine, see)
			}
		})
	}
}

// TestCommandHelp: each command's --help (and help COMMAND, and --help
// before the command) prints its usage line, what it does and its own flags
// only, within 80 columns, exit 0; etcdtour --help and etcdtour help print
// the overview.
func TestCommandHelp(t *testing.T) {
	t.Parallel()
	own := ownFlags()
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := inProcess(nil, c.name, "--help")
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("%s --help: exit %d, stderr %q", c.name, r.code, r.stderr)
			}
			for _, argv := range [][]string{{c.name, "-h"}, {"help", c.name}, {"--help", c.name}, {c.name, "lock", "--help"}} {
				if o := inProcess(nil, argv...); o.code != 0 || o.stdout != r.stdout {
					t.Errorf("%q: exit %d, output differs from %s --help:\n%s%s", argv, o.code, c.name, o.stdout, o.stderr)
				}
			}
			if !strings.HasPrefix(r.stdout, "Usage: etcdtour "+c.name) || !strings.Contains(r.stdout, c.long) {
				t.Errorf("%s --help lacks its usage line or description:\n%s", c.name, r.stdout)
			}
			for _, f := range allFlags() {
				mentioned := regexp.MustCompile(`--` + f.Name + `\b`).MatchString(r.stdout)
				mine := slices.ContainsFunc(own[c.name], func(g *flag.Flag) bool { return g.Name == f.Name })
				if mine && !regexp.MustCompile(`(?m)^  --`+f.Name+`\b`).MatchString(r.stdout) {
					t.Errorf("%s --help does not list its flag --%s:\n%s", c.name, f.Name, r.stdout)
				}
				if !mine && mentioned {
					t.Errorf("%s --help mentions --%s, another command's flag:\n%s", c.name, f.Name, r.stdout)
				}
			}
			within80(t, c.name+" --help", r.stdout)
		})
	}
	for _, want := range []struct{ cmd, flag string }{{"run", "--no-code"}, {"show", "--program"}} {
		if r := inProcess(nil, want.cmd, "--help"); !strings.Contains(r.stdout, want.flag) {
			t.Errorf("%s --help does not mention %s:\n%s", want.cmd, want.flag, r.stdout)
		}
	}

	r := inProcess(nil, "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "Commands:") || !strings.Contains(r.stdout, "Examples:") {
		t.Errorf("--help: exit %d\n%s", r.code, r.stdout)
	}
	for _, c := range commands {
		if !strings.Contains(r.stdout, "\n  "+c.name) {
			t.Errorf("--help does not list %s:\n%s", c.name, r.stdout)
		}
	}
	within80(t, "--help", r.stdout)
	// The Chinese help fits too, on a terminal that draws → and “ two
	// columns wide (i18n.Lang.Width).
	for _, argv := range append([][]string{{"--help"}}, func() (out [][]string) {
		for _, c := range commands {
			out = append(out, []string{c.name, "--help"})
		}
		return out
	}()...) {
		zh := inProcess(nil, append([]string{"--lang", "zh"}, argv...)...)
		for _, line := range strings.Split(zh.stdout, "\n") {
			if n := i18n.Chinese.Width(line); n > 80 {
				t.Errorf("--lang zh %s: a line of %d columns: %q", strings.Join(argv, " "), n, line)
			}
		}
	}
	// One 24-row screen, with the shell's prompt below it.
	if n := strings.Count(r.stdout, "\n"); n > 23 {
		t.Errorf("--help is %d lines, more than 23: it must fit one 24-row screen (the rest goes in a command's help):\n%s", n, r.stdout)
	}
	for _, argv := range [][]string{{"help"}, {"-h"}, {"help", "help"}, {"help", "--help"}, {"--json", "--help"}} {
		if o := inProcess(nil, argv...); o.code != 0 || o.stdout != r.stdout {
			t.Errorf("%q: exit %d, not the overview:\n%s%s", argv, o.code, o.stdout, o.stderr)
		}
	}
	for _, argv := range [][]string{{"help", "nope"}, {"help", "run", "show"}, {"nope", "--help"}} {
		if o := inProcess(nil, argv...); o.code != 2 || strings.Count(o.stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and one line", argv, o.code, o.stderr)
		}
	}
}

// within80 fails t for each line of s wider than 80 display columns (a
// Chinese character is two).
func within80(t *testing.T, what, s string) {
	t.Helper()
	for _, line := range strings.Split(s, "\n") {
		if n := i18n.Width(line); n > 80 {
			t.Errorf("%s: a line of %d columns: %q", what, n, line)
		}
	}
}

// TestOwnFlagsTaken: each command takes its own flags before or after the
// command and its arguments, and only run reads ETCDCTL_* variables. The
// cases stop at a usage error that comes after the flags are accepted, so
// nothing starts.
func TestOwnFlagsTaken(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		env  map[string]string
		argv []string
		code int
		want string // in stderr, or in stdout when code is 0
	}{
		{nil, []string{"run", "install", "--step", "--json"}, 2, "--step and --json do not go together"},
		{nil, []string{"--step", "--json", "run", "install"}, 2, "--step and --json do not go together"},
		{nil, []string{"--json", "run", "--step"}, 2, "--step and --json do not go together"},
		{nil, []string{"--keep", "run", "lock"}, 2, "--keep needs --endpoints"},
		{nil, []string{"run", "lock", "--prefix", "no-slash"}, 2, `--prefix "no-slash" must end in "/"`},
		{nil, []string{"--no-code", "--no-color", "--interactive", "run", "4-2"}, 2, `lesson range "4-2" is backwards`},
		{nil, []string{"run", "--dial-timeout", "0"}, 2, "--dial-timeout 0s: want a positive duration"},
		{map[string]string{"ETCDCTL_DIAL_TIMEOUT": "0s"}, []string{"run"}, 2, "ETCDCTL_DIAL_TIMEOUT=0s"},
		{map[string]string{"ETCDCTL_ENDPOINTS": "a:1"}, []string{"--endpoints", "b:2"}, 2, "both ETCDCTL_ENDPOINTS and --endpoints are set"},
		{nil, []string{"serve", "--listen", "https://127.0.0.1:2379"}, 2, "is not a plain-http client URL"},
		{nil, []string{"--listen", "https://127.0.0.1:2379", "serve"}, 2, "is not a plain-http client URL"},
		{nil, []string{"show", "nope", "--program"}, 2, `unknown lesson "nope"`},
		{nil, []string{"--program", "show", "lock"}, 0, "package main"},
		// ETCDCTL_* variables, even bad ones, are run's alone.
		{map[string]string{"ETCDCTL_ENDPOINTS": "127.0.0.1:1", "ETCDCTL_DIAL_TIMEOUT": "abc"}, []string{"list"}, 0, " 6. lock"},
		{map[string]string{"ETCDCTL_DIAL_TIMEOUT": "abc"}, []string{"show", "lock"}, 0, "func"},
		{map[string]string{"ETCDCTL_ENDPOINTS": "127.0.0.1:1"}, []string{"serve", "extra"}, 2, "serve takes no arguments"},
	} {
		t.Run(strings.Join(c.argv, " "), func(t *testing.T) {
			t.Parallel()
			r := inProcess(c.env, c.argv...)
			got := r.stderr
			if c.code == 0 {
				got = r.stdout
			}
			if r.code != c.code || !strings.Contains(got, c.want) {
				t.Errorf("%v %q: exit %d, stdout %.200q, stderr %q; want %d and %q", c.env, c.argv, r.code, r.stdout, r.stderr, c.code, c.want)
			}
		})
	}
}

// TestCommandFlagsAgree: a flag two commands share has one meaning: the
// parser binds both to the first one's value.
func TestCommandFlagsAgree(t *testing.T) {
	t.Parallel()
	first := map[string]*flag.Flag{}
	for _, c := range commands {
		newFlagSetOf(c).VisitAll(func(f *flag.Flag) {
			if g, ok := first[f.Name]; ok && (g.Usage != f.Usage || g.DefValue != f.DefValue ||
				fmt.Sprintf("%T", g.Value) != fmt.Sprintf("%T", f.Value)) {
				t.Errorf("--%s differs between commands: %q %q vs %q %q", f.Name, g.Usage, g.DefValue, f.Usage, f.DefValue)
			}
			first[f.Name] = f
		})
		if c.why != nil {
			for name := range c.why {
				if _, ok := first[name]; ok && newFlagSetOf(c).Lookup(name) != nil {
					t.Errorf("%s says why it has no --%s, but has it", c.name, name)
				}
			}
		}
	}
}

// stepPrompt is the line the console shows before step of lesson under
// --step: ctx has ended, so Pause quits as soon as the prompt is shown.
func stepPrompt(t *testing.T, lang i18n.Lang, lesson string, step int, title string) string {
	var b strings.Builder
	con := report.NewConsole(&b, false)
	con.Lang = lang
	keys, typed := io.Pipe()
	defer typed.Close() // the console's reader of keys ends
	con.StepKeys(context.Background(), keys, nil)
	con.Stepper = true
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if con.Pause(ctx, lesson, step, title) {
		t.Errorf("Pause after ctx ended: true, want false (quit)")
	}
	line := ""
	for _, l := range runnertest.Screen(b.String()) {
		if l != "" {
			line = l
		}
	}
	return line
}

// TestStepPrompt: the --step prompt fits the terminal's width (80 columns
// when it is not known) with the cursor after
// it, for every lesson, in English and in Chinese, with a long title cut
// with "…", in English or in Chinese (two columns a character).
func TestStepPrompt(t *testing.T) {
	t.Parallel()
	for _, lang := range []i18n.Lang{i18n.English, speak(i18n.Chinese)} {
		for _, l := range lessons.Course {
			for _, title := range []string{"Get it back", strings.Repeat("Overwrite it, asking for the previous value ", 2), strings.Repeat("覆盖它并取回旧值", 5)} {
				line := stepPrompt(t, lang, l.ID, 12, title)
				if w := lang.Width(line); w > report.Columns-1 {
					t.Errorf("a prompt of %d columns, want at most %d (and the cursor): %q", w, report.Columns-1, line)
				}
				head, keys := "  ⏸ "+lang.Msg("%s %d: ", l.ID, 12), lang.Msg(" · Enter runs it, q quits, ? keys ")
				if lang.Tag() == i18n.Chinese.Tag() && head != "  ⏸ "+l.ID+" 第 12 步：" {
					t.Errorf("the Chinese prompt's head is %q, want %q", head, "  ⏸ "+l.ID+" 第 12 步：")
				}
				shown := strings.TrimSuffix(strings.TrimPrefix(line, head), keys)
				if !strings.HasPrefix(line, head) || !strings.HasSuffix(line, keys) || shown == "" ||
					shown != title && (!strings.HasSuffix(shown, "…") || !strings.HasPrefix(title, strings.TrimSuffix(shown, "…"))) {
					t.Errorf("prompt %q for %q: want the lesson, the step, the title (cut with …) and the keys", line, title)
				}
			}
		}
	}
}
