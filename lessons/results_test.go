package lessons_test

import (
	"regexp"
	"strings"
	"testing"

	"etcdtour/runner"
	"etcdtour/runner/runnertest"
)

// checkResults fails t for an etcdctl line of the console's output with no
// result, and for a check said before the result it is about.
func checkResults(t *testing.T, rec *runnertest.Recorder) {
	t.Helper()
	for _, p := range noResult(rec.String()) {
		t.Error(p)
	}
	for _, p := range checkFirst(rec.Events()) {
		t.Error(p)
	}
}

// stream matches the etcdctl lines of streams (written by the lesson, not
// rendered from one request): their results are the events that come
// later, as the stream runs.
var stream = regexp.MustCompile(`^     \$ (ETCDCTL_\S+ )?etcdctl (--endpoints=\S+ )?(watch|lock|elect|lease keep-alive)\b`)

// noResult lists, in console output, each etcdctl line that has no result:
// "# → " on its line, or a "→" line before the next etcdctl line or
// heading (code may come between: a goroutine of the lesson's may go on
// while a request waits for its answer); a stream's before its lesson
// ends.
func noResult(out string) []string {
	lines := strings.Split(out, "\n")
	var probs []string
	for i, l := range lines {
		if !strings.HasPrefix(l, "     $ ") || strings.Contains(l, " → ") {
			continue
		}
		isStream := stream.MatchString(l)
		found := false
		for _, m := range lines[i+1:] {
			if strings.HasPrefix(m, "     → ") {
				found = true
				break
			}
			lessonEnd := strings.HasPrefix(m, "━━") || strings.HasPrefix(m, "  cleanup")
			// The next etcdctl line, step or the lesson's end.
			next := strings.HasPrefix(m, "     $ ") || strings.HasPrefix(m, "  ") && !strings.HasPrefix(m, "   ")
			if isStream && lessonEnd || !isStream && next {
				break
			}
		}
		if !found {
			probs = append(probs, "an etcdctl line with no result: "+strings.TrimSpace(l))
		}
	}
	return probs
}

// checkFirst lists each check that a result of the lesson's follows with
// no request, step or wait between and no code shown between them in the
// step's source: the result the check is about came after it.
func checkFirst(events []runner.Event) []string {
	var probs []string
	var lines []runner.CodeLine // the step's
	for i, e := range events {
		if e.Kind == runner.KindStep {
			lines = e.Lines
		}
		if e.Kind != runner.KindCheck || e.Line == 0 {
			continue
		}
	next:
		for _, f := range events[i+1:] {
			switch f.Kind {
			case runner.KindResult:
				if f.Step == e.Step && f.Line > e.Line && !codeBetween(lines, e.Line, f.Line) {
					probs = append(probs, "a check before the result it is about: "+e.Text+" | "+f.Text)
				}
				break next
			case runner.KindEtcdctl, runner.KindRequest, runner.KindStep, runner.KindWait, runner.KindLessonEnd:
				break next
			}
		}
	}
	return probs
}

// codeBetween reports whether a line of code the console shows (not
// boilerplate, not what only narration needs) starts between source lines
// from and to.
func codeBetween(lines []runner.CodeLine, from, to int) bool {
	for _, l := range lines {
		if l.Text != "" && !l.Boilerplate && !l.Narration && l.From > from && l.From < to {
			return true
		}
	}
	return false
}

func TestResultProblems(t *testing.T) {
	for _, c := range []struct {
		out  string
		want int
	}{
		{"     │ put, err := cli.Put(ctx1, \"k\", \"v\")\n     $ etcdctl put /p/k v  # → revision=2\n     ✓ ok\n", 0},
		{"     $ etcdctl put /p/k v\n     → revision=2\n     ✓ ok\n", 0},
		{"     $ etcdctl get --rev=8 /p/k\n     ✓ ok\n     │ none, err := cli.Delete(ctx1, \"k\")\n     $ etcdctl del /p/k\n     → deleted=0\n", 1},
		{"     $ etcdctl watch /p/k\n     │ x := 1\n     → PUT \"k\"\n", 0},
		{"     $ etcdctl watch /p/k\n  cleanup: nothing left behind\n", 1},
	} {
		if got := noResult(c.out); len(got) != c.want {
			t.Errorf("%q: %d problems %q, want %d", c.out, len(got), got, c.want)
		}
	}
	ok := true
	for _, c := range []struct {
		events []runner.Event
		want   int
	}{
		{[]runner.Event{{Kind: runner.KindEtcdctl}, {Kind: runner.KindCheck, OK: &ok, Line: 62}, {Kind: runner.KindResult, Line: 64}}, 1},
		{[]runner.Event{{Kind: runner.KindEtcdctl}, {Kind: runner.KindResult, Line: 62}, {Kind: runner.KindCheck, OK: &ok, Line: 64}}, 0},
		{[]runner.Event{{Kind: runner.KindCheck, OK: &ok, Line: 62}, {Kind: runner.KindEtcdctl}, {Kind: runner.KindResult, Line: 64}}, 0},
		{[]runner.Event{{Kind: runner.KindStep, Lines: []runner.CodeLine{{Text: "x := 1", From: 63, To: 63}}}, {Kind: runner.KindCheck, OK: &ok, Line: 62}, {Kind: runner.KindResult, Line: 64}}, 0},
	} {
		if got := checkFirst(c.events); len(got) != c.want {
			t.Errorf("%v: %d problems %q, want %d", c.events, len(got), got, c.want)
		}
	}
}
