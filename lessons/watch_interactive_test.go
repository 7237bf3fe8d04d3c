package lessons_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"etcdtour/lessons"
	"etcdtour/runner"
	"etcdtour/runner/embedded"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/runnertest"
)

// TestWatchInteractive plays the learner of "run watch --interactive": it
// types the lines the lesson prints into a fresh shell, with the real
// etcdctl when it is on PATH. ETCDCTL_ENDPOINTS is first set to a wrong
// address, as an earlier export would leave it: the printed lines must work
// anyway. The lesson must then see the three events, say after each that it
// still waits for the rest, and pass.
func TestWatchInteractive(t *testing.T) {
	t.Parallel()
	srv := runnertest.Server(t)
	etcdctl, lookErr := exec.LookPath("etcdctl")
	if lookErr != nil {
		t.Logf("no etcdctl on PATH (%v): writing with a client instead", lookErr)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var exports, lines []string
	typed := make(chan error, 1)
	rec := &runnertest.Recorder{}
	rep := reporterFunc(func(e runner.Event) {
		rec.Report(e)
		switch e.Kind {
		case runner.KindSay:
			if m := regexp.MustCompile(`(?m)^\s*(export ETCDCTL_ENDPOINTS=\S+)$`).FindStringSubmatch(e.Text); m != nil {
				exports = append(exports, m[1])
			}
		case runner.KindEtcdctl:
			if e.Request != "" || len(exports) == 0 {
				break // the lesson's own lines, before the learner's
			}
			lines = append(lines, e.Text)
			if strings.Contains(e.Text, " del ") { // the last line printed
				script := append(append([]string{}, exports...), lines...)
				go func() {
					// Another's write, outside the run's keys first.
					err := writeLikeEtcdctl(srv.Endpoint(), []string{"etcdctl put /watch-interactive-test/other x"})
					if err == nil {
						err = typeLines(etcdctl, srv.Endpoint(), script)
					}
					if err != nil {
						cancel() // no events will come: do not wait 2 minutes
					}
					typed <- err
				}()
			}
		}
	})
	sum, _ := runnertest.RunContext(ctx, t, runner.Config{
		Conn:        etcdconn.Conn{Endpoints: []string{srv.Endpoint()}},
		Reporter:    rep,
		Interactive: true,
	}, []runner.Lesson{lessons.Watch}...)
	if len(lines) != 3 {
		t.Fatalf("the lesson printed %d etcdctl lines, want 3:\n%s", len(lines), rec.String())
	}
	if err := <-typed; err != nil {
		t.Fatalf("typing the printed lines: %v\n%s", err, rec.String())
	}
	if len(exports) != 1 || exports[0] != "export ETCDCTL_ENDPOINTS="+srv.Endpoint() {
		t.Errorf("the lesson says to export %q, want the one line export ETCDCTL_ENDPOINTS=%s", exports, srv.Endpoint())
	}
	for _, l := range lines {
		if strings.Contains(l, "--endpoints") {
			t.Errorf("%q: etcdctl refuses --endpoints when ETCDCTL_ENDPOINTS is set", l)
		}
	}
	if r := sum.Lessons[0]; r.Status != runner.StatusPassed {
		t.Fatalf("watch --interactive %s: %s %q\n%s", r.Status, r.Error, r.Failures, rec.String())
	}

	// After each event but the last, a live line says how many are awaited.
	results, waits := 0, 0
	for _, e := range rec.Events() {
		switch {
		case e.Kind == runner.KindResult:
			results++
		case e.Kind == runner.KindWait && results > 0:
			waits++
			if want := fmt.Sprintf("waiting for %d more event(s)", 3-results); e.Text != want {
				t.Errorf("after %d event(s) the lesson waits with %q, want %q", results, e.Text, want)
			}
		}
	}
	if results != 3 || waits == 0 {
		t.Errorf("%d events and %d waits after the first, want 3 and at least 1:\n%s", results, waits, rec.String())
	}
	// Others write on this shared etcd (the test, outside the run's keys,
	// before the learner): a run that is not alone on it reads none of
	// their keys.
	if err := writeLikeEtcdctl(srv.Endpoint(), []string{"etcdctl del /watch-interactive-test/other"}); err != nil {
		t.Error(err)
	}
	for _, e := range rec.Events() {
		if e.Kind == runner.KindSay && strings.Contains(e.Text, "outside the watched key") {
			t.Errorf("a run not alone on its etcd says another's write: %q", e.Text)
		}
	}
	checkSayWidth(t, rec)
}

// TestWatchInteractiveStray: alone on its etcd, the interactive watch says
// so when the learner writes outside the watched key ("etcdctl put name
// hello", the article's key), and still passes with the three writes to
// it.
func TestWatchInteractiveStray(t *testing.T) {
	t.Parallel()
	srv := runnertest.OwnServer(t)
	raw, err := clientv3.New(clientv3.Config{Endpoints: []string{srv.Endpoint()}, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	said := make(chan struct{})
	var once sync.Once
	var lines []string
	rec := &runnertest.Recorder{}
	rep := reporterFunc(func(e runner.Event) {
		rec.Report(e)
		switch {
		case e.Kind == runner.KindSay && strings.Contains(e.Text, "outside the watched key"):
			once.Do(func() { close(said) })
		case e.Kind == runner.KindEtcdctl && e.Request == "" && e.Step == 2:
			lines = append(lines, e.Text)
			if strings.Contains(e.Text, " del ") {
				script := append([]string(nil), lines...)
				go func() {
					wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
					_, err := raw.Put(wctx, "name", "hello")
					wcancel()
					if err == nil {
						select {
						case <-said:
						case <-time.After(10 * time.Second):
						}
						err = writeLikeEtcdctl(srv.Endpoint(), script)
					}
					if err != nil {
						t.Errorf("writing: %v", err)
						cancel()
					}
				}()
			}
		}
	})
	sum, _ := runnertest.RunContext(ctx, t, runner.Config{
		Conn:        etcdconn.Conn{Endpoints: []string{srv.Endpoint()}},
		Reporter:    rep,
		Interactive: true,
		Alone:       true,
	}, []runner.Lesson{lessons.Watch}...)
	if r := sum.Lessons[0]; r.Status != runner.StatusPassed {
		t.Fatalf("watch --interactive %s: %s %q\n%s", r.Status, r.Error, r.Failures, rec.String())
	}
	select {
	case <-said:
	default:
		t.Fatalf("the write to name, outside the watched key, was not said:\n%s", rec.String())
	}
	dctx, dcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer dcancel()
	if _, err := raw.Delete(dctx, "name"); err != nil {
		t.Error(err)
	}
	checkSayWidth(t, rec)
}

// typeLines runs the printed lines as a learner would in a fresh terminal
// whose ETCDCTL_ENDPOINTS points elsewhere. Without etcdctl it does each
// line's put or del with a client at endpoint.
func typeLines(etcdctl, endpoint string, lines []string) error {
	if etcdctl == "" {
		return writeLikeEtcdctl(endpoint, lines)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ETCDCTL_") {
			env = append(env, kv)
		}
	}
	env = append(env, "ETCDCTL_ENDPOINTS=127.0.0.1:1")
	// One shell for all lines, as in one terminal: the export holds.
	cmd := exec.Command("sh", "-exc", strings.Join(lines, "\n"))
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%v\n%s", err, out)
	}
	return nil
}

// writeLikeEtcdctl does what each "etcdctl put KEY VALUE" or "etcdctl del
// KEY" line says, with a client.
func writeLikeEtcdctl(endpoint string, lines []string) error {
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{endpoint}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		return err
	}
	defer cli.Close()
	for _, l := range lines {
		f := strings.Fields(l)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		switch {
		case len(f) == 4 && f[1] == "put":
			_, err = cli.Put(ctx, f[2], f[3])
		case len(f) == 3 && f[1] == "del":
			_, err = cli.Delete(ctx, f[2])
		}
		cancel()
		if err != nil {
			return fmt.Errorf("%s: %w", l, err)
		}
	}
	return nil
}

