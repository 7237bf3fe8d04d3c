package cli

// The exercises' commands: exercises [init [DIR]], check [ID|next], hint
// ID, solution ID, reset ID. The engine is runner/exercise's, the
// workspace runner/workspace's, the exercises lessons/exercises'.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"etcdtour/lessons/exercises"
	"etcdtour/runner"
	"etcdtour/runner/embedded"
	"etcdtour/runner/exercise"
	"etcdtour/runner/i18n"
	"etcdtour/runner/report"
	"etcdtour/runner/workspace"
)

// clientModule is the module the exercises are written against.
const clientModule = "go.etcd.io/etcd/client/v3"

// exOptions are the exercises' commands' own flags.
type exOptions struct {
	workspace string // --workspace, else the one holding the current dir
	force     bool   // solution --force
}

// defaultWorkspace is where exercises init writes with no DIR.
const defaultWorkspace = "etcdtour-exercises"

// exerciseCommands are the exercises' commands, in the command table.
var exerciseCommands = []*command{{
	name:  "exercises",
	args:  "[init]",
	short: "list the exercises; init writes their workspace",
	long: `Exercises lists the exercises, with ✓ for those passed. "exercises init [DIR]"
writes the workspace you solve them in (default ./etcdtour-exercises): a Go
module with one package per exercise, its task in its doc comment. Run init
again to add what is missing: it never overwrites a file you changed.
`,
	flags: workspaceFlag,
	run:   cmdExercises,
}, {
	name:  "check",
	args:  "[ID|next]",
	short: "check your solution of an exercise (default: the next)",
	long: `Check builds your package of the exercise and runs the checker's attacks on it
against an embedded etcd, or your own with --endpoints (keys under --prefix,
deleted after each check). One line per check; under a failed one, what the
checker did, what your code did wrong, and the lesson step that teaches it.

Exit codes: 0 all checks passed, 1 a check failed or the code did not build,
2 usage error, 130 interrupted.
`,
	flags: checkFlags,
	run:   cmdCheck,
}, {
	name:  "hint",
	args:  "ID",
	short: "a hint for an exercise",
	long: `Hint prints the hints of an exercise, and the lesson and page to read.
`,
	flags: workspaceFlag,
	run:   cmdHint,
}, {
	name:  "solution",
	args:  "ID",
	short: "the reference solution, once yours passed",
	long: `Solution prints the reference solution of an exercise once your code has passed
its checks, to compare with yours; --force prints it before.
`,
	flags: func(fs *flag.FlagSet, o *options) {
		workspaceFlag(fs, o)
		fs.BoolVar(&o.ex.force, "force", false, "show it even if your code has not passed yet")
	},
	run: cmdSolution,
}, {
	name:  "reset",
	args:  "ID",
	short: "put an exercise's starter back (keeps a backup)",
	long: `Reset writes the starter files of an exercise over yours, after copying yours to
.etcdtour/backup/ in the workspace.
`,
	flags: workspaceFlag,
	run:   cmdReset,
}}

func workspaceFlag(fs *flag.FlagSet, o *options) {
	fs.StringVar(&o.ex.workspace, "workspace", "", "the exercises workspace `dir` (default: the one holding the current dir)")
}

// checkFlags are run's connection flags, --prefix, --json and --workspace.
func checkFlags(fs *flag.FlagSet, o *options) {
	all := newFlagSet()
	runFlags(all, o)
	for _, name := range append(etcdctlFlags[:len(etcdctlFlags):len(etcdctlFlags)], "prefix", "json") {
		f := all.Lookup(name)
		fs.Var(f.Value, f.Name, f.Usage)
	}
	workspaceFlag(fs, o)
}

// findWorkspace is --workspace, else the workspace holding the current dir.
func (o *options) findWorkspace() (string, int) {
	if o.ex.workspace != "" {
		dir, ok := workspace.Find(o.ex.workspace)
		if !ok || !samePath(dir, o.ex.workspace) {
			return "", o.usageErr("--workspace %s is not an exercises workspace: make one with etcdtour exercises init %s", o.ex.workspace, o.ex.workspace)
		}
		return dir, exitOK
	}
	dir, ok := workspace.Find(".")
	if !ok {
		return "", o.usageErr("no exercises workspace here: make one with etcdtour exercises init, then cd %s (or pass --workspace DIR)", defaultWorkspace)
	}
	return dir, exitOK
}

