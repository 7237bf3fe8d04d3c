package runner_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"etcdtour/runner"
)

// startEtcd starts an embedded etcd for one test and a plain client to
// inspect it.
func startEtcd(t *testing.T) (*runner.Embedded, *clientv3.Client) {
	t.Helper()
	srv, err := runner.StartEmbedded(runner.EmbeddedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{srv.Endpoint()}, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return srv, cli
}

func lesson(id string, run func(context.Context, *runner.T) error) runner.Lesson {
	return runner.Lesson{ID: id, Title: "Fixture " + id, Doc: "A fixture lesson.", Run: run}
}

// leaseIDs collects the leases the "pass" fixture granted.
type leaseIDs struct {
	mu  sync.Mutex
	ids []clientv3.LeaseID
}

func (l *leaseIDs) add(id clientv3.LeaseID) { l.mu.Lock(); l.ids = append(l.ids, id); l.mu.Unlock() }

func fixtures(granted *leaseIDs) []runner.Lesson {
	return []runner.Lesson{
		lesson("pass", func(ctx context.Context, t *runner.T) error {
			t.Step("write")
			ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
			defer cancel()
			lr, err := t.Client.Grant(ctx1, 60)
			if err != nil {
				return err
			}
			granted.add(lr.ID)
			if _, err := t.Client.Put(ctx1, "k", "v", clientv3.WithLease(lr.ID)); err != nil {
				return err
			}
			if _, err := t.Client.Put(ctx1, "plain", "v"); err != nil {
				return err
			}
			t.Check(true, "wrote two keys")
			return nil
		}),
		lesson("fail-check", func(ctx context.Context, t *runner.T) error {
			t.Step("check")
			t.Check(false, "one is %d", 2)
			t.Check(true, "the lesson goes on after a failed check")
			return nil
		}),
		lesson("error", func(ctx context.Context, t *runner.T) error {
			return errors.New("boom")
		}),
		lesson("block", func(ctx context.Context, t *runner.T) error {
			<-ctx.Done()
			return ctx.Err()
		}),
		lesson("panic", func(ctx context.Context, t *runner.T) error {
			var m map[string]int
			m["x"] = 1
			return nil
		}),
		lesson("after", func(ctx context.Context, t *runner.T) error {
			t.Check(true, "later lessons still run")
			return nil
		}),
	}
}

func TestRunReportsEachOutcome(t *testing.T) {
	srv, cli := startEtcd(t)
	rec := &runner.Recorder{}
	granted := &leaseIDs{}
	sum, err := runner.Run(context.Background(), runner.Config{
		Conn:          runner.Conn{Endpoints: []string{srv.Endpoint()}},
		RunID:         "test",
		LessonTimeout: 500 * time.Millisecond,
		Reporter:      rec,
	}, fixtures(granted))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		status runner.Status
		err    string
	}{
		"pass":       {runner.StatusPassed, ""},
		"fail-check": {runner.StatusFailed, "1 check(s) failed"},
		"error":      {runner.StatusFailed, "boom"},
		"block":      {runner.StatusFailed, "did not finish within 500ms"},
		"panic":      {runner.StatusFailed, "panic: assignment to entry in nil map"},
		"after":      {runner.StatusPassed, ""},
	}
	if len(sum.Lessons) != len(want) {
		t.Fatalf("summary has %d lessons, want %d", len(sum.Lessons), len(want))
	}
	for _, r := range sum.Lessons {
		w := want[r.ID]
		if r.Status != w.status || r.Error != w.err {
			t.Errorf("%s: status %q error %q, want %q %q", r.ID, r.Status, r.Error, w.status, w.err)
		}
	}
	if got := sum.Lessons[1].Failures; len(got) != 1 || got[0] != "one is 2" {
		t.Errorf("fail-check failures = %q, want [\"one is 2\"]", got)
	}
	if sum.OK() {
		t.Error("Summary.OK() = true with failed lessons")
	}

	// The events tell the same story, in order.
	var kinds []string
	for _, e := range rec.Events {
		if e.Kind == runner.KindLessonEnd {
			kinds = append(kinds, e.Lesson+":"+string(e.Status))
		}
	}
	if got := strings.Join(kinds, " "); got != "pass:passed fail-check:failed error:failed block:failed panic:failed after:passed" {
		t.Errorf("lesson-end events = %s", got)
	}
	last := rec.Events[len(rec.Events)-1]
	if last.Kind != runner.KindSummary || last.Passed != 2 || last.Failed != 4 {
		t.Errorf("last event = %+v, want a summary of 2 passed, 4 failed", last)
	}

	// Clean-up removed every key and revoked the granted lease.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := cli.Get(ctx, runner.DefaultPrefix, clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) != 0 {
		t.Errorf("%d keys left under %s, first %q", len(resp.Kvs), runner.DefaultPrefix, resp.Kvs[0].Key)
	}
	if len(granted.ids) != 1 {
		t.Fatalf("pass fixture granted %d leases", len(granted.ids))
	}
	ttl, err := cli.TimeToLive(ctx, granted.ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if ttl.TTL != -1 {
		t.Errorf("lease %x still alive (TTL %d) after the lesson", granted.ids[0], ttl.TTL)
	}
}

