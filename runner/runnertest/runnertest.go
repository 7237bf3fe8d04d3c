// Package runnertest runs lessons in tests, in the spirit of analysistest:
// one embedded etcd per test binary, shared by every test of the package,
// and a Run that returns what the lessons reported.
//
//	func TestMain(m *testing.M) { os.Exit(runnertest.Main(m)) }
//
//	func TestPutGet(t *testing.T) {
//		t.Parallel()
//		sum, rec := runnertest.Run(t, runner.Config{}, lessons.PutGet)
//		...
//	}
package runnertest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"etcdtour/runner"
	"etcdtour/runner/embedded"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/i18n"
	"etcdtour/runner/report"
)

// Parallel is how many tests Main lets run at once by default.
const Parallel = 16

// ownRuns lets two runs with a lesson that has a cluster of its own go at
// a time, one under -race (see Try).
var ownRuns = make(chan struct{}, map[bool]int{false: 2, true: 1}[raceDetector])

var (
	once sync.Once
	srv  *embedded.Server
	err  error
)

// Server returns the package's embedded etcd, started on first use.
func Server(t testing.TB) *embedded.Server {
	t.Helper()
	once.Do(func() { srv, err = embedded.StartServer(embedded.ServerOptions{}) })
	if err != nil {
		t.Fatalf("embedded etcd: %v", err)
	}
	return srv
}

// Main runs the tests, stops the shared server, and fails the run if a
// goroutine was left behind. It returns the exit code for os.Exit.
//
// Unless -test.parallel is given, up to Parallel tests run at once, not
// GOMAXPROCS: lesson tests spend their time waiting for etcd's timers
// (a lease's TTL, a keep-alive's hold), not on the CPU.
//
// It pins the locale: the tests, and the binaries and etcdctl they start,
// speak English unless a test sets a language itself, so the suite passes
// under LANG=zh_CN.UTF-8 too (a test that wants Chinese sets it).
func Main(m *testing.M) int {
	PinLocale()
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", fmt.Sprint(Parallel))
	}
	code := m.Run()
	if srv != nil {
		srv.Close()
	}
	stopShared()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: goroutines left behind: %v\n", err)
			return 1
		}
	}
	return code
}

// Run runs lessons with cfg, against the shared server unless cfg.Conn names
// one, and returns the summary and the recorder that heard every event. It
// fails t if the run could not start. On the shared server, as with no
// --endpoints, lessons that need a server of their own get one (in a temp
// dir of t's), two such runs at a time (one under -race); on one cfg.Conn
// names, they are skipped unless cfg says otherwise. A cfg.Reporter hears
// every event too, after the recorder.
func Run(t testing.TB, cfg runner.Config, lessons ...runner.Lesson) (runner.Summary, *Recorder) {
	t.Helper()
	return RunContext(context.Background(), t, cfg, lessons...)
}

// RunContext is Run with ctx: cancelling it is the user's Ctrl-C.
func RunContext(ctx context.Context, t testing.TB, cfg runner.Config, lessons ...runner.Lesson) (runner.Summary, *Recorder) {
	t.Helper()
	sum, rec, err := Try(ctx, t, cfg, lessons...)
	if err != nil {
		t.Fatalf("runner.Run: %v", err)
	}
	return sum, rec
}

// Try is RunContext for a run that may not start: it returns runner.Run's
// error (a server that cannot be reached, a flag refused) instead of
// failing t.
func Try(ctx context.Context, t testing.TB, cfg runner.Config, lessons ...runner.Lesson) (runner.Summary, *Recorder, error) {
	t.Helper()
	if len(cfg.Conn.Endpoints) == 0 {
		cfg.Conn.Endpoints = []string{Server(t).Endpoint()}
		cfg.OwnServers = true
	}
	if cfg.OwnServers && cfg.TempDir == "" {
		cfg.TempDir = t.TempDir()
	}
	if cfg.OwnServers && slices.ContainsFunc(lessons, func(l runner.Lesson) bool { return l.Needs.Members > 0 }) {
		// Two lessons' clusters at a time, one under -race: three
		// members each, with the race detector and beside the package's
		// other tests, several at once starve each other's raft (and
		// the course's one-second leases) of CPU; one at a time made the
		// six such lessons a chain of their own, twice in the lessons'
		// package (the course, and its lies).
		ownRuns <- struct{}{}
		defer func() { <-ownRuns }()
	}
	rec := &Recorder{}
	if cfg.Reporter == nil {
		cfg.Reporter = rec
	} else {
		cfg.Reporter = tee{rec, cfg.Reporter}
	}
	sum, err := runner.Run(ctx, cfg, lessons)
	return sum, rec, err
}

// tee reports each event to both reporters, in order.
type tee [2]runner.Reporter

func (t tee) Report(e runner.Event) {
	t[0].Report(e)
	t[1].Report(e)
}

// OwnServer starts an embedded etcd for a test that cannot share the
// package's: one that stops its server, or compares everything a server
// holds. t.Cleanup closes it.
func OwnServer(t testing.TB) *embedded.Server {
	t.Helper()
	srv, err := embedded.StartServer(embedded.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// EmptyDir fails t unless dir exists and holds nothing: what a run's
// TempDir (or TMPDIR) must be once the run has ended.
func EmptyDir(t testing.TB, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left behind in %s: %s", dir, e.Name())
	}
}

// MustPass fails t, with the lessons' narration, unless every lesson of
// the summary passed.
func MustPass(t testing.TB, sum runner.Summary, rec *Recorder) {
	t.Helper()
	var bad []string
	for _, r := range sum.Lessons {
		if r.Status != runner.StatusPassed {
			bad = append(bad, fmt.Sprintf("%s %s: %s %q", r.ID, r.Status, r.Error, r.Failures))
		}
	}
	if len(bad) > 0 || !sum.OK() {
		t.Errorf("%s\n%s", strings.Join(bad, "\n"), rec.String())
	}
}

// Events returns the recorded events of kind k.
func Events(rec *Recorder, k runner.Kind) []runner.Event {
	var out []runner.Event
	for _, e := range rec.Events() {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// PinLocale makes this process, and what it starts, English: it clears the
// variables that choose the language of messages (LC_ALL, LC_MESSAGES,
// LANGUAGE) and sets LANG=C.UTF-8. Main calls it; a TestMain that does not
// use Main calls it itself.
func PinLocale() {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANGUAGE"} {
		os.Unsetenv(v)
	}
	os.Setenv("LANG", "C.UTF-8")
}

// Chinese is Simplified Chinese speaking with the translations of the
// runner's packages (runner, report, embedded, etcdconn) and the given
// ones (the lessons'): the language main speaks for --lang zh, but for
// main's own words.
func Chinese(texts ...map[string]string) i18n.Lang {
	all := append([]map[string]string{runner.Chinese(), report.Chinese(), embedded.Chinese(), etcdconn.Chinese()}, texts...)
	return i18n.Chinese.With(all...)
}