func samePath(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// findExercise is the exercise args name: one ID.
func (o *options) findExercise(cmd string, args []string) (exercise.Exercise, int) {
	if len(args) != 1 {
		return exercise.Exercise{}, o.usageErr("%s takes one exercise: etcdtour %s ID (one of %s)", cmd, cmd, exerciseIDs(o.lang))
	}
	ex, ok := exercise.Find(exercises.List, args[0])
	if !ok {
		return ex, o.usageErr("unknown exercise %q: want one of %s", args[0], exerciseIDs(o.lang))
	}
	return ex, exitOK
}

func exerciseIDs(lang i18n.Lang) string {
	var ids []string
	for _, e := range exercises.List {
		ids = append(ids, e.ID)
	}
	return strings.Join(ids, ", ")
}

func cmdExercises(ctx context.Context, o *options, args []string) int {
	if len(args) > 0 && args[0] == "init" {
		if len(args) > 2 {
			return o.usageErr("exercises init takes one directory at most, got %q", args[1:])
		}
		dir := defaultWorkspace
		if len(args) == 2 {
			dir = args[1]
		}
		return o.initWorkspace(dir)
	}
	if len(args) > 0 {
		return o.usageErr("unknown exercises command %q: want init [DIR], or nothing to list them", args[0])
	}
	passed := map[string]bool{}
	dir, found := workspace.Find(".")
	if o.ex.workspace != "" {
		var code int
		if dir, code = o.findWorkspace(); code != exitOK {
			return code
		}
		found = true
	}
	if found {
		p, err := workspace.LoadProgress(dir)
		if err != nil {
			return o.fail(err)
		}
		for id := range p.Passed {
			passed[id] = true
		}
	}
	w := 0
	for _, e := range exercises.List {
		w = max(w, len(e.ID))
	}
	var b strings.Builder
	for i, e := range exercises.List {
		mark := " "
		if passed[e.ID] {
			mark = "✓"
		}
		fmt.Fprintf(&b, "%s %2d. %-*s  %s\n", mark, i+1, w, e.ID, o.lang.Text(e.Title))
	}
	if !found {
		b.WriteString("\n" + o.lang.Msg("Start with: etcdtour exercises init, then cd %s and etcdtour check", defaultWorkspace) + "\n")
	}
	return o.write(b.String())
}

// workspaceFiles are the files of a new workspace: go.mod and go.sum, the
// READMEs and each exercise's starter.
func (o *options) workspaceFiles() ([]workspace.File, error) {
	mod, err := workspace.Module(o.goMod, clientModule)
	if err != nil {
		return nil, err
	}
	if v := builtClient(); v != "" && !strings.Contains(string(mod), clientModule+" "+v+"\n") {
		return nil, fmt.Errorf("this binary was built with %s %s, but its go.mod requires another version", clientModule, v)
	}
	files := []workspace.File{{Path: "go.mod", Data: mod}, {Path: "go.sum", Data: o.goSum}}
	files = append(files, exercises.Readmes()...)
	for _, e := range exercises.List {
		src, err := e.Source("starter")
		if err != nil {
			return nil, err
		}
		files = append(files, src...)
	}
	return files, nil
}

// builtClient is the version of the etcd client built into this binary,
// from its build info; "" when it has none (a test binary).
func builtClient() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, d := range bi.Deps {
		if d.Path == clientModule {
			if d.Replace != nil {
				return d.Replace.Version
			}
			return d.Version
		}
	}
	return ""
}

func (o *options) initWorkspace(dir string) int {
	files, err := o.workspaceFiles()
	if err != nil {
		return o.fail(o.lang.Err("the exercises are broken: %v", err))
	}
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return o.usageErr("%s is a file, not a directory", dir)
	}
	outcomes, err := workspace.Init(dir, files)
	if err != nil {
		return o.fail(o.lang.Err("writing the workspace %s: %v", dir, err))
	}
	var b strings.Builder
	for i, f := range files {
		switch outcomes[i] {
		case workspace.Written:
			fmt.Fprintf(&b, "  + %s\n", f.Path)
		case workspace.Updated:
			fmt.Fprintf(&b, "  ~ %s\n", f.Path)
		case workspace.Kept:
			fmt.Fprintf(&b, "  = %s  %s\n", f.Path, o.lang.Msg("(yours, kept)"))
		}
	}
	if b.Len() == 0 {
		b.WriteString(o.lang.Msg("%s is up to date: nothing to add", dir) + "\n")
	} else {
		b.WriteString(o.lang.Msg("\nThe workspace is %s. Next:\n  cd %s\n  etcdtour check        # the first exercise: %s\n", dir, dir, exercises.List[0].ID))
	}
	return o.write(b.String())
}

