// Command etcdtour teaches the etcd v3 Go client by running lessons against
// a real etcd server and narrating what happens.
//
// main holds only the command line: it parses flags, picks the server,
// hands a runner.Config to the runner, and maps the outcome to an exit code
// (0 ok, 1 failure, 2 usage, 130 interrupted).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/mattn/go-isatty"
	"google.golang.org/grpc/grpclog"

	"etcdtour/lessons"
	"etcdtour/runner"
)

const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130
)

func main() {
	// grpc logs connection trouble to stderr by itself; the runner reports
	// what matters in one line instead.
	grpclog.SetLoggerV2(grpclog.NewLoggerV2(io.Discard, io.Discard, io.Discard))

	ctx, stop := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	// SIGHUP too: a closed terminal or tmux pane must still clean up.
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	// A closed stdout ("etcdtour | head") must not kill the process before
	// it has stopped its server and removed its temp dir. With SIGPIPE
	// ignored the write fails with EPIPE instead, and stdout below stops the
	// run. (signal.Notify would be no good: it also hears the SIGPIPEs of
	// sockets that a server closed, and would stop the run for those.)
	signal.Ignore(syscall.SIGPIPE)
	stdout := &stopOnEPIPE{f: os.Stdout, stop: stop}
	abort := &abortList{}
	go func() {
		<-sigs
		stop() // first Ctrl-C: interrupt the lesson, clean up, summarize
		<-sigs
		fmt.Fprintln(os.Stderr, "\netcdtour: interrupted again, exiting now without the lessons' clean-up")
		abort.run()
		os.Exit(exitInterrupted)
	}()
	code := run(ctx, os.Args[1:], os.Stdin, stdout, os.Stderr, os.Getenv, abort)
	stop()
	os.Exit(code)
}

// stopOnEPIPE is stdout that stops the run once it cannot be written: its
// reader has gone (EPIPE, an interrupt), or the disk is full (a failure,
// which the command reports). (It does not embed *os.File: io.WriteString
// would call the file's WriteString and go around Write.)
type stopOnEPIPE struct {
	f    *os.File
	stop func()
}

func (w *stopOnEPIPE) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		w.stop() // no one sees the run any more
	}
	return n, err
}

// Fd lets isTerminal see the file.
func (w *stopOnEPIPE) Fd() uintptr { return w.f.Fd() }

// abortList holds what must still happen when a second Ctrl-C ends the
// process at once: the embedded etcd's temp dir goes, and a user's cluster
// gets a line saying where keys may remain.
type abortList struct {
	mu  sync.Mutex
	fns []func()
}

func (a *abortList) add(f func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fns = append(a.fns, f)
}

func (a *abortList) run() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, f := range a.fns {
		f()
	}
}

// A command is one of etcdtour's subcommands; help is generated from the table.
type command struct {
	name, args, short string
	run               func(ctx context.Context, o *options, args []string) int
}

var commands = []command{
	{"list", "", "list the lessons", cmdList},
	{"run", "ID|N|N-M ...", "run the chosen lessons, in course order", cmdRun},
	{"show", "ID|N", "print a lesson's Go source, as built into this binary", cmdShow},
	{"serve", "", "start the embedded etcd alone, for etcdctl and other runs", cmdServe},
}

// options are the parsed flags and where output goes.
type options struct {
	conn                   runner.Conn
	endpoints              string
	prefix                 string
	keep, noColor, jsonOut bool
	step, interactive      bool
	program, noCode        bool
	dataDir, listen        string

	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	abort          *abortList
	envSet         map[string]bool // the flags set from ETCDCTL_* variables
}

func (o *options) usageErr(format string, args ...any) int {
	fmt.Fprintf(o.stderr, "etcdtour: "+format+"\n", args...)
	return exitUsage
}

func (o *options) fail(err error) int {
	fmt.Fprintf(o.stderr, "etcdtour: %v\n", err)
	return exitFailed
}

// etcdctlFlags are the connection flags shared with etcdctl; each can also be
// set by its ETCDCTL_* variable.
var etcdctlFlags = []string{"endpoints", "dial-timeout", "command-timeout", "user", "password",
	"cacert", "cert", "key", "insecure-skip-tls-verify"}

func newFlagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("etcdtour", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.endpoints, "endpoints", "", "run against this etcd (host:port[,...]) instead of an embedded one")
	fs.DurationVar(&o.conn.DialTimeout, "dial-timeout", 5*time.Second, "give up reaching etcd after this long")
	fs.DurationVar(&o.conn.CommandTimeout, "command-timeout", 5*time.Second, "timeout of each request")
	fs.StringVar(&o.conn.User, "user", "", "user name, or name:password, for an etcd with auth")
	fs.StringVar(&o.conn.Password, "password", "", "password of --user")
	fs.StringVar(&o.conn.CACert, "cacert", "", "verify the server with this CA bundle")
	fs.StringVar(&o.conn.Cert, "cert", "", "client certificate file")
	fs.StringVar(&o.conn.Key, "key", "", "client key file")
	fs.BoolVar(&o.conn.InsecureSkipVerify, "insecure-skip-tls-verify", false, "do not verify the server's certificate")
	fs.StringVar(&o.prefix, "prefix", runner.DefaultPrefix, "keep every key under this prefix (must end in /)")
	fs.BoolVar(&o.keep, "keep", false, "leave each lesson's keys in place for inspection")
	fs.BoolVar(&o.noColor, "no-color", false, "no color (also NO_COLOR=1, or when stdout is not a terminal)")
	fs.BoolVar(&o.jsonOut, "json", false, "write one JSON object per line for every event (see docs/json.md)")
	fs.BoolVar(&o.step, "step", false, "pause before each step: Enter continues, q quits (needs a terminal)")
	fs.BoolVar(&o.interactive, "interactive", false, "the watch lesson waits for your own etcdctl writes")
	fs.BoolVar(&o.noCode, "no-code", false, "do not show each step's Go code (for presenters who show it beside the run)")
	fs.BoolVar(&o.program, "program", false, "show: print the lesson as a standalone program (package main)")
	fs.StringVar(&o.dataDir, "data-dir", "", "serve: keep etcd's data in this directory across restarts")
	fs.StringVar(&o.listen, "listen", "", "serve: client URL to listen on, such as http://127.0.0.1:2379")
	return fs
}

func usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, `etcdtour teaches the etcd v3 Go client (go.etcd.io/etcd/client/v3) by running
lessons against a real etcd and narrating each call, its etcdctl equivalent and
its result. With no --endpoints it starts an embedded etcd of its own.

Usage:
  etcdtour [flags]                 run the whole course
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  etcdtour %-23s %s\n", strings.TrimSpace(c.name+" "+c.args), c.short)
	}
	fmt.Fprint(w, `
Examples:
  etcdtour                                  the whole course on an embedded etcd
  etcdtour list
  etcdtour run lock                         one lesson
  etcdtour run watch lease                  several, in course order
  etcdtour run 2-4
  etcdtour --step                           pause before every step (presenters)
  etcdtour show lock                        the Go code the lock lesson runs
  etcdtour serve                            an etcd for etcdctl and other terminals
  etcdtour run watch --interactive --endpoints 127.0.0.1:2379
  etcdtour --json > events.jsonl
  etcdtour --endpoints 127.0.0.1:2379       the course on your own etcd
  ETCDCTL_ENDPOINTS=10.0.0.5:2379 etcdtour run put-get

Flags (connection flags also read ETCDCTL_<NAME>, as etcdctl does):
`)
	fs.VisitAll(func(f *flag.Flag) {
		def := ""
		if f.DefValue != "" && f.DefValue != "false" {
			def = fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "  --%-26s %s%s\n", f.Name, f.Usage, def)
	})
	fmt.Fprint(w, `