type reporterFunc func(runner.Event)

func (f reporterFunc) Report(e runner.Event) { f(e) }

// TestWatchInteractiveServerGone: the learner stops the server (Ctrl-C on
// serve) while the lesson waits for their writes. A watch alone would wait
// the whole two minutes in silence; the lesson notices within a few seconds
// and fails with one line.
func TestWatchInteractiveServerGone(t *testing.T) {
	t.Parallel()
	srv, err := embedded.StartServer(embedded.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	closed := make(chan struct{})
	stopServer := func() { srv.Close(); close(closed) }
	defer func() {
		once.Do(stopServer) // if the wait never came
		<-closed
	}()
	rep := reporterFunc(func(e runner.Event) {
		if e.Kind == runner.KindWait {
			// From another goroutine, as serve's Ctrl-C would.
			once.Do(func() { go stopServer() })
		}
	})
	sum, _ := runnertest.Run(t, runner.Config{
		Conn:        etcdconn.Conn{Endpoints: []string{srv.Endpoint()}, DialTimeout: 5 * time.Second, CommandTimeout: time.Second},
		Reporter:    rep,
		Interactive: true,
	}, []runner.Lesson{lessons.Watch}...)
	r := sum.Lessons[0]
	if r.Status != runner.StatusFailed || !strings.Contains(r.Error, "etcd stopped answering") {
		t.Errorf("watch --interactive with its server gone: %s %q, want failed, etcd stopped answering", r.Status, r.Error)
	}
}
