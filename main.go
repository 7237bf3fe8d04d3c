// Command etcdtour teaches the etcd v3 Go client by running lessons against
// a real etcd server and narrating what happens.
//
// main holds only the command line: it parses flags, picks the server,
// hands a runner.Config to the runner, and maps the outcome to an exit code
// (0 ok, 1 failure, 2 usage, 130 interrupted). main.go is the process
// (signals, stdout, exit codes, the language); commands.go the command
// table and each command; flags.go the flag sets, ETCDCTL_* and the
// parser; help.go the overview and each command's help; zh.go their
// Chinese.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/mattn/go-isatty"
	"google.golang.org/grpc/grpclog"

	"etcdtour/lessons"
	"etcdtour/lessons/exercises"
	"etcdtour/runner"
	"etcdtour/runner/embedded"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/exercise"
	"etcdtour/runner/exwatch"
	"etcdtour/runner/i18n"
	"etcdtour/runner/report"
	"etcdtour/runner/web"
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
		fmt.Fprintln(os.Stderr, "\netcdtour: "+abort.message(startLang(os.Args[1:], os.Getenv)))
		abort.run()
		os.Exit(exitInterrupted)
	}()
	if stdoutClosed() {
		// Nothing written would be seen: the whole course would run unseen
		// and exit 0.
		fmt.Fprintln(os.Stderr, "etcdtour: "+startLang(os.Args[1:], os.Getenv).Msg("stdout is closed (>&-): nothing written would be seen; send it to a file, or to /dev/null"))
		os.Exit(exitFailed)
	}
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
	// cleaned is set once the lessons' clean-up has run: a second Ctrl-C
	// after it skips nothing of theirs.
	cleaned atomic.Bool
}

// message is what a second Ctrl-C says, in lang.
func (a *abortList) message(lang i18n.Lang) string {
	if a.cleaned.Load() {
		return lang.Msg("interrupted again, exiting now")
	}
	return lang.Msg("interrupted again, exiting now without the lessons' clean-up")
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
	noPause                bool   // --no-pause
	code                   string // --code
	exercises              bool   // the exercises command exists (nextSteps)
	dataDir, listen        string
	ex                     exOptions // the exercises' commands (exercises.go)
	web                    string    // --web's address, "" without it
	open                   bool

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
	if bad := i18n.NotUTF8(getenv); bad != "" && s.lang == "" {
		o.errLine(o.lang.Msg("%s: etcdtour writes Chinese in UTF-8 only, so it writes English here; for Chinese, use a UTF-8 locale (LANG=zh_CN.UTF-8)", bad))
	}
	name, args := defaultCommand, pos
	if len(pos) > 0 {
		name, args = pos[0], pos[1:]
	}
	if name == "help" {
		return o.helpCmd(s, args)
	}
	c := findCommand(name)
	o.exercises = findCommand("exercises") != nil
	if c == nil {
		return o.unknownCommand(name)
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

// speak is l with its catalog: the translations into l that each package
// hands in, its own texts (main's here, in zh.go).
func speak(l i18n.Lang) i18n.Lang {
	if l.Tag() != i18n.Chinese.Tag() {
		return l
	}
	return l.With(chinese, exercisesChinese, runner.Chinese(), report.Chinese(), embedded.Chinese(), etcdconn.Chinese(), lessons.Chinese(),
		exercise.Chinese(), exercises.Chinese(), web.Chinese(), watchChinese, exwatch.Chinese())
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

// write writes s to stdout; a failure to is one (exit 1).
func (o *options) write(s string) int {
	if _, err := io.WriteString(o.stdout, s); err != nil {
		return o.fail(o.lang.Err("writing the output: %v", err))
	}
	return exitOK
}

// isTerminal reports whether w is a terminal: an *os.File, or a wrapper of
// one such as stopOnEPIPE.
func isTerminal(w any) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
