// Package cli is etcdtour's command line without the process: it parses
// the flags, picks the server, hands a runner.Config to the runner and
// returns the exit code (0 ok, 1 failure, 2 usage, 130 interrupted), which
// main exits with. cli.go is the entry (Main) and the options; commands.go
// the command table and each command; flags.go the flag sets, ETCDCTL_*
// and the parser; help.go the overview and each command's help; zh.go
// their Chinese.
package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mattn/go-isatty"

	"etcdtour/lessons"
	"etcdtour/lessons/exercises"
	"etcdtour/runner"
	"etcdtour/runner/embedded"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/exercise"
	"etcdtour/runner/exwatch"
	"etcdtour/runner/i18n"
	"etcdtour/runner/report"
	"etcdtour/runner/source"
	"etcdtour/runner/web"
)

// The exit codes Main returns.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130
	// ExitInterrupted is the code main exits with on a second Ctrl-C,
	// without waiting for Main.
	ExitInterrupted = exitInterrupted
)

// Process is what main hands the command line.
type Process struct {
	Args           []string // without the program's name
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Abort collects what a second Ctrl-C must still do before main exits.
	Abort *Abort
	// GoMod and GoSum are the course's own go.mod and go.sum (main embeds
	// them): the exercises' workspace requires the same modules at the
	// same versions, so it builds offline from the course's module cache.
	GoMod, GoSum []byte
}

// Main runs the command line and returns the exit code.
func Main(ctx context.Context, p Process) int {
	if stdoutClosed() {
		// Nothing written would be seen: the whole course would run unseen
		// and exit 0.
		fmt.Fprintln(p.Stderr, "etcdtour: "+startLang(p.Args, p.Getenv).Msg("stdout is closed (>&-): nothing written would be seen; send it to a file, or to /dev/null"))
		return exitFailed
	}
	return run(ctx, p.Args, p.Stdin, p.Stdout, p.Stderr, p.Getenv, p.Abort, p.GoMod, p.GoSum)
}

// Abort holds what must still happen when a second Ctrl-C ends the
// process at once: the embedded etcd's temp dir goes, and a user's cluster
// gets a line saying where keys may remain.
type Abort struct {
	mu  sync.Mutex
	fns []func()
	// cleaned is set once the lessons' clean-up has run: a second Ctrl-C
	// after it skips nothing of theirs.
	cleaned atomic.Bool
}

// Message is what a second Ctrl-C says, in the language of args and
// getenv (--lang, else the locale).
func (a *Abort) Message(args []string, getenv func(string) string) string {
	return a.message(speak(startLang(args, getenv)))
}

func (a *Abort) message(lang i18n.Lang) string {
	if a.cleaned.Load() {
		return lang.Msg("interrupted again, exiting now")
	}
	return lang.Msg("interrupted again, exiting now without the lessons' clean-up")
}

func (a *Abort) add(f func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fns = append(a.fns, f)
}

// Run does what was added, at once.
func (a *Abort) Run() {
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
	abort          *Abort
	envSet         map[string]bool // the flags set from ETCDCTL_* variables
	lang           i18n.Lang       // --lang, else LC_ALL, LC_MESSAGES or LANG
	goMod, goSum   []byte          // Process.GoMod, GoSum
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

// run is Main without the check of stdout.
func run(ctx context.Context, argv []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string, abort *Abort, goMod, goSum []byte) int {
	o := &options{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, abort: abort, goMod: goMod, goSum: goSum,
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
		exercise.Chinese(), exercises.Chinese(), web.Chinese(), watchChinese, exwatch.Chinese(), source.Chinese())
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
// one such as main's stdout, which stops the run on EPIPE.
func isTerminal(w any) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
