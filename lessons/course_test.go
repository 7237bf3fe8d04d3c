package lessons_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"etcdtour/lessons"
	"etcdtour/runner"
	"etcdtour/runner/i18n"
	"etcdtour/runner/runnertest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestMain(m *testing.M) {
	stop := startPrograms()
	code := runnertest.Main(m)
	stop()
	os.Exit(code)
}

func TestCourseIsValid(t *testing.T) {
	t.Parallel()
	if err := runner.Validate(lessons.Course); err != nil {
		t.Fatal(err)
	}
	// Every lesson's source is built into the binary: show prints it and
	// each step shows its code from it.
	for _, l := range lessons.Course {
		src, err := sourceCode.Show(l)
		if err != nil {
			t.Errorf("%s: %v", l.ID, err)
			continue
		}
		if !strings.Contains(src, "ID:") || !strings.Contains(src, "t.Step(") {
			t.Errorf("%s: show prints no lesson variable or no step:\n%s", l.ID, src)
		}
	}
}

// maxLessonLines is the longest a lesson may be, as "etcdtour show ID"
// prints it: its files and every helper it uses, shared ones included. One
// screen or two, like etcd's examples; a lesson that cannot fit is two.
const maxLessonLines = 200

func TestLessonsShort(t *testing.T) {
	t.Parallel()
	for _, l := range lessons.Course {
		show, err := sourceCode.Show(l)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Count(show, "\n")
		if lines > maxLessonLines {
			t.Errorf("etcdtour show %s prints %d lines, more than %d: make its steps shorter, or split the lesson", l.ID, lines, maxLessonLines)
		}
	}
}

// lessonFiles is the package's source files, tests and the Chinese
// catalog (zh.go: data, not code) left out, by name.
func lessonFiles(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "zh.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = b
	}
	if len(out) < len(lessons.Course) {
		t.Fatalf("read %d files for %d lessons: the glob is broken", len(out), len(lessons.Course))
	}
	return out
}

// TestCourse runs every lesson as its own subtest against the package's
// embedded etcd. A lesson fails here when any of its checks fails or it
// returns an error; every step must show its Go code. The run narrates in
// English and, beside it, in Chinese (each event's Format and Args): what each says must
// fit in both, from the one run of the course this package makes. It is
// not parallel with the package's other tests (its lessons run at once
// among themselves): its lessons wait on timers as short as the server
// allows, one-second leases among them, and beside the programs' build and
// the lies, under -race on two cores, renewals came late enough to lose
// them (keepalive, election).
//
// Its lessons with an etcd of their own run one at a time (the harness
// lets two go at once, as TestChecksCanFail's): each cluster's raft takes
// CPU from the one-second leases the others wait on.
func TestCourse(t *testing.T) {
	var own sync.Mutex
	for _, l := range lessons.Course {
		t.Run(l.ID, func(t *testing.T) {
			t.Parallel()
			if l.Needs.Members > 0 {
				own.Lock()
				defer own.Unlock()
			}
			testLesson(t, l)
		})
	}
}

// testLesson runs lesson l and checks what it reported.
func testLesson(t *testing.T, l runner.Lesson) {
	// Each run has its own key prefix, so they can run at once.
	sum, rec := runnertest.Run(t, runner.Config{Code: sourceCode}, l)
	runnertest.MustPass(t, sum, rec)
	if len(runnertest.Events(rec, runner.KindCheck)) == 0 {
		t.Errorf("%s made no checks: a lesson's checks are its assertions", l.ID)
	}
	steps := runnertest.Events(rec, runner.KindStep)
	if len(steps) == 0 {
		t.Errorf("%s has no steps", l.ID)
	}
	for _, e := range steps {
		if strings.TrimSpace(e.Code) == "" {
			t.Errorf("%s step %d (%s) shows no Go code", l.ID, e.Step, e.Text)
		}
	}
	zh := inLang(t, rec, l, chinese)
	for _, r := range []*runnertest.Recorder{rec, zh} {
		checkSayWidth(t, r)
		checkConsoleFits(t, r)
		checkResults(t, r)
	}
	checkHandLines(t, rec)
	checkEtcdctlAccepted(t, rec)
}

// inLang is the run rec recorded as it reads in lang: the narration
// translated from each event's Format and Args, the lesson's title and doc
// translated, the console's own words in lang. It fails t where a
// narration event has no Format: it could not be translated.
func inLang(t *testing.T, rec *runnertest.Recorder, l runner.Lesson, lang i18n.Lang) *runnertest.Recorder {
	t.Helper()
	out := &runnertest.Recorder{Lang: lang}
	for _, e := range rec.Events() {
		switch e.Kind {
		case runner.KindStep, runner.KindSay, runner.KindResult, runner.KindWait, runner.KindCheck:
			if e.Format == "" {
				t.Errorf("%s step %d: a %s event with no Format to say it in %s: %q", l.ID, e.Step, e.Kind, lang, e.Text)
			}
			e.Text = lang.Msg(e.Format, e.Args...)
		case runner.KindLessonStart:
			e.Title, e.Text = lang.Text(l.Title), lang.Text(l.Doc)
		}
		out.Report(e)
	}
	return out
}

