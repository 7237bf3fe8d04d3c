// Command etcdtour teaches the etcd v3 Go client by running lessons against
// a real etcd server and narrating what happens.
//
// main holds only the command line: it parses flags, picks the server,
// hands a runner.Config to the runner, and maps the outcome to an exit code
// (0 ok, 1 failure, 2 usage, 130 interrupted).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"
	"google.golang.org/grpc/grpclog"

	"etcdtour/lessons"
	"etcdtour/runner"
	"etcdtour/runner/embedded"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/i18n"
	"etcdtour/runner/report"
	"etcdtour/runner/source"
	"etcdtour/runner/tty"
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
		fmt.Fprintln(os.Stderr, "\netcdtour: "+startLang(os.Args[1:], os.Getenv).Msg("interrupted again, exiting now without the lessons' clean-up"))
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

// A command is one of etcdtour's subcommands. The overview and each
// command's help are generated from the table, and a command takes only the
// flags its flags func defines: any other is a usage error.
type command struct {
	// name is the word on the command line, such as "run".
	name string
	// args is the usage of its arguments, such as "ID|N"; "" for none.
	args string
	// short is its line in the overview, within 58 columns.
	short string
	// long is the description its help prints under the usage line,
	// wrapped within 80 columns.
	long string
	// flags defines the command's flags on fs, bound to o; nil for none.
	flags func(fs *flag.FlagSet, o *options)
	// why says, for a flag of another command given to this one, why it
	// has no such flag and what to do instead; optional.
	why map[string]string
	// run runs the command with its arguments; it returns the exit code.
	run func(ctx context.Context, o *options, args []string) int
}

var commands = []*command{{
	name:  "list",
	short: "list the lessons",
	long: `List prints the lessons of the course, numbered. run and show take a lesson's
ID or its number.
`,
	run: cmdList,
}, {
	name:  "run",
	args:  "[ID|N|N-M ...]",
	short: "run the chosen lessons, in course order (the default)",
	long: `Run runs the chosen lessons in course order, each once: all of them when none
is named, as etcdtour does with no command. With no --endpoints it starts an
etcd of its own and removes it when it exits; with --endpoints, each lesson's
keys live under --prefix and are deleted after the lesson.

Exit codes: 0 all lessons passed, 1 a lesson failed or etcd unreachable,
2 usage error, 130 interrupted.
`,
	flags: runFlags,
	run:   cmdRun,
}, {
	name:  "show",
	args:  "ID|N",
	short: "print a lesson's Go source, as built into this binary",
	long: `Show prints the Go code a lesson runs, exactly as built into this binary, with
the helpers it calls. With --program it prints the lesson as a whole program
(package main) that builds and runs on its own.
`,
	flags: func(fs *flag.FlagSet, o *options) {
		fs.BoolVar(&o.program, "program", false, "print the lesson as a standalone program (package main)")
	},
	run: cmdShow,
}, {
	name:  "serve",
	short: "start the embedded etcd alone, for etcdctl and other runs",
	long: `Serve starts the embedded etcd alone, until Ctrl-C, for etcdctl and for
etcdtour runs in other terminals, and prints the lines to paste there. It
ignores ETCDCTL_ENDPOINTS: that variable is for its clients.
`,
	flags: func(fs *flag.FlagSet, o *options) {
		fs.StringVar(&o.dataDir, "data-dir", "", "keep etcd's data in `dir` across restarts, not in a temp dir")
		fs.StringVar(&o.listen, "listen", "", "client `URL` to listen on, such as http://127.0.0.1:2379")
	},
	why: map[string]string{
		"endpoints": "serve starts its own etcd, drop --endpoints",
		"keep":      "serve --data-dir DIR keeps etcd's data across restarts",
	},
	run: cmdServe,
}}

// defaultCommand runs when the command line names none.
const defaultCommand = "run"

func findCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// options are the parsed flags and where output goes.
type options struct {
	conn                   etcdconn.Conn
	endpoints              string
	prefix                 string
	keep, noColor, jsonOut bool
	color, theme           string
	runID                  string
	step, interactive      bool
	program, noCode        bool
	dataDir, listen        string

	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	abort          *abortList
	envSet         map[string]bool // the flags set from ETCDCTL_* variables
	lang           i18n.Lang       // --lang, else LC_ALL, LC_MESSAGES or LANG
}

// usageErr reports a usage error, format in English: it is the key of its
// translation (package i18n).
func (o *options) usageErr(format string, args ...any) int {
	o.errLine(o.lang.Msg(format, args...))
	return exitUsage
}

func (o *options) fail(err error) int {
	o.errLine(err.Error())
	return exitFailed
}

// errLine writes one error message to stderr: one line in a pipe or a log,
// which scripts grep, and broken between words to fit runner.Columns on a
// terminal, its continuation indented.
func (o *options) errLine(msg string) {
	msg = "etcdtour: " + msg
	if isTerminal(o.stderr) {
		msg = strings.ReplaceAll(i18n.Wrap(msg, report.Columns-2), "\n", "\n  ")
	}
	fmt.Fprintln(o.stderr, msg)
}

// etcdctlFlags are the connection flags shared with etcdctl; each can also be
// set by its ETCDCTL_* variable.
var etcdctlFlags = []string{"endpoints", "dial-timeout", "command-timeout", "user", "password",
	"cacert", "cert", "key", "insecure-skip-tls-verify"}

// runFlags are run's: etcdctl's connection flags and the course's own.
func runFlags(fs *flag.FlagSet, o *options) {
	fs.StringVar(&o.endpoints, "endpoints", "", "`host:port,...` of your etcd (else an embedded one)")
	fs.DurationVar(&o.conn.DialTimeout, "dial-timeout", 5*time.Second, "how long to try to reach etcd")
	fs.DurationVar(&o.conn.CommandTimeout, "command-timeout", 5*time.Second, "timeout of each request")
	fs.StringVar(&o.conn.User, "user", "", "`name` or name:password, for an etcd with auth")
	fs.StringVar(&o.conn.Password, "password", "", "`password` of --user")
	fs.StringVar(&o.conn.CACert, "cacert", "", "verify the server with this CA bundle `file`")
	fs.StringVar(&o.conn.Cert, "cert", "", "client certificate `file`")
	fs.StringVar(&o.conn.Key, "key", "", "client key `file`")
	fs.BoolVar(&o.conn.InsecureSkipVerify, "insecure-skip-tls-verify", false, "do not verify the server's certificate")
	fs.StringVar(&o.prefix, "prefix", runner.DefaultPrefix, "every key goes under `/path/`")
	fs.StringVar(&o.runID, "run-id", "", "keys go under /path/`NAME`/ (default: random); refused if any exist")
	fs.BoolVar(&o.keep, "keep", false, "leave each lesson's keys (needs --endpoints)")
	fs.BoolVar(&o.noColor, "no-color", false, "no color: the same as --color never")
	fs.StringVar(&o.color, "color", "auto", "`when` to color: auto (a terminal, not TERM=dumb, no NO_COLOR), always or never")
	fs.StringVar(&o.theme, "theme", "auto", "dark or light: colors for that `background`; auto reads COLORFGBG")
	fs.BoolVar(&o.jsonOut, "json", false, "JSON lines, one per event (see docs/json.md)")
	fs.BoolVar(&o.step, "step", false, "pause before each step: Enter runs it, q quits")
	fs.BoolVar(&o.interactive, "interactive", false, "the watch lesson waits for your etcdctl writes")
	fs.BoolVar(&o.noCode, "no-code", false, "do not show each step's Go code")
}

// flagSets holds each command's own flags and, to parse a command line in
// which flags come before or after the command, all of them in one set.
type flagSets struct {
	own  map[string]*flag.FlagSet // by command name
	all  *flag.FlagSet
	help bool   // --help or -h
	lang string // --lang, which every command takes
}

