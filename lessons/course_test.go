package lessons_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"go.uber.org/goleak"

	"etcdtour/lessons"
	"etcdtour/runner"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestCourseIsValid(t *testing.T) {
	if err := runner.Validate(lessons.Course); err != nil {
		t.Fatal(err)
	}
	// Every lesson's source is built into the binary: show prints it and
	// each step shows its code from it.
	for _, l := range lessons.Course {
		src, err := lessons.Code.Show(l)
		if err != nil {
			t.Errorf("%s: %v", l.ID, err)
			continue
		}
		if !strings.Contains(src, "ID:") || !strings.Contains(src, "t.Step(") {
			t.Errorf("%s: show prints no lesson variable or no step:\n%s", l.ID, src)
		}
	}
}

// TestCourse runs every lesson as its own subtest against one embedded etcd.
// A lesson fails here when any of its checks fails or it returns an error.
func TestCourse(t *testing.T) {
	srv, err := runner.StartEmbedded(runner.EmbeddedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	t.Run("lessons", func(t *testing.T) {
		for _, l := range lessons.Course {
			t.Run(l.ID, func(t *testing.T) {
				// Each lesson has its own key prefix, so they can run at once.
				t.Parallel()
				rec := &runner.Recorder{}
				sum, err := runner.Run(context.Background(), runner.Config{
					Conn:     runner.Conn{Endpoints: []string{srv.Endpoint()}},
					Reporter: rec,
					Code:     lessons.Code,
				}, []runner.Lesson{l})
				if err != nil {
					t.Fatal(err)
				}
				checks := 0
				for _, e := range rec.Events {
					if e.Kind == runner.KindCheck {
						checks++
					}
				}
				checkSayWidth(t, rec)
				r := sum.Lessons[0]
				if r.Status != runner.StatusPassed {
					t.Errorf("%s %s: %s; failed checks: %q\n%s", l.ID, r.Status, r.Error, r.Failures, rec.String())
				}
				if checks == 0 {
					t.Errorf("%s made no checks: a lesson's checks are its assertions", l.ID)
				}
			})
		}
	})
}

// maxSayWidth is the widest line a lesson may Say: the console indents it
// by 5 columns, and presenters use 80-column terminals.
const maxSayWidth = 74

// checkSayWidth fails t for every line of a Say wider than maxSayWidth.
func checkSayWidth(t *testing.T, rec *runner.Recorder) {
	t.Helper()
	for _, e := range rec.Events {
		if e.Kind != runner.KindSay {
			continue
		}
		for _, line := range strings.Split(e.Text, "\n") {
			if n := utf8.RuneCountInString(line); n > maxSayWidth {
				t.Errorf("%s step %d says a line of %d columns, more than %d: %q", e.Lesson, e.Step, n, maxSayWidth, line)
			}
		}
	}
}

// normalise replaces what changes from run to run: ports, lease IDs and
// durations.
func normalise(s string) string {
	for _, r := range []struct{ re, repl string }{
		{`127\.0\.0\.1:\d+`, "127.0.0.1:PORT"},
		{`\b[0-9a-f]{16}\b`, "LEASEID"},
		{`\(\d+(\.\d+)?(ms|s|µs)\)`, "(DURATION)"},
		{` +\d+(\.\d+)?(ms|s|µs)\n`, " DURATION\n"},
		{`etcd \d+\.\d+\.\d+`, "etcd VERSION"},
		{`\.go:\d+\)`, ".go:LINE)"},
	} {
		s = regexp.MustCompile(r.re).ReplaceAllString(s, r.repl)
	}
	return s
}

// TestGoldenPutGet compares the narration of the put-get lesson with
// testdata/put-get.golden. Run "go test ./lessons -run Golden -update" to
// rewrite it after changing the lesson on purpose.
func TestGoldenPutGet(t *testing.T) {
	srv, err := runner.StartEmbedded(runner.EmbeddedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	rec := &runner.Recorder{}
	if _, err := runner.Run(context.Background(), runner.Config{
		Conn:     runner.Conn{Endpoints: []string{srv.Endpoint()}},
		RunID:    "golden",
		Reporter: rec,
		Code:     lessons.Code,
	}, []runner.Lesson{lessons.PutGet}); err != nil {
		t.Fatal(err)
	}
	got := normalise(rec.String())
	golden := filepath.Join("testdata", "put-get.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("narration differs from %s (rerun with -update if the change is intended):\n--- got\n%s\n--- want\n%s", golden, got, want)
	}
}