func cmdCheck(ctx context.Context, o *options, args []string) int {
	if err := exercise.Validate(exercises.List); err != nil {
		return o.fail(o.lang.Err("the exercises are broken: %v", err))
	}
	if len(args) > 1 {
		return o.usageErr("check takes one exercise: etcdtour check [ID|next] (one of %s)", exerciseIDs(o.lang))
	}
	dir, code := o.findWorkspace()
	if code != exitOK {
		return code
	}
	progress, err := workspace.LoadProgress(dir)
	if err != nil {
		return o.fail(err)
	}
	var ex exercise.Exercise
	if len(args) == 0 || args[0] == "next" {
		ids := o.checkable()
		id, ok := progress.Next(ids)
		if !ok && len(ids) < len(exercises.List) {
			// On --endpoints: those that need the checker's own etcd,
			// one line each.
			var b strings.Builder
			user := exercise.Config{Lang: o.lang, UserCluster: true}
			for _, e := range exercises.List {
				if why := exercise.Skipped(user, e); why != "" {
					b.WriteString(exercise.Format(o.lang, e, exercise.Result{ID: e.ID, Skipped: why}, "", false, 0))
				}
			}
			return o.write(b.String())
		}
		if !ok {
			return o.write(o.lang.Msg("All %d exercises passed.", len(ids)) + "\n")
		}
		ex, _ = exercise.Find(exercises.List, id)
	} else if ex, code = o.findExercise("check", args); code != exitOK {
		return code
	}
	cfg, done, code := o.checkConfig(dir)
	if code != exitOK {
		return code
	}
	defer done()
	var enc *json.Encoder
	if o.jsonOut {
		// JSON lines as the checks end: the exercise, each check, then
		// the build's failure or the result (docs/exercises.md).
		enc = json.NewEncoder(o.stdout)
		enc.Encode(jsonEvent{Event: "exercise", ID: ex.ID, Title: o.lang.Text(ex.Title)})
		cfg.OnCheck = func(c exercise.CheckResult) { enc.Encode(jsonEvent{Event: "check", ID: ex.ID, Check: &c}) }
	}
	res, err := exercise.Verify(ctx, cfg, ex)
	if err != nil {
		if ctx.Err() != nil {
			o.errLine(o.lang.Msg("interrupted"))
			return exitInterrupted
		}
		return o.fail(o.fromEnv(err))
	}
	if res.Passed() {
		progress.Pass(ex.ID, time.Now())
		if err := progress.Save(dir); err != nil {
			return o.fail(err)
		}
	}
	if o.jsonOut {
		if res.Build != "" {
			enc.Encode(jsonEvent{Event: "build", ID: ex.ID, Output: res.Build})
		}
		passed := res.Passed()
		if err := enc.Encode(jsonEvent{Event: "result", ID: ex.ID, Passed: &passed, Skipped: res.Skipped, ElapsedMS: res.Elapsed.Milliseconds()}); err != nil {
			return o.fail(o.lang.Err("writing the output: %v", err))
		}
	} else {
		next, more := progress.Next(o.checkable())
		width := 0
		if isTerminal(o.stdout) {
			width = report.Columns
		}
		if code := o.write(exercise.Format(o.lang, ex, res, next, more, width)); code != exitOK {
			return code
		}
	}
	if !res.Passed() && res.Skipped == "" {
		return exitFailed
	}
	return exitOK
}