// cancelOn cancels a run when it sees the first step of a lesson.
type cancelOn struct {
	runner.Recorder
	lesson string
	cancel context.CancelFunc
}

func (c *cancelOn) Report(e runner.Event) {
	c.Recorder.Report(e)
	if e.Kind == runner.KindStep && e.Lesson == c.lesson {
		c.cancel()
	}
}

func TestRunInterrupted(t *testing.T) {
	srv, cli := startEtcd(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rep := &cancelOn{lesson: "block", cancel: cancel}
	course := []runner.Lesson{
		lesson("pass", func(ctx context.Context, t *runner.T) error {
			ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
			defer cancel()
			_, err := t.Client.Put(ctx1, "k", "v")
			return err
		}),
		lesson("block", func(ctx context.Context, t *runner.T) error {
			ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
			_, err := t.Client.Put(ctx1, "half-done", "v")
			cancel()
			if err != nil {
				return err
			}
			t.Step("wait forever")
			<-ctx.Done()
			return ctx.Err()
		}),
		lesson("after", func(ctx context.Context, t *runner.T) error { return nil }),
	}
	sum, err := runner.Run(ctx, runner.Config{
		Conn:     runner.Conn{Endpoints: []string{srv.Endpoint()}},
		Reporter: rep,
	}, course)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range sum.Lessons {
		got = append(got, r.ID+":"+string(r.Status))
	}
	if s := strings.Join(got, " "); s != "pass:passed block:interrupted after:not run" || !sum.Interrupted {
		t.Errorf("summary = %s (interrupted %v)", s, sum.Interrupted)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	resp, err := cli.Get(ctx2, runner.DefaultPrefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	if resp.Count != 0 {
		t.Errorf("%d keys left under %s after an interrupted run", resp.Count, runner.DefaultPrefix)
	}
}

func TestRunKeep(t *testing.T) {
	srv, cli := startEtcd(t)
	rec := &runner.Recorder{}
	_, err := runner.Run(context.Background(), runner.Config{
		Conn:     runner.Conn{Endpoints: []string{srv.Endpoint()}},
		RunID:    "kept",
		Keep:     true,
		Reporter: rec,
	}, []runner.Lesson{lesson("pass", func(ctx context.Context, t *runner.T) error {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		defer cancel()
		_, err := t.Client.Put(ctx1, "k", "v")
		return err
	})})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := cli.Get(ctx, "/etcdtour/kept/pass/k")
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) != 1 {
		t.Errorf("--keep: key /etcdtour/kept/pass/k is gone")
	}
	if !strings.Contains(rec.String(), "etcdctl get --prefix /etcdtour/kept/pass/") {
		t.Errorf("--keep output does not say how to see the keys:\n%s", rec.String())
	}
}

func TestRunUnreachable(t *testing.T) {
	_, err := runner.Run(context.Background(), runner.Config{
		Conn:     runner.Conn{Endpoints: []string{"127.0.0.1:1"}, DialTimeout: 500 * time.Millisecond},
		Reporter: &runner.Recorder{},
	}, []runner.Lesson{lesson("pass", noop)})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") || strings.Contains(err.Error(), "\n") {
		t.Errorf("Run against 127.0.0.1:1 = %v, want one line naming the endpoint", err)
	}
}

// TestLessonClientRefusesClusterWideCalls: a lesson cannot compact,
// defragment, change membership, or revoke a lease it did not grant.
func TestLessonClientRefusesClusterWideCalls(t *testing.T) {
	srv, cli := startEtcd(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	foreign, err := cli.Grant(ctx, 60)
	if err != nil {
		t.Fatal(err)
	}
	put, err := cli.Put(ctx, "/outside", "v")
	if err != nil {
		t.Fatal(err)
	}
	var errs []error
	course := []runner.Lesson{lesson("rogue", func(ctx context.Context, lt *runner.T) error {
		ctx1, cancel := context.WithTimeout(ctx, lt.Timeout())
		defer cancel()
		_, err := lt.Client.Compact(ctx1, put.Header.Revision)
		errs = append(errs, err)
		_, err = lt.Client.Defragment(ctx1, srv.Endpoint())
		errs = append(errs, err)
		_, err = lt.Client.MemberRemove(ctx1, 1)
		errs = append(errs, err)
		_, err = lt.Client.Revoke(ctx1, foreign.ID)
		errs = append(errs, err)
		own, err := lt.Client.Grant(ctx1, 60)
		if err != nil {
			return err
		}
		_, err = lt.Client.Revoke(ctx1, own.ID)
		errs = append(errs, err)
		_, err = lt.Client.Snapshot(ctx1)
		errs = append(errs, err)
		_, err = lt.Client.AuthDisable(ctx1)
		errs = append(errs, err)
		_, err = lt.Client.KeepAliveOnce(ctx1, foreign.ID)
		errs = append(errs, err)
		_, err = lt.Client.TimeToLive(ctx1, foreign.ID, clientv3.WithAttachedKeys())
		errs = append(errs, err)
		ls, err := lt.Client.Leases(ctx1)
		if err != nil {
			return err
		}
		for _, l := range ls.Leases {
			if l.ID == foreign.ID {
				errs = append(errs, fmt.Errorf("Leases lists the foreign lease %x", foreign.ID))
			}
		}
		return nil
	})}
	if _, err := runner.Run(context.Background(), runner.Config{
		Conn:     runner.Conn{Endpoints: []string{srv.Endpoint()}},
		Reporter: &runner.Recorder{},
	}, course); err != nil {
		t.Fatal(err)
	}
	if len(errs) != 9 {
		t.Fatalf("lesson made %d calls, want 9: %v", len(errs), errs)
	}
	for i, call := range map[int]string{0: "Compact", 1: "Defragment", 2: "MemberRemove", 5: "Snapshot", 6: "AuthDisable"} {
		if !errors.Is(errs[i], runner.ErrClusterWide) {
			t.Errorf("%s from a lesson: %v, want ErrClusterWide", call, errs[i])
		}
	}
	for i, call := range map[int]string{3: "Revoke", 7: "KeepAliveOnce", 8: "TimeToLive"} {
		if !errors.Is(errs[i], runner.ErrForeignLease) {
			t.Errorf("%s of a foreign lease from a lesson: %v, want ErrForeignLease", call, errs[i])
		}
	}
	if errs[4] != nil {
		t.Errorf("revoking its own lease: %v", errs[4])
	}
	ttl, err := cli.TimeToLive(ctx, foreign.ID)
	if err != nil || ttl.TTL <= 0 {
		t.Errorf("the foreign lease is gone: TTL %v, %v", ttl, err)
	}
	// History before the put's revision is still there: nothing was
	// compacted (Compact(r) keeps revision r itself readable).
	if _, err := cli.Get(ctx, "/outside", clientv3.WithRev(put.Header.Revision-1)); err != nil {
		t.Errorf("history was compacted: %v", err)
	}
}

// TestServerTooOld: a server that does not know a call a lesson makes
// answers Unimplemented, as an etcd older than the client does; the lesson
// fails with one line saying the server is too old, naming its version.
func TestServerTooOld(t *testing.T) {
	srv, _ := startEtcd(t)
	course := []runner.Lesson{lesson("newer-api", func(ctx context.Context, t *runner.T) error {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		defer cancel()
		// A method no etcd has, sent over the client's own connection.
		err := t.Client.ActiveConnection().Invoke(ctx1, "/etcdserverpb.KV/NoSuchCall",
			&etcdserverpb.RangeRequest{}, &etcdserverpb.RangeResponse{})
		return fmt.Errorf("no such call: %w", err)
	})}
	sum, err := runner.Run(context.Background(), runner.Config{
		Conn:     runner.Conn{Endpoints: []string{srv.Endpoint()}},
		Reporter: &runner.Recorder{},
	}, course)
	if err != nil {
		t.Fatal(err)
	}
	r := sum.Lessons[0]
	if r.Status != runner.StatusFailed || !strings.Contains(r.Error, "etcd "+srv.Version()+" at "+srv.Endpoint()+" is too old for this lesson") ||
		!strings.Contains(r.Error, "Unimplemented") || strings.Contains(r.Error, "\n") {
		t.Errorf("lesson %s: %q, want one line saying etcd %s is too old", r.Status, r.Error, srv.Version())
	}
}

// TestEmbeddedDiscard: Discard removes the temp dir of a running server (a
// second Ctrl-C exits without Close), and Close still works after it.
func TestEmbeddedDiscard(t *testing.T) {
	srv, err := runner.StartEmbedded(runner.EmbeddedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := srv.Dir()
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("temp dir of a running server: %v", err)
	}
	srv.Discard()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("after Discard, %s: %v, want it gone", dir, err)
	}
	srv.Close()

	kept := t.TempDir()
	srv, err = runner.StartEmbedded(runner.EmbeddedOptions{DataDir: kept})
	if err != nil {
		t.Fatal(err)
	}
	srv.Discard()
	srv.Close()
	if _, err := os.Stat(filepath.Join(kept, "data")); err != nil {
		t.Errorf("Discard removed a data dir the user chose: %v", err)
	}
}

// TestEmbeddedDataDirKept: a DataDir the user keeps (serve --data-dir)
// survives a start that fails, and a second server on it is refused at once
// instead of waiting forever for the database's lock.
func TestEmbeddedDataDirKept(t *testing.T) {
	dir := t.TempDir()
	srv, err := runner.StartEmbedded(runner.EmbeddedOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{srv.Endpoint()}, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := cli.Put(ctx, "keep", "me"); err != nil {
		t.Fatal(err)
	}

	second, err := runner.StartEmbedded(runner.EmbeddedOptions{DataDir: dir, StartTimeout: 5 * time.Second})
	if err == nil {
		second.Close()
		t.Fatal("a second server started on a data dir in use")
	}
	if !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), dir) {
		t.Errorf("second server on %s: %v, want it named as in use", dir, err)
	}
	cli.Close()
	srv.Close()

	// A start that fails (its port is taken) must not take the data with it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if s, err := runner.StartEmbedded(runner.EmbeddedOptions{DataDir: dir, ClientURL: "http://" + l.Addr().String()}); err == nil {
		s.Close()
		t.Fatal("started on a taken port")
	}
	srv, err = runner.StartEmbedded(runner.EmbeddedOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cli2, err := clientv3.New(clientv3.Config{Endpoints: []string{srv.Endpoint()}, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer cli2.Close()
	resp, err := cli2.Get(ctx, "keep")
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "me" {
		t.Errorf("after a failed start, key keep = %v, want \"me\": the data dir lost its data", resp.Kvs)
	}
}

// TestInterruptedGrant: a Ctrl-C that lands while a Grant is on its way must
// not leave the lease behind: the server may grant it after the client gave
// up waiting, and the clean-up would not know it.
func TestInterruptedGrant(t *testing.T) {
	srv, cli := startEtcd(t)
	for round := range 5 {
		ctx, cancel := context.WithCancel(context.Background())
		grants := 0
		course := []runner.Lesson{lesson("grants", func(ctx context.Context, t *runner.T) error {
			// Grant as fast as possible, so the interrupt is likely to
			// find a Grant in flight.
			time.AfterFunc(time.Duration(20+10*round)*time.Millisecond, cancel)
			for ctx.Err() == nil {
				ctx1, cancel1 := context.WithTimeout(ctx, t.Timeout())
				_, err := t.Client.Grant(ctx1, 60)
				cancel1()
				if err == nil {
					grants++
				}
			}
			return ctx.Err()
		})}
		sum, err := runner.Run(ctx, runner.Config{
			Conn:     runner.Conn{Endpoints: []string{srv.Endpoint()}},
			Reporter: &runner.Recorder{},
		}, course)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if sum.Lessons[0].Status != runner.StatusInterrupted {
			t.Fatalf("lesson %s, want interrupted", sum.Lessons[0].Status)
		}
		ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
		ls, err := cli.Leases(ctx2)
		cancel2()
		if err != nil {
			t.Fatal(err)
		}
		if len(ls.Leases) != 0 {
			t.Fatalf("round %d: %d lease(s) left after an interrupted run that granted %d", round, len(ls.Leases), grants)
		}
	}
}

// TestServerGone: when etcd stops answering during a run, the lesson that
// saw it fails, and the rest are not run (they would only time out, one
// after another), with one line saying why.
func TestServerGone(t *testing.T) {
	srv, err := runner.StartEmbedded(runner.EmbeddedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	rec := &runner.Recorder{}
	sum, err := runner.Run(context.Background(), runner.Config{
		Conn:     runner.Conn{Endpoints: []string{srv.Endpoint()}, DialTimeout: 500 * time.Millisecond, CommandTimeout: 500 * time.Millisecond},
		Reporter: rec,
	}, []runner.Lesson{
		lesson("first", noop),
		lesson("stops-etcd", func(ctx context.Context, t *runner.T) error {
			srv.Close()
			ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
			defer cancel()
			_, err := t.Client.Put(ctx1, "k", "v")
			return err
		}),
		lesson("third", noop),
		lesson("fourth", noop),
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range sum.Lessons {
		got = append(got, r.ID+":"+string(r.Status))
	}
	if s := strings.Join(got, " "); s != "first:passed stops-etcd:failed third:not run fourth:not run" || sum.OK() || sum.Interrupted {
		t.Errorf("summary %s (OK %v, interrupted %v)", s, sum.OK(), sum.Interrupted)
	}
	if out := rec.String(); !strings.Contains(out, "no longer answers") || !strings.Contains(out, "after stops-etcd are not run") && !strings.Contains(out, "lessons after stops-etcd are") {
		t.Errorf("no line saying etcd is gone:\n%s", out)
	}
}