Exit codes: 0 all lessons passed, 1 a lesson failed or etcd unreachable,
2 usage error, 130 interrupted.
`)
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, argv []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string, abort *abortList) int {
	o := &options{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, abort: abort}
	fs := newFlagSet(o)
	// Flags may come before or after the command and its arguments, as
	// with etcdctl.
	var pos []string
	for {
		if err := fs.Parse(argv); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				var b strings.Builder
				usage(&b, fs)
				return o.write(b.String())
			}
			return o.usageErr("%s (see etcdtour --help)", flagError(err))
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		argv = fs.Args()[1:]
	}
	var err error
	if o.envSet, err = applyEnv(fs, getenv); err != nil {
		return o.usageErr("%v", err)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"dial-timeout", o.conn.DialTimeout}, {"command-timeout", o.conn.CommandTimeout}} {
		if d.v <= 0 {
			src := fmt.Sprintf("--%s %v", d.name, d.v)
			if o.envSet[d.name] {
				src = envName(d.name) + "=" + getenv(envName(d.name))
			}
			return o.usageErr("%s: want a positive duration, such as 5s", src)
		}
	}
	if o.endpoints != "" {
		o.conn.Endpoints = strings.Split(o.endpoints, ",")
	}
	if len(pos) == 0 {
		pos = []string{"run"}
	}
	if (o.dataDir != "" || o.listen != "") && pos[0] != "serve" {
		return o.usageErr("--data-dir and --listen are for etcdtour serve")
	}
	for _, c := range commands {
		if c.name == pos[0] {
			return c.run(ctx, o, pos[1:])
		}
	}
	if pos[0] == "help" {
		var b strings.Builder
		usage(&b, fs)
		return o.write(b.String())
	}
	return o.usageErr("unknown command %q: want one of %s (see etcdtour --help)", pos[0], commandNames())
}

func commandNames() string {
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	return strings.Join(names, ", ")
}

// applyEnv sets each connection flag from its ETCDCTL_* variable and says
// which it set. Like etcdctl, it refuses a variable and a flag that set the
// same thing.
func applyEnv(fs *flag.FlagSet, getenv func(string) string) (map[string]bool, error) {
	set, fromEnv := map[string]bool{}, map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, name := range etcdctlFlags {
		env := envName(name)
		v := getenv(env)
		if v == "" {
			continue
		}
		if set[name] {
			return nil, fmt.Errorf("both %s and --%s are set: unset one of them (etcdctl refuses this too)", env, name)
		}
		if err := fs.Set(name, v); err != nil {
			return nil, fmt.Errorf("invalid value %q for %s: %v", v, env, err)
		}
		fromEnv[name] = true
	}
	return fromEnv, nil
}

func envName(flag string) string {
	return "ETCDCTL_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// fromEnv adds to a connection error where the endpoints came from when it
// was ETCDCTL_ENDPOINTS: exported for etcdctl during an earlier run, it may
// name an etcd that is gone.
func (o *options) fromEnv(err error) error {
	if !o.envSet["endpoints"] {
		return err
	}
	return fmt.Errorf("%w (the endpoints came from ETCDCTL_ENDPOINTS: unset it to run on an embedded etcd)", err)
}

// flagError is the flag package's error with flags spelled as --name, as
// the help shows them.
func flagError(err error) string {
	msg := dashFlag.ReplaceAllString(err.Error(), "$1--$2")
	if strings.Contains(msg, "timeout") && strings.HasSuffix(msg, "parse error") {
		msg += ": want a duration such as 5s or 500ms"
	}
	return msg
}

var dashFlag = regexp.MustCompile(`(flag |: )-([a-z])`)

func cmdList(ctx context.Context, o *options, args []string) int {
	if len(args) > 0 {
		return o.usageErr("list takes no arguments, got %q", args)
	}
	var b strings.Builder
	for i, l := range lessons.Course {
		fmt.Fprintf(&b, "%2d. %-10s %s\n", i+1, l.ID, l.Title)
	}
	return o.write(b.String())
}

// write writes s to stdout; a failure to is one (exit 1).
func (o *options) write(s string) int {
	if _, err := io.WriteString(o.stdout, s); err != nil {
		return o.fail(fmt.Errorf("writing the output: %v", err))
	}
	return exitOK
}

func cmdRun(ctx context.Context, o *options, args []string) int {
	if err := runner.Validate(lessons.Course); err != nil {
		return o.fail(fmt.Errorf("the course is broken: %v", err))
	}
	chosen, err := runner.Select(lessons.Course, args)
	if err != nil {
		return o.usageErr("%v: valid lessons are %s, or their numbers 1-%d", err, lessonIDs(), len(lessons.Course))
	}
	if !strings.HasSuffix(o.prefix, "/") {
		return o.usageErr("--prefix %q must end in \"/\", such as /etcdtour/", o.prefix)
	}
	var outErr func() error
	cfg := runner.Config{
		Conn:        o.conn,
		Prefix:      o.prefix,
		RunID:       runner.NewRunID(),
		Keep:        o.keep,
		Interactive: o.interactive,
		Code:        lessons.Code,
	}
	if o.jsonOut {
		if o.step {
			return o.usageErr("--step and --json do not go together: --step is for a person at a terminal")
		}
		j := runner.NewJSON(o.stdout)
		cfg.Reporter, outErr = j, j.Err
	} else {
		tty := isTerminal(o.stdout)
		con := runner.NewConsole(o.stdout, tty && !o.noColor && o.getenv("NO_COLOR") == "")
		con.Live = tty
		con.HideCode = o.noCode
		cfg.Reporter, outErr = con, con.Err
	}
	if o.step {
		if !isTerminal(o.stdin) {
			return o.usageErr("--step needs a terminal on stdin to read Enter and q from; run it without redirected input")
		}
		cfg.Pause = newStepper(o.stdin, o.stdout).pause
	}
	if len(cfg.Conn.Endpoints) == 0 {
		if o.keep {
			return o.usageErr("--keep needs --endpoints: the embedded etcd and its data go when etcdtour exits (start one with etcdtour serve)")
		}
		srv, err := runner.StartEmbedded(runner.EmbeddedOptions{})
		if err != nil {
			return o.fail(err)
		}
		defer srv.Close()
		o.abort.add(srv.Discard)
		cfg.Conn.Endpoints = []string{srv.Endpoint()}
	} else if err := cfg.Conn.Check(); err != nil {
		return o.fail(o.fromEnv(err))
	} else {
		ep, p := strings.Join(cfg.Conn.Endpoints, ","), cfg.Prefix+cfg.RunID+"/"
		o.abort.add(func() {
			// ETCDCTL_ENDPOINTS=…, not --endpoints: etcdctl refuses the flag
			// where the variable is exported, as the course suggests.
			fmt.Fprintf(o.stderr, "etcdtour: keys may remain under %s: ETCDCTL_ENDPOINTS=%s etcdctl del --prefix %s\n", p, ep, p)
		})
	}
	sum, err := runner.Run(ctx, cfg, chosen)
	werr := outErr()
	switch {
	case err != nil && ctx.Err() != nil:
		fmt.Fprintf(o.stderr, "etcdtour: %v\n", err)
		return exitInterrupted
	case err != nil:
		return o.fail(o.fromEnv(err))
	case werr != nil && !errors.Is(werr, syscall.EPIPE):
		// The run went on, but no one saw it: say so, and fail.
		return o.fail(fmt.Errorf("writing the output: %v", werr))
	case sum.Interrupted:
		return exitInterrupted
	case !sum.OK():
		return exitFailed
	}
	return exitOK
}

func cmdShow(ctx context.Context, o *options, args []string) int {
	if len(args) != 1 {
		return o.usageErr("show takes one lesson: etcdtour show ID|N")
	}
	chosen, err := runner.Select(lessons.Course, args)
	if err != nil {
		return o.usageErr("%v: valid lessons are %s", err, lessonIDs())
	}
	if len(chosen) != 1 {
		return o.usageErr("show takes one lesson, %q names %d", args[0], len(chosen))
	}
	if o.program {
		src, err := lessons.Code.Program(chosen[0])
		if err != nil {
			return o.fail(fmt.Errorf("program of %s: %v", chosen[0].ID, err))
		}
		return o.write(string(src))
	}
	src, err := lessons.Code.Show(chosen[0])
	if err != nil {
		return o.fail(fmt.Errorf("source of %s: %v", chosen[0].ID, err))
	}
	return o.write(src)
}

func lessonIDs() string {
	var ids []string
	for _, l := range lessons.Course {
		ids = append(ids, l.ID)
	}
	return strings.Join(ids, ", ")
}

// cmdServe runs the embedded etcd until Ctrl-C, for etcdctl and for other
// etcdtour runs in other terminals.
func cmdServe(ctx context.Context, o *options, args []string) int {
	if len(args) > 0 {
		return o.usageErr("serve takes no arguments, got %q", args)
	}
	if len(o.conn.Endpoints) > 0 && !o.envSet["endpoints"] {
		return o.usageErr("serve starts its own etcd: drop --endpoints")
	}
	// ETCDCTL_ENDPOINTS is for clients; serve is the server.
	if o.listen != "" {
		if u, err := url.Parse(o.listen); err != nil || u.Scheme != "http" || u.Port() == "" {
			return o.usageErr("--listen %q is not a plain-http client URL: want http://HOST:PORT, such as http://127.0.0.1:2379", o.listen)
		}
	}
	srv, err := runner.StartEmbedded(runner.EmbeddedOptions{DataDir: o.dataDir, ClientURL: o.listen})
	if err != nil {
		return o.fail(err)
	}
	defer srv.Close()
	o.abort.add(srv.Discard)
	ep := srv.Endpoint()
	keep := "a temp dir, removed on exit"
	if o.dataDir != "" {
		keep = "kept"
	}
	if code := o.write(fmt.Sprintf(`etcd %s is serving on %s