// checkable are the IDs of the exercises check can run here: on a cluster
// the user named (--endpoints), not those that need the checker's own.
func (o *options) checkable() []string {
	var ids []string
	for _, e := range exercises.List {
		if e.Members == 0 || len(o.conn.Endpoints) == 0 {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

// checkConfig is where checks run: the embedded etcd it starts (done
// stops it), or --endpoints under a run prefix of --prefix.
func (o *options) checkConfig(dir string) (cfg exercise.Config, done func(), code int) {
	done = func() {}
	if err := runner.CheckPrefix(o.lang, o.prefix); err != nil {
		return cfg, done, o.usageErr("%v", err)
	}
	cfg = exercise.Config{Dir: dir, Conn: o.conn, Lang: o.lang,
		Prefix: o.prefix + runner.NewRunID() + "/exercise/"}
	if len(cfg.Conn.Endpoints) == 0 {
		// An exercise's own cluster: its temp dir goes at a second
		// Ctrl-C too.
		cfg.OnCluster = func(dir string) { o.abort.add(func() { os.RemoveAll(dir) }) }
		srv, err := embedded.StartServer(embedded.ServerOptions{Lang: o.lang})
		if err != nil {
			return cfg, done, o.fail(err)
		}
		o.abort.add(srv.Discard)
		cfg.Conn.Endpoints = []string{srv.Endpoint()}
		return cfg, func() { srv.Close() }, exitOK
	}
	if err := cfg.Conn.Check(); err != nil {
		return cfg, done, o.usageErr("%v", o.fromEnv(err))
	}
	cfg.UserCluster = true // no member stopped, no compaction: not ours
	p := cfg.Prefix
	ep := strings.Join(cfg.Conn.Endpoints, ",")
	o.abort.add(func() {
		o.errLine(o.lang.Msg("keys may remain under %s: ETCDCTL_ENDPOINTS=%s etcdctl del --prefix %s", p, ep, p))
	})
	return cfg, done, exitOK
}

// jsonEvent is a line of check --json (docs/exercises.md).
type jsonEvent struct {
	Event     string                `json:"event"` // exercise, check, build, result
	ID        string                `json:"id"`
	Title     string                `json:"title,omitempty"`
	Check     *exercise.CheckResult `json:"check,omitempty"`
	Output    string                `json:"output,omitempty"`
	Passed    *bool                 `json:"passed,omitempty"`
	Skipped   string                `json:"skipped,omitempty"` // why the exercise was not checked here
	ElapsedMS int64                 `json:"elapsed_ms,omitempty"`
}

func cmdHint(ctx context.Context, o *options, args []string) int {
	ex, code := o.findExercise("hint", args)
	if code != exitOK {
		return code
	}
	var b strings.Builder
	for i, h := range ex.Hints {
		fmt.Fprintf(&b, "%d. %s\n", i+1, o.lang.Text(h))
	}
	fmt.Fprintf(&b, "%s\n", o.lang.Msg("Read: the %s lesson (etcdtour run %s) and %s", ex.Lesson, ex.Lesson, exercise.DocPage(o.lang, ex.Doc)))
	return o.write(b.String())
}

func cmdSolution(ctx context.Context, o *options, args []string) int {
	ex, code := o.findExercise("solution", args)
	if code != exitOK {
		return code
	}
	if !o.ex.force {
		dir, code := o.findWorkspace()
		if code != exitOK {
			return code
		}
		p, err := workspace.LoadProgress(dir)
		if err != nil {
			return o.fail(err)
		}
		if _, ok := p.Passed[ex.ID]; !ok {
			return o.usageErr("%s has not passed yet: etcdtour check %s first, or etcdtour solution %s --force", ex.ID, ex.ID, ex.ID)
		}
	}
	files, err := ex.Source("solution")
	if err != nil {
		return o.fail(err)
	}
	var b strings.Builder
	for _, f := range files {
		fmt.Fprintf(&b, "// %s\n%s\n", f.Path, f.Data)
	}
	return o.write(b.String())
}

func cmdReset(ctx context.Context, o *options, args []string) int {
	ex, code := o.findExercise("reset", args)
	if code != exitOK {
		return code
	}
	dir, code := o.findWorkspace()
	if code != exitOK {
		return code
	}
	files, err := ex.Source("starter")
	if err != nil {
		return o.fail(err)
	}
	backups, err := workspace.Reset(dir, files, time.Now())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return o.fail(o.lang.Err("resetting %s: %v", ex.ID, err))
	}
	// The starter has not passed: the exercise is to do again.
	progress, err := workspace.LoadProgress(dir)
	if err != nil {
		return o.fail(err)
	}
	_, passed := progress.Passed[ex.ID]
	if passed {
		delete(progress.Passed, ex.ID)
		if err := progress.Save(dir); err != nil {
			return o.fail(err)
		}
	}
	var b strings.Builder
	for _, bk := range backups {
		fmt.Fprintf(&b, "%s\n", o.lang.Msg("your %s is kept in %s", strings.TrimPrefix(filepath.ToSlash(bk), workspace.Hidden+"/backup/"), bk))
	}
	fmt.Fprintf(&b, "%s\n", o.lang.Msg("%s is back to its starter", ex.ID))
	if passed {
		fmt.Fprintf(&b, "%s\n", o.lang.Msg("%s is not passed any more", ex.ID))
	}
	return o.write(b.String())
}
