package lessons_test

import (
	"regexp"
	"strings"
	"testing"

	"etcdtour/runner/runnertest"
)

// checkResults fails t for an etcdctl line of the console's output with no
// result, and for a check shown before the result it is about.
func checkResults(t *testing.T, rec *runnertest.Recorder) {
	t.Helper()
	for _, p := range resultProblems(rec.String()) {
		t.Error(p)
	}
}

// stream matches the etcdctl lines of streams (written by the lesson, not
// rendered from one request): their results are the events that come
// later, as the stream runs.
var stream = regexp.MustCompile(`^     \$ (ETCDCTL_\S+ )?etcdctl (--endpoints=\S+ )?(watch|lock|elect|lease keep-alive)\b`)

// resultProblems lists, in console output, each etcdctl line that has no
// result ("# → " on its line, or a "→" line before the next line of code,
// etcdctl line or heading; a stream's before its lesson ends), and each
// check followed by a result with no code or etcdctl line between: the
// result it is about came after it.
func resultProblems(out string) []string {
	lines := strings.Split(out, "\n")
	var probs []string
	// ends reports whether line l ends the search for a result: code, an
	// etcdctl line, a heading, the clean-up, the lesson's end.
	ends := func(l string) bool {
		return strings.HasPrefix(l, "     │") || strings.HasPrefix(l, "     $ ") ||
			strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "   ")
	}
	lessonEnd := func(l string) bool {
		return strings.HasPrefix(l, "━━") || strings.HasPrefix(l, "  cleanup")
	}
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "     $ ") && !strings.Contains(l, " → "):
			isStream := stream.MatchString(l)
			found := false
			for _, m := range lines[i+1:] {
				if strings.HasPrefix(m, "     → ") {
					found = true
					break
				}
				if isStream && lessonEnd(m) || !isStream && ends(m) {
					break
				}
			}
			if !found {
				probs = append(probs, "an etcdctl line with no result: "+strings.TrimSpace(l))
			}
		case strings.HasPrefix(l, "     ✓ ") || strings.HasPrefix(l, "     ✗ "):
			for _, m := range lines[i+1:] {
				if strings.HasPrefix(m, "     → ") {
					probs = append(probs, "a check before the result it is about: "+strings.TrimSpace(l)+" | "+strings.TrimSpace(m))
					break
				}
				if ends(m) || lessonEnd(m) {
					break
				}
			}
		}
	}
	return probs
}

func TestResultProblems(t *testing.T) {
	for _, c := range []struct {
		out  string
		want int
	}{
		{"     │ put, err := cli.Put(ctx1, \"k\", \"v\")\n     $ etcdctl put /p/k v  # → revision=2\n     ✓ ok\n", 0},
		{"     $ etcdctl put /p/k v\n     → revision=2\n     ✓ ok\n", 0},
		{"     $ etcdctl get --rev=8 /p/k\n     │ none, err := cli.Delete(ctx1, \"k\")\n", 1},
		{"     $ etcdctl put --prev-kv /p/k v\n     ✓ WithPrevKV returns the old pair\n     → previous: ...\n", 1},
		{"     $ etcdctl watch /p/k\n     │ x := 1\n     → PUT \"k\"\n", 0},
		{"     $ etcdctl watch /p/k\n  cleanup: nothing left behind\n", 1},
	} {
		if got := resultProblems(c.out); len(got) != c.want {
			t.Errorf("%q: %d problems %q, want %d", c.out, len(got), got, c.want)
		}
	}
}