// checkHandLines checks each etcdctl line a lesson wrote by hand (for a
// watch, a lock, a keep-alive: calls whose requests do not render as one
// line) against the requests the client sent after it: the watch's create
// request is the same command; a lock's transaction creates a key under
// the lock's name, and so does a campaign's under the election's; a
// listen (elect --listen) reads or watches the election's keys; a
// keep-alive renews the lease named.
func checkHandLines(t *testing.T, rec *runnertest.Recorder) {
	t.Helper()
	events := rec.Events()
	for i, e := range events {
		if e.Kind != runner.KindEtcdctl || e.Request != "" {
			continue
		}
		words, text := strings.Fields(e.Text), e.Text
		if strings.HasPrefix(words[1], "--endpoints=") {
			// A line for one member (watch-away): the request is
			// the same command, sent to that member.
			words = append(words[:1], words[2:]...)
			text = strings.Join(words, " ")
		}
		match := func(r runner.Event) bool {
			switch {
			case words[1] == "watch":
				return r.Request == "Watch" && r.Text == text
			case words[1] == "lock":
				return r.Request == "Txn" && strings.Contains(r.Text, `create("`+words[2]+`/`)
			case words[1] == "elect" && words[2] == "--listen":
				return (r.Request == "Range" || r.Request == "Watch") && strings.Contains(r.Text, " "+words[3]+"/")
			case words[1] == "elect":
				return r.Request == "Txn" && strings.Contains(r.Text, `create("`+words[2]+`/`)
			case words[1] == "lease" && words[2] == "keep-alive":
				return r.Request == "LeaseKeepAlive" && strings.HasSuffix(r.Text, " "+words[len(words)-1])
			}
			t.Errorf("%s: a hand-written etcdctl line the test cannot check: %s", e.Lesson, e.Text)
			return true
		}
		if !slices.ContainsFunc(events[i+1:], func(r runner.Event) bool {
			return (r.Kind == runner.KindRequest || r.Kind == runner.KindEtcdctl) && r.Request != "" && match(r)
		}) {
			t.Errorf("%s step %d: %q is followed by no request that does what it does", e.Lesson, e.Step, e.Text)
		}
	}
}

// chinese is the language of --lang zh, with the lessons' texts.
var chinese = runnertest.Chinese(lessons.Chinese())

// maxSayWidth is the widest line a lesson may Say, in columns (a Chinese
// character takes two): the console indents it by 5 columns, and
// presenters use 80-column terminals.
const maxSayWidth = 74

// checkSayWidth fails t for every line of a Say wider than maxSayWidth.
func checkSayWidth(t *testing.T, rec *runnertest.Recorder) {
	t.Helper()
	for _, e := range rec.Events() {
		if e.Kind != runner.KindSay {
			continue
		}
		for _, line := range strings.Split(e.Text, "\n") {
			if n := rec.Lang.Width(line); n > maxSayWidth {
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
		{`（\d+(\.\d+)?(ms|s|µs)）`, "（DURATION）"},
		{` +\d+(\.\d+)?(ms|s|µs)\n`, " DURATION\n"},
		{`etcd \d+\.\d+\.\d+`, "etcd VERSION"},
		{`\.go:\d+\)`, ".go:LINE)"},
		// The server is shared with tests that run at the same time.
		{`(?i)(revision\D{0,3}|--rev=|修订号\D{0,3})\d+`, "${1}N"},
	} {
		s = regexp.MustCompile(r.re).ReplaceAllString(s, r.repl)
	}
	return s
}

// TestGoldenPutGet compares the narration of the put-get lesson with
// testdata/put-get.golden, and in Chinese with put-get.zh.golden. Run
// "go test ./lessons -run Golden -update" to rewrite them after changing
// the lesson or its translation on purpose.
func TestGoldenPutGet(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		lang i18n.Lang
		file string
	}{{i18n.English, "put-get.golden"}, {chinese, "put-get.zh.golden"}} {
		t.Run(c.lang.String(), func(t *testing.T) {
			t.Parallel()
			golden(t, c.lang, filepath.Join("testdata", c.file))
		})
	}
}

func golden(t *testing.T, lang i18n.Lang, golden string) {
	// A prefix of its own: TestCourse runs put-get at the same time.
	_, rec := runnertest.Run(t, runner.Config{Prefix: "/golden/", RunID: "golden-" + lang.String(), Code: sourceCode, Lang: lang}, lessons.PutGet)
	// What changes from run to run is replaced in each event before the
	// console renders it, so that where it breaks a long line does not
	// change with the length of a revision or a port.
	norm := func(s string) string { return normalise(strings.ReplaceAll(s, "golden-"+lang.String(), "golden")) }
	fixed := &runnertest.Recorder{Lang: lang}
	for _, e := range rec.Events() {
		if e.Kind == runner.KindSay && strings.HasPrefix(e.Format, "(the cluster was slow, not the lesson") {
			continue // a busy machine's, not the lesson's (runner/slow.go)
		}
		e.Text, e.Code, e.Got, e.Want, e.Error, e.Env = norm(e.Text), norm(e.Code), norm(e.Got), norm(e.Want), norm(e.Error), norm(e.Env)
		fixed.Report(e)
	}
	got := norm(fixed.String())
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
