package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"etcdtour/lessons"
	"etcdtour/runner"
	"etcdtour/runner/embedded"
	"etcdtour/runner/i18n"
	"etcdtour/runner/report"
	"etcdtour/runner/source"
	"etcdtour/runner/tty"
)

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

var lessonCommands = []*command{{
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

// commands are the lessons' and the exercises' (exercises.go).
var commands = append(append(lessonCommands, exerciseCommands...), watchCommand)

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

func commandNames(lang i18n.Lang) string {
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	return lang.Join(names)
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

func cmdRun(ctx context.Context, o *options, args []string) int {
	if err := runner.Validate(lessons.Course); err != nil {
		return o.fail(o.lang.Err("the course is broken: %v", err))
	}
	chosen, err := runner.Select(o.lang, lessons.Course, args)
	if err != nil {
		return o.lessonErr(err, true)
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
		switch o.code {
		case "folded":
		case "full":
			con.Code = report.CodeFull
		default:
			return o.usageErr("--code %q: want folded or full", o.code)
		}
		con.Lang = o.lang
		con.NextSteps = nextSteps(o.lang, chosen, o.exercises)
		cfg.Reporter, outErr = con, con.Err
		defer con.Close()
		o.abort.add(con.Close) // a second Ctrl-C: no status line is left
	}
	if o.step && !isTerminal(o.stdin) {
		return o.usageErr("--step needs a terminal on stdin to read Enter and q from; run it without redirected input")
	}
	// On a terminal the course goes at the reader's pace: a screen at a
	// time (pauses.go).
	pace := o.step || readsAtPace(o)
	var term *tty.Terminal
	if pace || live && !o.jsonOut {
		// Keys typed during the run must not land in a status line, answer
		// a prompt shown after them, or be run by the shell after exit.
		term = tty.Take(o.stdin)
		defer term.Restore()
		o.abort.add(term.Restore)
	}
	if pace && (o.step || term != nil) {
		con.StepKeys(ctx, o.stdin, term)
		con.Stepper = o.step
		con.Pager = term != nil
		con.Size = term.Size
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
		cfg.Alone = true // the learner's etcdctl is all that writes there
		o.shortKeys(&cfg)
	} else if err := cfg.Conn.Check(); err != nil {
		// Found in the flags themselves, before any server was asked.
		return o.usageErr("%v", o.fromEnv(err))
	} else {
		ep, p := strings.Join(cfg.Conn.Endpoints, ","), cfg.RunPrefix()
		o.abort.add(func() {
			if o.abort.cleaned.Load() {
				return // the lessons' clean-up has run
			}
			// ETCDCTL_ENDPOINTS=…, not --endpoints: etcdctl refuses the flag
			// where the variable is exported, as the course suggests.
			o.errLine(o.lang.Msg("keys may remain under %s: ETCDCTL_ENDPOINTS=%s etcdctl del --prefix %s", p, ep, p))
		})
	}
	stopWeb, code := startWeb(o, &cfg, con)
	if code != exitOK {
		return code
	}
	defer stopWeb()
	sum, err := runner.Run(ctx, cfg, chosen)
	o.abort.cleaned.Store(true)
	if con != nil {
		con.Close() // the reader sees the end before the terminal is restored
	}
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
		return o.lessonErr(err, false)
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

func lessonIDs(lang i18n.Lang) string {
	var ids []string
	for _, l := range lessons.Course {
		ids = append(ids, l.ID)
	}
	return lang.Join(ids)
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
