// Package exercise owns the exercises' engine: the Exercise value (its
// task, hints, files and checks), the build of the learner's package with
// a driver of ours, and the run of each check against the learner's code,
// in a process of its own, under the checker's control.
//
// The learner's code never runs in etcdtour's process. For each exercise a
// driver (driver/runtime.go and the exercise's own calls.go) is built in
// the workspace's hidden .etcdtour/build/ID/ with the learner's package;
// for each check the engine starts it in a process group of its own and
// talks to it over two pipes (commands on fd 3, events on fd 4): call a
// function of the learner's, cancel it, pause after the next response of
// a gRPC method (the learner's Get, say) and go on. The driver's client is
// namespaced under the check's prefix, so the learner's code reaches only
// its own keys. A check that outlives its time limit, a panic, an os.Exit
// or a deadlock end the process; the check's keys and leases are deleted
// after it, also then.
//
// Content (the exercises themselves) lives beside the lessons, in package
// lessons/exercises; the workspace (files, progress) is runner/workspace's.
package exercise

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"etcdtour/runner/i18n"
	"etcdtour/runner/workspace"
)

// An Exercise is one task: a package the learner writes in their
// workspace, and the checks that attack it. It is a value in the ordered
// list of package lessons/exercises.
type Exercise struct {
	// ID names the exercise on the command line ("put-get") and is its
	// directory in the workspace; lowercase letters, digits and dashes.
	ID string
	// Title is one line, in English (the catalog has its Chinese).
	Title string
	// Lesson is the ID of the lesson that teaches what the exercise asks.
	Lesson string
	// Doc is the docs page to read first, relative to the repository,
	// such as "docs/put-get.md".
	Doc string
	// Hints are said one at a time by etcdtour hint, in English.
	Hints []string
	// Files holds the exercise's Go: starter/ (what init writes: the task
	// in its doc comment, bodies that return "not implemented"),
	// solution/ (the reference solution), wrong/NAME/ (one plausible wrong
	// solution each, see Mistakes), and calls.go, the driver's table of the
	// learner's functions (package main, importing "exercises/ID").
	Files fs.FS
	// Members > 0 runs the checks on an embedded cluster of the checker's
	// own with that many members (1 or 3), as a lesson's Needs does:
	// started for the exercise, removed after it, its stopped members
	// started again after each check. A check may stop and restart its
	// members, move its leader and compact it (Code.Cluster, Code.Etcd).
	// On a cluster the user named (Config.UserCluster) the exercise is
	// skipped.
	Members int
	// Checks run in order, each in a process and under a prefix of its
	// own; the first that fails ends the run.
	Checks []Check
	// Concurrent runs the checks at the same time instead, for checks
	// that mostly wait (for a lease's TTL, for a lock) and count on no
	// revision of the store: the others' writes take revisions between
	// theirs. They are still reported in order; after the first that
	// fails, the later ones are stopped and reported not run.
	Concurrent bool
	// Mistakes are the wrong solutions in Files and what the checker says
	// about each: the tests prove that each fails as it says.
	Mistakes []Mistake
}

// Package is the Go package name of the exercise: its ID without dashes.
func (e Exercise) Package() string { return strings.ReplaceAll(e.ID, "-", "") }

// A Check is one attack on the learner's code, reported as one ✓ or ✗
// line.
type Check struct {
	// Name is the check's line, in English: what the code must do.
	Name string
	// Step is the lesson step that teaches it, such as "put-get, step 3"
	// (said under a ✗).
	Step string
	// Timeout bounds the check; zero means DefaultTimeout. The learner's
	// process is killed when it passes.
	Timeout time.Duration
	// Members, for an exercise with Members, are the members (indexes)
	// whose addresses the learner's client is given, as a client
	// configured with one member's address: stopping that member cuts it
	// off until the member is back. Nil gives it every member's.
	Members []int
	// Run attacks the code. It returns nil when the code did right, a
	// *Failure (Code.Fail) saying what went wrong in the learner's terms,
	// or the error of a Code call (the learner's function returned an
	// error, or its process died), which the engine says itself. Any other
	// error is the checker's own trouble (etcd unreachable).
	Run func(ctx context.Context, c *Code) error
}

// DefaultTimeout bounds a check with no Timeout of its own.
const DefaultTimeout = 10 * time.Second

// A Mistake is a wrong solution that an exercise's files hold, under
// wrong/Dir/, and the check that must catch it.
type Mistake struct {
	// Dir is the solution's directory under wrong/.
	Dir string
	// Bug says in one line what is wrong with it (docs/exercises.md).
	Bug string
	// Check is the Name of the check that must fail.
	Check string
	// Says is a part of the ✗ explanation, in English, that names the bug.
	Says string
}