func newFlagSets(o *options) *flagSets {
	s := &flagSets{own: map[string]*flag.FlagSet{}, all: newFlagSet()}
	s.all.BoolVar(&s.help, "help", false, "")
	s.all.BoolVar(&s.help, "h", false, "")
	s.all.StringVar(&s.lang, "lang", "", "")
	for _, c := range commands {
		fs := newFlagSet()
		if c.flags != nil {
			c.flags(fs, o)
		}
		s.own[c.name] = fs
		// Two commands with one flag bind it to one field of o, with one
		// meaning (TestCommandFlagsAgree): the first one's Value will do.
		fs.VisitAll(func(f *flag.Flag) {
			if s.all.Lookup(f.Name) == nil {
				s.all.Var(f.Value, f.Name, f.Usage)
			}
		})
	}
	return s
}

func newFlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("etcdtour", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// foreign returns the first flag on the command line (in name order) that
// the command c does not take, or "".
func (s *flagSets) foreign(c string) string {
	own := s.own[c]
	bad := ""
	s.all.Visit(func(f *flag.Flag) {
		if bad == "" && f.Name != "help" && f.Name != "h" && f.Name != "lang" && (own == nil || own.Lookup(f.Name) == nil) {
			bad = f.Name
		}
	})
	return bad
}

// notAFlag is the usage error for --name given to command c, which has no
// such flag: why not, and where to look.
func notAFlag(lang i18n.Lang, c, name string, implicit bool) string {
	msg := lang.Msg("--%s is not a flag of %q", name, c)
	if implicit {
		msg += lang.Msg(", the default command")
	}
	if cmd := findCommand(c); cmd != nil && cmd.why[name] != "" {
		msg += lang.Msg(": %s", lang.Text(cmd.why[name]))
	}
	var takers []string
	for _, t := range commands {
		if t.flags != nil && newFlagSetOf(t).Lookup(name) != nil {
			takers = append(takers, t.name)
		}
	}
	see := "etcdtour --help"
	if findCommand(c) != nil {
		see = "etcdtour " + c + " --help"
	}
	switch len(takers) {
	case 0:
	case 1:
		return lang.Msg("%s (only %s takes it; see %s)", msg, takers[0], see)
	default:
		return lang.Msg("%s (only %s take it; see %s)", msg, strings.Join(takers, lang.Msg(" and ")), see)
	}
	return lang.Msg("%s (see %s)", msg, see)
}

// newFlagSetOf is c's flag set, bound to options of its own: for looking
// flags up and for help.
func newFlagSetOf(c *command) *flag.FlagSet {
	fs := newFlagSet()
	if c.flags != nil {
		c.flags(fs, &options{})
	}
	return fs
}

// overviewText is the text of etcdtour --help around its two tables, the
// commands (from commands) and examples: all of its words in one place, for
// translators. The whole fits one 24-row, 80-column screen
// (TestCommandHelp); each command's flags are in its own help.
var overviewText = struct {
	intro, usage, commands, help, examples, more string
}{
	intro: `etcdtour teaches the etcd v3 Go client by running lessons against a real etcd
and narrating each call, its etcdctl equivalent and its result.`,
	usage:    "Usage: etcdtour [command] [flags] [arguments]   (flags go anywhere)",
	commands: "Commands:",
	help:     "this, or a command's usage and flags",
	examples: "Examples:",
	more:     `"etcdtour COMMAND --help": its flags (run's also from ETCDCTL_*); --lang en|zh.`,
}

// examples are the overview's examples: a command line and what it does.
var examples = []struct{ cmd, what string }{
	{"etcdtour", "the whole course, on an embedded etcd"},
	{"etcdtour run lock", "one lesson; also run watch lease, run 2-4"},
	{"etcdtour --step", "pause before every step (presenters)"},
	{"etcdtour --run-id alice", "keys under /etcdtour/alice/ (workshops)"},
	{"etcdtour show lock", "the Go code the lock lesson runs"},
	{"etcdtour serve", "an etcd for etcdctl and other terminals"},
	{"etcdtour --endpoints HOST:2379", "the course on your own etcd"},
	{"etcdtour --json > events.jsonl", "one JSON object per line for every event"},
}

// overview is etcdtour --help and etcdtour help.
func overview(w io.Writer, lang i18n.Lang) {
	t := overviewText
	fmt.Fprintf(w, "%s\n\n%s\n\n%s\n", lang.Text(t.intro), lang.Text(t.usage), lang.Text(t.commands))
	for _, c := range commands {
		fmt.Fprintf(w, "  %-19s %s\n", strings.TrimSpace(c.name+" "+c.args), lang.Text(c.short))
	}
	fmt.Fprintf(w, "  %-19s %s\n\n%s\n", "help [command]", lang.Text(t.help), lang.Text(t.examples))
	for _, e := range examples {
		fmt.Fprintf(w, "  %-30s  %s\n", e.cmd, lang.Text(e.what))
	}
	fmt.Fprintf(w, "\n%s\n", lang.Text(t.more))
}

// help is c's own help: its usage line, what it does, and its flags only.
func (c *command) help(w io.Writer, lang i18n.Lang) {
	fs := newFlagSetOf(c)
	var conn, other []*flag.Flag
	for _, name := range etcdctlFlags {
		if f := fs.Lookup(name); f != nil {
			conn = append(conn, f)
		}
	}
	fs.VisitAll(func(f *flag.Flag) {
		if !slices.Contains(etcdctlFlags, f.Name) {
			other = append(other, f)
		}
	})
	line := "etcdtour " + c.name
	if len(conn)+len(other) > 0 {
		line += lang.Msg(" [flags]")
	}
	if c.args != "" {
		line += " " + c.args
	}
	fmt.Fprintf(w, "%s\n\n%s", lang.Msg("Usage: %s", line), lang.Text(c.long))
	if len(conn)+len(other) == 0 {
		fmt.Fprintf(w, "\n%s\n", lang.Msg("%s takes no flags.", c.name))
		return
	}
	width := 0
	for _, f := range append(conn, other...) {
		width = max(width, len(flagName(f)))
	}
	if len(conn) > 0 {
		fmt.Fprint(w, "\n"+lang.Text("Connection flags, each also read from ETCDCTL_<NAME> as etcdctl does (setting\nboth a flag and its variable is an error). Unlike etcdctl's 2s, --dial-timeout\ndefaults to 5s: it also bounds the checks made before the first lesson.\n"))
		for _, f := range conn {
			writeFlag(w, f, width, lang)
		}
		fmt.Fprint(w, "\n"+lang.Text("Other flags:\n"))
	} else {
		fmt.Fprint(w, "\n"+lang.Text("Flags:\n"))
	}
	for _, f := range other {
		writeFlag(w, f, width, lang)
	}
}

// flagName is --name and, unless the flag is a bool, its value's name.
func flagName(f *flag.Flag) string {
	arg, _ := flag.UnquoteUsage(f)
	return strings.TrimSpace("--" + f.Name + " " + arg)
}

// writeFlag writes f's line of help, its usage in lang wrapped within 80
// columns. (Its value's name, the usage's `quoted` word, stays English: it
// is the same in the translation.)
func writeFlag(w io.Writer, f *flag.Flag, width int, lang i18n.Lang) {
	tf := *f
	tf.Usage = lang.Text(f.Usage)
	_, text := flag.UnquoteUsage(&tf)
	if f.DefValue != "" && f.DefValue != "false" {
		text += lang.Msg(" (default %s)", f.DefValue)
	}
	indent := 2 + width + 2
	head := fmt.Sprintf("  %-*s  ", width, flagName(f))
	for i, line := range strings.Split(i18n.Wrap(text, 79-indent), "\n") {
		if i > 0 {
			head = strings.Repeat(" ", indent)
		}
		fmt.Fprintln(w, head+line)
	}
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, argv []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string, abort *abortList) int {
	o := &options{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, abort: abort,
		lang: speak(startLang(argv, getenv))}
	s := newFlagSets(o)
	// Flags may come before or after the command and its arguments, as
	// with etcdctl: s.all parses them all, then the command says which of
	// them it takes.
	pos, ferr := parseArgs(s.all, argv)
	if ferr != nil {
		see := "etcdtour --help"
		if len(pos) > 0 && findCommand(pos[0]) != nil {
			see = "etcdtour " + pos[0] + " --help"
		}
		return o.usageErr("%s (see %s)", ferr.text(o.lang), see)
	}
	if s.lang != "" {
		l, ok := i18n.Match(s.lang)
		if !ok {
			return o.usageErr("--lang %q: want one of %s", s.lang, i18n.Names)
		}
		o.lang = speak(l)
	}
	o.conn.Lang = o.lang
	name, args := defaultCommand, pos
	if len(pos) > 0 {
		name, args = pos[0], pos[1:]
	}
	if name == "help" {
		return o.helpCmd(s, args)
	}
	c := findCommand(name)
	if c == nil {
		return o.usageErr("unknown command %q: want one of %s (see etcdtour --help)", name, commandNames())
	}
	if s.help {
		var b strings.Builder
		if len(pos) == 0 {
			overview(&b, o.lang)
		} else {
			c.help(&b, o.lang)
		}
		return o.write(b.String())
	}
	if f := s.foreign(c.name); f != "" {
		return o.usageErr("%s", notAFlag(o.lang, c.name, f, len(pos) == 0))
	}
	// ETCDCTL_* variables are for the commands that connect to an etcd:
	// serve is the server, and ignores them.
	if s.own[c.name].Lookup("endpoints") != nil {
		if code := o.connFromEnv(s.all); code != exitOK {
			return code
		}
	}
	return c.run(ctx, o, args)
}

// helpCmd is etcdtour help [command].
func (o *options) helpCmd(s *flagSets, args []string) int {
	if f := s.foreign("help"); f != "" {
		return o.usageErr("%s", notAFlag(o.lang, "help", f, false))
	}
	var b strings.Builder
	switch {
	case len(args) == 0 || args[0] == "help" && len(args) == 1:
		overview(&b, o.lang)
	case len(args) > 1:
		return o.usageErr("help takes one command, got %q (see etcdtour --help)", args)
	case findCommand(args[0]) == nil:
		return o.usageErr("unknown command %q: want one of %s (see etcdtour --help)", args[0], commandNames())
	default:
		findCommand(args[0]).help(&b, o.lang)
	}
	return o.write(b.String())
}

// connFromEnv completes the connection flags parsed into fs with the
// ETCDCTL_* variables, and checks them.
func (o *options) connFromEnv(fs *flag.FlagSet) int {
	var err error
	if o.envSet, err = applyEnv(o.lang, fs, o.getenv); err != nil {
		return o.usageErr("%v", err)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"dial-timeout", o.conn.DialTimeout}, {"command-timeout", o.conn.CommandTimeout}} {
		if d.v <= 0 {
			src := fmt.Sprintf("--%s %v", d.name, d.v)
			if o.envSet[d.name] {
				src = envName(d.name) + "=" + o.getenv(envName(d.name))
			}
			return o.usageErr("%s: want a positive duration, such as 5s", src)
		}
	}
	if o.endpoints != "" {
		o.conn.Endpoints = strings.Split(o.endpoints, ",")
	}
	return exitOK
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
func applyEnv(lang i18n.Lang, fs *flag.FlagSet, getenv func(string) string) (map[string]bool, error) {
	set, fromEnv := map[string]bool{}, map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, name := range etcdctlFlags {
		env := envName(name)
		v := getenv(env)
		if v == "" {
			continue
		}
		if set[name] {
			return nil, lang.Err("both %s and --%s are set: unset one of them (etcdctl refuses this too)", env, name)
		}
		if err := fs.Set(name, v); err != nil {
			return nil, lang.Err("invalid value %q for %s: %v", v, env, valueError(lang, fs.Lookup(name)))
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
	var inUse *runner.PrefixInUseError
	if !o.envSet["endpoints"] || errors.As(err, &inUse) {
		return err
	}
	return o.lang.Err("%w (the endpoints came from ETCDCTL_ENDPOINTS: unset it to run on an embedded etcd)", err)
}

// A flagError is a command line that parseArgs cannot read flags from.
type flagError struct {
	kind  flagErrorKind
	arg   string // the argument, for badSyntax
	name  string // the flag's name, for the others
	value string // the value given, for badValue
	flag  *flag.Flag
}

type flagErrorKind int

const (
	badSyntax   flagErrorKind = iota // ---x, -=x
	unknownFlag                      // no flag of that name
	noValue                          // the last argument, a flag that takes a value
	badValue                         // a value the flag cannot parse
)

func (e *flagError) Error() string { return e.text(i18n.English) }

// text is the error in lang, with flags spelled --name as the help shows
// them, and for a duration an example of one.
func (e *flagError) text(lang i18n.Lang) string {
	switch e.kind {
	case unknownFlag:
		return lang.Msg("flag provided but not defined: %s", "--"+e.name)
	case noValue:
		return lang.Msg("flag needs an argument: %s", "--"+e.name)
	case badValue:
		return lang.Msg("invalid value %s for flag %s: %s", strconv.Quote(e.value), "--"+e.name, valueError(lang, e.flag))
	}
	return lang.Msg("bad flag syntax: %s", e.arg)
}

// parseArgs reads argv as the flag package reads a command line, but with
// flags also after the positional arguments, as etcdctl takes them: it sets
// the flags in fs and returns the positional arguments in order. A "--"
// makes the argument after it positional even if it begins with "-". Its
// error is a *flagError, and pos then what it read before it.
func parseArgs(fs *flag.FlagSet, argv []string) (pos []string, err *flagError) {
	for len(argv) > 0 {
		a := argv[0]
		argv = argv[1:]
		switch {
		case a == "--":
			if len(argv) > 0 {
				pos, argv = append(pos, argv[0]), argv[1:]
			}
			continue
		case len(a) < 2 || a[0] != '-':
			pos = append(pos, a)
			continue
		}
		name := strings.TrimPrefix(a[1:], "-") // -name or --name
		if name == "" || name[0] == '-' || name[0] == '=' {
			return pos, &flagError{kind: badSyntax, arg: a}
		}
		name, value, hasValue := strings.Cut(name, "=")
		f := fs.Lookup(name)
		if f == nil {
			return pos, &flagError{kind: unknownFlag, name: name}
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			if !hasValue {
				value = "true" // --json; --json=false
			}
		} else if !hasValue {
			if len(argv) == 0 {
				return pos, &flagError{kind: noValue, name: name}
			}
			value, argv = argv[0], argv[1:]
		}
		if fs.Set(name, value) != nil {
			return pos, &flagError{kind: badValue, name: name, value: value, flag: f}
		}
	}
	return pos, nil
}

// valueError is why f could not be set to a value, in lang: its flags are
// bools, durations and strings, and only the first two can fail, to parse.
// A duration gets an example.
func valueError(lang i18n.Lang, f *flag.Flag) string {
	msg := lang.Msg("parse error")
	if g, ok := f.Value.(flag.Getter); ok {
		if _, ok := g.Get().(time.Duration); ok {
			msg += lang.Msg(": want a duration such as 5s or 500ms")
		}
	}
	return msg
}

// speak is l with its catalog: the translations into l that each package
// hands in, its own texts (main's here, in zh.go).
func speak(l i18n.Lang) i18n.Lang {
	if l.Tag() != i18n.Chinese.Tag() {
		return l
	}
	return l.With(chinese, runner.Chinese(), report.Chinese(), embedded.Chinese(), etcdconn.Chinese(), lessons.Chinese())
}

// startLang is the language before the command line is parsed: --lang as
// given anywhere in argv (so that an error in parsing it is in that
// language too), else the environment's.
func startLang(argv []string, getenv func(string) string) i18n.Lang {
	for i, a := range argv {
		if a == "--" {
			break
		}
		v, ok := "", false
		for _, p := range []string{"--lang=", "-lang="} {
			if rest, found := strings.CutPrefix(a, p); found {
				v, ok = rest, true
			}
		}
		if (a == "--lang" || a == "-lang") && i+1 < len(argv) {
			v, ok = argv[i+1], true
		}
		if ok {
			if l, matched := i18n.Match(v); matched {
				return l
			}
		}
	}
	return i18n.FromEnv(getenv)
}

func cmdList(ctx context.Context, o *options, args []string) int {
	if len(args) > 0 {
		return o.usageErr("list takes no arguments, got %q", args)
	}
	w := 0 // the longest ID: the titles in one column
	for _, l := range lessons.Course {
		w = max(w, len(l.ID))
	}
	var b strings.Builder
	for i, l := range lessons.Course {
		fmt.Fprintf(&b, "%2d. %-*s  %s\n", i+1, w, l.ID, o.lang.Text(l.Title))
	}
	return o.write(b.String())
}

// write writes s to stdout; a failure to is one (exit 1).
func (o *options) write(s string) int {
	if _, err := io.WriteString(o.stdout, s); err != nil {
		return o.fail(o.lang.Err("writing the output: %v", err))
	}
	return exitOK
}

func cmdRun(ctx context.Context, o *options, args []string) int {
	if err := runner.Validate(lessons.Course); err != nil {
		return o.fail(o.lang.Err("the course is broken: %v", err))
	}
	chosen, err := runner.Select(o.lang, lessons.Course, args)
	if err != nil {
		return o.usageErr("%v: valid lessons are %s, or their numbers 1-%d", err, lessonIDs(), len(lessons.Course))
	}
	if err := runner.CheckPrefix(o.lang, o.prefix); err != nil {
		return o.usageErr("%v", err)
	}
	runID := runner.NewRunID()
	if o.runID != "" {
		if err := runner.CheckRunID(o.lang, o.runID); err != nil {
			return o.usageErr("%v", err)
		}
		runID = o.runID
	}
	th, live, err := report.Colors(o.lang, report.ColorFlags{Color: o.color, NoColor: o.noColor, Theme: o.theme},
		isTerminal(o.stdout), o.getenv)
	if err != nil {
		return o.usageErr("%v", err)
	}
	var outErr func() error
	var con *report.Console // nil for --json
	cfg := runner.Config{
		Conn:        o.conn,
		Prefix:      o.prefix,
		RunID:       runID,
		Keep:        o.keep,
		Interactive: o.interactive,
		Code:        source.NewCode(lessons.Source),
		Lang:        o.lang,
	}
	if o.jsonOut {
		if o.step {
			return o.usageErr("--step and --json do not go together: --step is for a person at a terminal")
		}
		j := report.NewJSON(o.stdout)
		cfg.Reporter, outErr = j, j.Err
	} else {
		con = report.NewThemedConsole(o.stdout, th)
		con.Live = live
		con.HideCode = o.noCode
		con.Lang = o.lang
		cfg.Reporter, outErr = con, con.Err
		defer con.Close()
		o.abort.add(con.Close) // a second Ctrl-C: no status line is left
	}
	if o.step && !isTerminal(o.stdin) {
		return o.usageErr("--step needs a terminal on stdin to read Enter and q from; run it without redirected input")
	}
	var term *tty.Terminal
	if o.step || live && !o.jsonOut {
		// Keys typed during the run must not land in a status line, answer
		// a prompt shown after them, or be run by the shell after exit.
		term = tty.Take(o.stdin)
		defer term.Restore()
		o.abort.add(term.Restore)
	}
	if o.step {
		con.StepKeys(o.stdin, term)
		cfg.Pause = con.Pause
	}
	if len(cfg.Conn.Endpoints) == 0 {
		if o.keep {
			return o.usageErr("--keep needs --endpoints: the embedded etcd and its data go when etcdtour exits (start one with etcdtour serve)")
		}
		srv, err := embedded.StartServer(embedded.ServerOptions{Lang: o.lang})
		if err != nil {
			return o.fail(err)
		}
		defer srv.Close()
		o.abort.add(srv.Discard)
		cfg.Conn.Endpoints = []string{srv.Endpoint()}
		// Lessons that need an etcd of their own get one, in the
		// embedded etcd's temp dir: Discard removes theirs too.
		cfg.OwnServers, cfg.TempDir = true, srv.Dir()
	} else if err := cfg.Conn.Check(); err != nil {
		// Found in the flags themselves, before any server was asked.
		return o.usageErr("%v", o.fromEnv(err))
	} else {
		ep, p := strings.Join(cfg.Conn.Endpoints, ","), cfg.RunPrefix()
		o.abort.add(func() {
			// ETCDCTL_ENDPOINTS=…, not --endpoints: etcdctl refuses the flag
			// where the variable is exported, as the course suggests.
			o.errLine(o.lang.Msg("keys may remain under %s: ETCDCTL_ENDPOINTS=%s etcdctl del --prefix %s", p, ep, p))
		})
	}
	sum, err := runner.Run(ctx, cfg, chosen)
	werr := outErr()
	switch {
	case err != nil && ctx.Err() != nil:
		o.errLine(err.Error())
		return exitInterrupted
	case err != nil:
		return o.fail(o.fromEnv(err))
	case werr != nil && !errors.Is(werr, syscall.EPIPE):
		// The run went on, but no one saw it: say so, and fail.
		return o.fail(o.lang.Err("writing the output: %v", werr))
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
	chosen, err := runner.Select(o.lang, lessons.Course, args)
	if err != nil {
		return o.usageErr("%v: valid lessons are %s", err, lessonIDs())
	}
	if len(chosen) != 1 {
		return o.usageErr("show takes one lesson, %q names %d", args[0], len(chosen))
	}
	code := source.NewCode(lessons.Source)
	if o.program {
		src, err := code.Program(chosen[0])
		if err != nil {
			return o.fail(o.lang.Err("program of %s: %v", chosen[0].ID, err))
		}
		return o.write(string(src))
	}
	src, err := code.Show(chosen[0])
	if err != nil {
		return o.fail(o.lang.Err("source of %s: %v", chosen[0].ID, err))
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
	if o.listen != "" {
		if u, err := url.Parse(o.listen); err != nil || u.Scheme != "http" || u.Port() == "" {
			return o.usageErr("--listen %q is not a plain-http client URL: want http://HOST:PORT, such as http://127.0.0.1:2379", o.listen)
		}
	}
	srv, err := embedded.StartServer(embedded.ServerOptions{DataDir: o.dataDir, ClientURL: o.listen, LongRunning: true, Lang: o.lang})
	if err != nil {
		return o.fail(err)
	}
	defer srv.Close()
	o.abort.add(srv.Discard)
	ep := srv.Endpoint()
	keep := o.lang.Msg("a temp dir, removed on exit")
	if o.dataDir != "" {
		keep = o.lang.Msg("kept")
	}
	if code := o.write(o.lang.Msg(`etcd %s is serving on %s
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
		fmt.Fprintln(o.stdout, "\n"+o.lang.Msg("stopping etcd"))
		return exitInterrupted // as every command does after Ctrl-C
	case err := <-srv.Err():
		return o.fail(o.lang.Err("embedded etcd stopped: %v", err))
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

// isTerminal reports whether w is a terminal: an *os.File, or a wrapper of
// one such as stopOnEPIPE.
func isTerminal(w any) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
