// Package runner runs etcdtour lessons against an etcd server and reports what
// they do. Lessons never print: they narrate and check through the *T they are
// handed, and a Reporter decides how that looks.
//
// It owns the lesson model (Lesson, Needs, Validate, Select: lesson.go), the
// lesson's handle T, narrator and client (t.go), the run and its events (Run,
// Config, Event, Reporter: run.go, event.go), and what a lesson's client is
// made of: its namespace and guards (guard.go), tracked leases (client.go),
// the fence against late writes (fence.go), the etcdctl line of every request
// (wire.go, concurrency.go), and the clean-up through whichever members
// answer (quorum.go), and what an Observer may see of a lesson from the
// runner's side (observe.go). How the run is shown is runner/report's; the lessons'
// source is runner/source's.
package runner

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"etcdtour/runner/i18n"
	"etcdtour/runner/suggest"
)

// A Lesson is one unit of the course.
type Lesson struct {
	// ID names the lesson on the command line: lower-case words joined by
	// '-', unique within the course, such as "put-get".
	ID string
	// Title is a short human title, such as "Put and Get".
	Title string
	// Doc says in a sentence or two what the lesson teaches.
	Doc string
	// Run performs the lesson: a function of the course's package, whose
	// code the runner shows step by step and "show --program" turns into
	// a program (see Code). It works only through t.Client (whose keys
	// live under the lesson's own prefix), narrates and checks through t,
	// and returns an error when it cannot go on. It must return once ctx is
	// done. The runner deletes the lesson's keys and revokes the leases it
	// granted afterwards, whatever Run returned.
	Run func(ctx context.Context, t *T) error
	// Needs says what server the lesson must have to itself; the zero
	// value means any etcd, a user's cluster included. A lesson that
	// compacts, defragments, or stops members asks for its own (see
	// Needs and T.Cluster).
	Needs Needs
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// Validate reports every problem with a course: empty or duplicate IDs, IDs
// that are not lower-case words joined by '-', empty titles or docs, and nil
// Run functions.
func Validate(course []Lesson) error {
	var errs []error
	if len(course) == 0 {
		errs = append(errs, errors.New("course has no lessons"))
	}
	seen := map[string]int{}
	for i, l := range course {
		where := fmt.Sprintf("lesson %d (%q)", i+1, l.ID)
		switch {
		case l.ID == "":
			errs = append(errs, fmt.Errorf("lesson %d: empty ID", i+1))
		case !idPattern.MatchString(l.ID):
			errs = append(errs, fmt.Errorf("%s: ID must be lower-case words joined by '-'", where))
		}
		if j, dup := seen[l.ID]; dup && l.ID != "" {
			errs = append(errs, fmt.Errorf("%s: duplicate ID, also lesson %d", where, j+1))
		}
		seen[l.ID] = i
		if l.Title == "" {
			errs = append(errs, fmt.Errorf("%s: empty title", where))
		}
		if l.Doc == "" {
			errs = append(errs, fmt.Errorf("%s: empty doc", where))
		}
		if l.Run == nil {
			errs = append(errs, fmt.Errorf("%s: nil Run", where))
		}
		if m := l.Needs.Members; m != 0 && m != 1 && m != 3 {
			errs = append(errs, fmt.Errorf("%s: Needs.Members is %d: a lesson's own cluster has 1 or 3 members", where, m))
		}
	}
	return errors.Join(errs...)
}

// Select returns the lessons args name, in course order, each once. An
// argument is a lesson ID in any case, its 1-based number, or a range of
// numbers "N-M". Its errors are in lang; an argument that is neither an ID
// nor a number gives an *UnknownLessonError.
func Select(lang i18n.Lang, course []Lesson, args []string) ([]Lesson, error) {
	if len(args) == 0 {
		return course, nil
	}
	chosen := make([]bool, len(course))
	for _, a := range args {
		if i := indexOf(course, a); i >= 0 {
			chosen[i] = true
			continue
		}
		lo, hi, err := parseRange(lang, a, len(course))
		if errors.Is(err, errNotNumber) {
			return nil, unknownLesson(lang, course, a)
		}
		if err != nil {
			return nil, err
		}
		for i := lo; i <= hi; i++ {
			chosen[i-1] = true
		}
	}
	var out []Lesson
	for i, l := range course {
		if chosen[i] {
			out = append(out, l)
		}
	}
	return out, nil
}

func indexOf(course []Lesson, id string) int {
	for i, l := range course {
		if strings.EqualFold(l.ID, id) {
			return i
		}
	}
	return -1
}

// An UnknownLessonError is Select's error for an argument that is neither
// a lesson ID nor a number: Suggestion is the ID it most likely misspells
// (such as "put-get" for "put-gte"), or "" when none is close, and the
// caller may then list them all.
type UnknownLessonError struct {
	Arg, Suggestion string
	text            string // in the language Select was given
}

func (e *UnknownLessonError) Error() string { return e.text }

func unknownLesson(lang i18n.Lang, course []Lesson, a string) error {
	ids := make([]string, len(course))
	for i, l := range course {
		ids[i] = l.ID
	}
	e := &UnknownLessonError{Arg: a, text: lang.Msg("unknown lesson %q", a)}
	if s, ok := suggest.Closest(a, ids); ok {
		e.Suggestion = s
		e.text = lang.Msg("unknown lesson %q: did you mean %q?", a, s)
	}
	return e
}

// errNotNumber is parseRange's error for an argument that is not "N" or
// "N-M" at all.
var errNotNumber = errors.New("not a lesson number")

// parseRange parses "N" or "N-M" within 1..n.
func parseRange(lang i18n.Lang, a string, n int) (lo, hi int, err error) {
	bad := errNotNumber
	l, h, isRange := strings.Cut(a, "-")
	if lo, err = strconv.Atoi(l); err != nil {
		return 0, 0, bad
	}
	hi = lo
	if isRange {
		if hi, err = strconv.Atoi(h); err != nil {
			return 0, 0, bad
		}
	}
	if lo > hi && lo <= n && hi >= 1 {
		return 0, 0, lang.Err("lesson range %q is backwards: write %d-%d", a, hi, lo)
	}
	if lo < 1 || hi > n || lo > hi {
		return 0, 0, lang.Err("lesson number %q out of range: the course has lessons 1 to %d", a, n)
	}
	return lo, hi, nil
}
