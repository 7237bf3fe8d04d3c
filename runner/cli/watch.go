package cli

// etcdtour watch: the exercise being worked on, checked again on every
// save (runner/exwatch), on one etcd for the whole watch.

import (
	"context"
	"errors"

	"etcdtour/lessons/exercises"
	"etcdtour/runner/exercise"
	"etcdtour/runner/exwatch"
	"etcdtour/runner/report"
	"etcdtour/runner/tty"
)

var watchCommand = &command{
	name:  "watch",
	short: "work on the exercises: each save is checked again",
	long: `Watch shows the exercise you are working on and its last result, and checks it
again each time you save its file; once it passes, it moves on to the next.
Keys: h a hint, l the list (then a number to go to one), n the next exercise
(once this one passed), r put the starter back (asks first; yours is kept in
.etcdtour/backup/), q quit. The checks run as etcdtour check runs them: on an
embedded etcd, or yours with --endpoints. Progress is saved in the workspace.
`,
	flags: checkFlags,
	run:   cmdWatch,
}

func cmdWatch(ctx context.Context, o *options, args []string) int {
	if len(args) > 0 {
		return o.usageErr("watch takes no arguments, got %q: it starts at the first exercise not passed", args)
	}
	if o.jsonOut {
		return o.usageErr("watch has no --json: it is for a person at a terminal; use etcdtour check --json")
	}
	if err := exercise.Validate(exercises.List); err != nil {
		return o.fail(o.lang.Err("the exercises are broken: %v", err))
	}
	dir, code := o.findWorkspace()
	if code != exitOK {
		return code
	}
	cfg, done, code := o.checkConfig(dir)
	if code != exitOK {
		return code
	}
	defer done()
	// On --endpoints, without the exercises that need the checker's own
	// etcd (check says so, one line each).
	var list []exercise.Exercise
	for _, e := range exercises.List {
		if exercise.Skipped(cfg, e) == "" {
			list = append(list, e)
		}
	}
	wo := exwatch.Options{
		Dir: dir, List: list, Lang: o.lang, Out: o.stdout,
		Check: func(ctx context.Context, ex exercise.Exercise) (exercise.Result, error) {
			return exercise.Verify(ctx, cfg, ex)
		},
	}
	if isTerminal(o.stdout) {
		wo.Clear = true
		wo.Width = func() int { return report.Columns }
		if term := tty.Take(o.stdin); term != nil {
			defer term.Restore()
			o.abort.add(term.Restore)
			wo.Keys = term
			wo.Width = func() int {
				if c, _ := term.Size(); c > 0 {
					return c
				}
				return report.Columns
			}
		}
	}
	err := exwatch.Run(ctx, wo)
	switch {
	case err == nil, errors.Is(err, exwatch.ErrQuit):
		return exitOK
	case ctx.Err() != nil:
		return exitInterrupted
	}
	return o.fail(err)
}