data: %s (%s)

In another terminal:
  export ETCDCTL_ENDPOINTS=%s
  etcdctl put hello world
  %s run
  %s run watch --interactive

Ctrl-C stops it.
`, srv.Version(), ep, srv.Dir(), keep, ep, self(), self())); code != exitOK {
		return code // no one would know where it serves
	}
	select {
	case <-ctx.Done():
		fmt.Fprintln(o.stdout, "\nstopping etcd")
		return exitOK
	case err := <-srv.Err():
		return o.fail(fmt.Errorf("embedded etcd stopped: %v", err))
	}
}

// self is how the user started etcdtour, for lines to paste into another
// terminal: "go run ." for a binary that go run built in a temp dir, the
// path as typed for ./etcdtour or /opt/bin/etcdtour, "etcdtour" from PATH.
func self() string {
	switch {
	case strings.Contains(os.Args[0], "go-build"):
		return "go run ."
	case strings.Contains(os.Args[0], "/"):
		if abs, err := filepath.Abs(os.Args[0]); err == nil {
			return abs // also right in a terminal with another working dir
		}
		return os.Args[0]
	}
	return "etcdtour"
}

// stepper pauses before each step until the presenter presses Enter.
type stepper struct {
	lines chan string
	out   io.Writer
}

func newStepper(in io.Reader, out io.Writer) *stepper {
	s := &stepper{lines: make(chan string), out: out}
	go func() {
		// Reads stdin until it closes; it lives as long as the process.
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	return s
}

func (s *stepper) pause(ctx context.Context, lesson string, step int, title string) bool {
	// One line that fits 80 columns: the step's title is cut if need be (it
	// comes in full as the step's heading).
	const keys = " · Enter runs it, q Enter quits "
	head := fmt.Sprintf("  ⏸  %s %d: ", lesson, step)
	if room := 79 - utf8.RuneCountInString(head+keys); utf8.RuneCountInString(title) > room {
		title = string([]rune(title)[:max(room-1, 0)]) + "…"
	}
	// Lines typed while the last step ran (an Enter pressed twice) must
	// not answer this prompt.
	for drained := false; !drained; {
		select {
		case _, ok := <-s.lines:
			drained = !ok
		default:
			drained = true
		}
	}
	fmt.Fprint(s.out, "\n"+head+title+keys)
	select {
	case line, ok := <-s.lines:
		if !ok { // Ctrl-D: quit, on a line of its own
			fmt.Fprintln(s.out)
		}
		return ok && !strings.EqualFold(strings.TrimSpace(line), "q")
	case <-ctx.Done():
		fmt.Fprintln(s.out) // Ctrl-C at the prompt
		return false
	}
}

// isTerminal reports whether w is a terminal: an *os.File, or a wrapper of
// one such as stopOnEPIPE.
func isTerminal(w any) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