// Validate reports the first problem with a list of exercises: an empty
// or repeated ID, a missing title, lesson, hint, file or check.
func Validate(list []Exercise) error {
	seen := map[string]bool{}
	for i, e := range list {
		switch {
		case e.ID == "" || strings.Trim(e.ID, "abcdefghijklmnopqrstuvwxyz0123456789-") != "":
			return fmt.Errorf("exercise %d: ID %q: want lowercase letters, digits and dashes", i+1, e.ID)
		case seen[e.ID]:
			return fmt.Errorf("exercise %s: the ID is used twice", e.ID)
		case e.Title == "" || e.Lesson == "" || e.Doc == "":
			return fmt.Errorf("exercise %s: no title, lesson or doc", e.ID)
		case len(e.Hints) == 0:
			return fmt.Errorf("exercise %s: no hints", e.ID)
		case len(e.Checks) == 0:
			return fmt.Errorf("exercise %s: no checks", e.ID)
		case e.Files == nil:
			return fmt.Errorf("exercise %s: no files", e.ID)
		case e.Concurrent && e.Members > 0:
			return fmt.Errorf("exercise %s: checks on a cluster of the checker's own, which they stop and restore, cannot be concurrent", e.ID)
		case e.Members != 0 && e.Members != 1 && e.Members != 3:
			return fmt.Errorf("exercise %s: Members %d: want 0, 1 or 3", e.ID, e.Members)
		}
		seen[e.ID] = true
		for _, dir := range []string{"starter", "solution"} {
			if ents, err := fs.ReadDir(e.Files, dir); err != nil || len(ents) == 0 {
				return fmt.Errorf("exercise %s: no %s/ in its files", e.ID, dir)
			}
		}
		if _, err := fs.Stat(e.Files, "calls.go"); err != nil {
			return fmt.Errorf("exercise %s: no calls.go in its files", e.ID)
		}
		names := map[string]bool{}
		for _, c := range e.Checks {
			if c.Name == "" || c.Step == "" || c.Run == nil || names[c.Name] {
				return fmt.Errorf("exercise %s: check %q: no name, step or Run, or a name used twice", e.ID, c.Name)
			}
			names[c.Name] = true
			for _, m := range c.Members {
				if m < 0 || m >= e.Members {
					return fmt.Errorf("exercise %s: check %q: member %d of %d", e.ID, c.Name, m, e.Members)
				}
			}
		}
		for _, m := range e.Mistakes {
			if !names[m.Check] {
				return fmt.Errorf("exercise %s: mistake %s names no check of its: %q", e.ID, m.Dir, m.Check)
			}
			if _, err := fs.Stat(e.Files, "wrong/"+m.Dir); err != nil {
				return fmt.Errorf("exercise %s: mistake %s: no wrong/%s in its files", e.ID, m.Dir, m.Dir)
			}
		}
	}
	return nil
}

// Find returns the exercise with the given ID.
func Find(list []Exercise, id string) (Exercise, bool) {
	for _, e := range list {
		if e.ID == id {
			return e, true
		}
	}
	return Exercise{}, false
}

// A Failure is a check's finding: what the checker did and what the
// learner's code did wrong, in the learner's terms, already in their
// language.
type Failure struct{ Msg string }

func (f *Failure) Error() string { return f.Msg }

// A CallError is a learner's function that returned an error.
type CallError struct {
	Fn  string // the function
	Err string // its error's message
}

func (e *CallError) Error() string { return e.Fn + ": " + e.Err }

// A Crash is the learner's process that ended while the check ran: a
// panic, an os.Exit, a log.Fatal, a fatal error of the runtime.
type Crash struct {
	Fn     string // the function that was running, "" if none
	Panic  string // the panic's value or the runtime's fatal error, if any
	Where  string // the learner's file:line where it happened, if known
	Status string // how the process ended ("exit status 3")
	Output string // the end of what the process wrote to stdout and stderr
}

func (c *Crash) Error() string {
	if c.Panic != "" {
		return "panic: " + c.Panic
	}
	return c.Status
}

// errTimeout is a check that ran out of time.
var errTimeout = errors.New("time limit")

// explain is a check's error as the one or two lines under its ✗.
func explain(lang i18n.Lang, err error, limit time.Duration) []string {
	var f *Failure
	var ce *CallError
	var cr *Crash
	switch {
	case errors.As(err, &f):
		return strings.Split(f.Msg, "\n")
	case errors.As(err, &ce):
		if strings.Contains(ce.Err, "not implemented") {
			return []string{lang.Msg("%s returned %q: write it (the task is in its doc comment)", ce.Fn, ce.Err)}
		}
		return []string{lang.Msg("%s returned an error: %s", ce.Fn, ce.Err)}
	case errors.As(err, &cr):
		where := ""
		if cr.Where != "" {
			where = lang.Msg(" at %s", cr.Where)
		}
		switch {
		case cr.Panic != "" && cr.Fn != "":
			return []string{lang.Msg("%s panicked%s: %s", cr.Fn, where, cr.Panic)}
		case cr.Panic != "":
			return []string{lang.Msg("your code panicked%s: %s", where, cr.Panic)}
		case cr.Fn != "":
			return []string{lang.Msg("%s ended the whole process (%s): os.Exit or log.Fatal? return an error instead", cr.Fn, cr.Status)}
		}
		return []string{lang.Msg("your code ended the whole process (%s): os.Exit or log.Fatal? return an error instead", cr.Status)}
	case errors.Is(err, errTimeout):
		return []string{lang.Msg("not done within %v: an endless loop, a deadlock, or a call without a deadline? the checker stopped it", limit)}
	}
	return []string{err.Error()}
}

// Source returns the files under sub of ex's Files ("starter", "solution",
// "wrong/NAME") as files of the exercise's dir in the workspace
// ("put-get/putget.go").
func (e Exercise) Source(sub string) ([]workspace.File, error) {
	ents, err := fs.ReadDir(e.Files, sub)
	if err != nil {
		return nil, err
	}
	var out []workspace.File
	for _, ent := range ents {
		if ent.IsDir() {
			continue
		}
		b, err := fs.ReadFile(e.Files, sub+"/"+ent.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, workspace.File{Path: e.ID + "/" + ent.Name(), Data: b})
	}
	return out, nil
}
