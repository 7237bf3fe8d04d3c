package runner_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"

	"etcdtour/runner"
	"etcdtour/runner/embedded"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/runnertest"
)

// shared returns the package's embedded etcd, which every test that can
// share one uses, and a plain client to inspect it.
func shared(t *testing.T) (*embedded.Server, *clientv3.Client) {
	t.Helper()
	srv := runnertest.Server(t)
	return srv, plainClient(t, srv.Endpoint())
}

// plainClient opens a client to endpoint for a test's own checks. t.Cleanup
// closes it.
func plainClient(t *testing.T, endpoint string) *clientv3.Client {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{endpoint}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

func TestRunReportsEachOutcome(t *testing.T) {
	t.Parallel()
	srv, cli := shared(t)
	// Without the per-lesson time limit "block" would wait for go test's
	// own timeout: end it sooner, as an interrupt (and a failure here).
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sum, rec := runnertest.RunContext(ctx, t, runner.Config{
		Conn:  etcdconn.Conn{Endpoints: []string{srv.Endpoint()}},
		RunID: "outcomes",
		// Long enough for a lesson that grants and writes on a machine
		// busy with -race and three packages' tests (0.75 s seen).
		LessonTimeout: 3 * time.Second,
	}, []runner.Lesson{
		lesson("pass", writeLeased),
		lesson("fail-check", failCheck),
		lesson("error", returnError),
		lesson("block", blockUntilDone),
		lesson("panic", panics),
		lesson("after", passCheck),
	}...)
	want := map[string]struct {
		status runner.Status
		err    string
	}{
		"pass":       {runner.StatusPassed, ""},
		"fail-check": {runner.StatusFailed, "1 check(s) failed"},
		"error":      {runner.StatusFailed, "boom"},
		"block":      {runner.StatusFailed, "did not finish within 3s"},
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
	var granted []clientv3.LeaseID
	for _, e := range rec.Events() {
		if e.Kind == runner.KindLessonEnd {
			kinds = append(kinds, e.Lesson+":"+string(e.Status))
		}
		var id clientv3.LeaseID
		if e.Kind == runner.KindResult && e.Lesson == "pass" {
			if _, err := fmt.Sscanf(e.Text, "lease %x", &id); err == nil {
				granted = append(granted, id)
			}
		}
	}
	if got := strings.Join(kinds, " "); got != "pass:passed fail-check:failed error:failed block:failed panic:failed after:passed" {
		t.Errorf("lesson-end events = %s", got)
	}
	events := rec.Events()
	last := events[len(events)-1]
	if last.Kind != runner.KindSummary || last.Passed != 2 || last.Failed != 4 {
		t.Errorf("last event = %+v, want a summary of 2 passed, 4 failed", last)
	}

	// Clean-up removed every key and revoked the granted lease.
	if n := runnertest.CountUnder(t, cli, runner.DefaultPrefix+"outcomes/"); n != 0 {
		t.Errorf("%d keys left under %s", n, runner.DefaultPrefix+"outcomes/")
	}
	if len(granted) != 1 {
		t.Fatalf("pass fixture granted %d leases", len(granted))
	}
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ttl, err := cli.TimeToLive(ctx, granted[0])
	if err != nil {
		t.Fatal(err)
	}
	if ttl.TTL != -1 {
		t.Errorf("lease %x still alive (TTL %d) after the lesson", granted[0], ttl.TTL)
	}
}

// cancelOn cancels a run when it sees the first step of a lesson.
type cancelOn struct {
	runnertest.Recorder
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
	t.Parallel()
	srv, cli := shared(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rep := &cancelOn{lesson: "block", cancel: cancel}
	sum, _ := runnertest.RunContext(ctx, t, runner.Config{
		Conn:     etcdconn.Conn{Endpoints: []string{srv.Endpoint()}},
		RunID:    "interrupted",
		Reporter: rep,
	}, []runner.Lesson{
		lesson("pass", putKey),
		lesson("block", writeThenBlock),
		lesson("after", passCheck),
	}...)
	var got []string
	for _, r := range sum.Lessons {
		got = append(got, r.ID+":"+string(r.Status))
	}
	if s := strings.Join(got, " "); s != "pass:passed block:interrupted after:not run" || !sum.Interrupted {
		t.Errorf("summary = %s (interrupted %v)", s, sum.Interrupted)
	}
	if n := runnertest.CountUnder(t, cli, runner.DefaultPrefix+"interrupted/"); n != 0 {
		t.Errorf("%d keys left under %s after an interrupted run", n, runner.DefaultPrefix+"interrupted/")
	}
}

func TestRunKeep(t *testing.T) {
	t.Parallel()
	srv, cli := shared(t)
	_, rec := runnertest.Run(t, runner.Config{
		Conn:  etcdconn.Conn{Endpoints: []string{srv.Endpoint()}},
		RunID: "kept",
		Keep:  true,
	}, []runner.Lesson{lesson("pass", putKey)}...)
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
	if _, err := cli.Delete(ctx, "/etcdtour/kept/", clientv3.WithPrefix()); err != nil {
		t.Fatal(err)
	}
}

func TestRunUnreachable(t *testing.T) {
	t.Parallel()
	_, _, err := runnertest.Try(context.Background(), t, runner.Config{
		Conn: etcdconn.Conn{Endpoints: []string{"127.0.0.1:1"}, DialTimeout: 500 * time.Millisecond},
	}, lesson("pass", noop))
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") || strings.Contains(err.Error(), "\n") {
		t.Errorf("Run against 127.0.0.1:1 = %v, want one line naming the endpoint", err)
	}
}

// rogue is a lesson that tries every cluster-wide call, and calls on a
// lease it did not grant, keeping what each returned.
type rogue struct {
	endpoint string
	foreign  clientv3.LeaseID
	rev      int64
	errs     []error
}

func (r *rogue) run(ctx context.Context, t *runner.T) error {
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	defer cancel()
	_, err := t.Client.Compact(ctx1, r.rev)
	r.errs = append(r.errs, err)
	_, err = t.Client.Defragment(ctx1, r.endpoint)
	r.errs = append(r.errs, err)
	_, err = t.Client.MemberRemove(ctx1, 1)
	r.errs = append(r.errs, err)
	_, err = t.Client.Revoke(ctx1, r.foreign)
	r.errs = append(r.errs, err)
	own, err := t.Client.Grant(ctx1, 60)
	if err != nil {
		return err
	}
	_, err = t.Client.Revoke(ctx1, own.ID)
	r.errs = append(r.errs, err)
	_, err = t.Client.Snapshot(ctx1)
	r.errs = append(r.errs, err)
	_, err = t.Client.AuthDisable(ctx1)
	r.errs = append(r.errs, err)
	_, err = t.Client.KeepAliveOnce(ctx1, r.foreign)
	r.errs = append(r.errs, err)
	_, err = t.Client.TimeToLive(ctx1, r.foreign, clientv3.WithAttachedKeys())
	r.errs = append(r.errs, err)
	ls, err := t.Client.Leases(ctx1)
	if err != nil {
		return err
	}
	for _, l := range ls.Leases {
		if l.ID == r.foreign {
			r.errs = append(r.errs, fmt.Errorf("Leases lists the foreign lease %x", r.foreign))
		}
	}
	return nil
}

// What the lesson client's refusals say (errClusterWide and
// errForeignLease; TestGuardsRefuse checks that they wrap them): a call the
// server refused would say something else.
const (
	clusterWide  = "lessons may not make cluster-wide changes"
	foreignLease = "lessons may only use leases they granted"
)

// TestLessonClientRefusesClusterWideCalls: a lesson cannot compact,
// defragment, change membership, or revoke a lease it did not grant.
func TestLessonClientRefusesClusterWideCalls(t *testing.T) {
	t.Parallel()
	srv, cli := shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	foreign, err := cli.Grant(ctx, 60)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Revoke(context.Background(), foreign.ID) })
	put, err := cli.Put(ctx, "/outside", "v")
	if err != nil {
		t.Fatal(err)
	}
	r := &rogue{endpoint: srv.Endpoint(), foreign: foreign.ID, rev: put.Header.Revision}
	runnertest.Run(t, runner.Config{Conn: etcdconn.Conn{Endpoints: []string{srv.Endpoint()}}}, lesson("rogue", r.run))
	errs := r.errs
	if len(errs) != 9 {
		t.Fatalf("lesson made %d calls, want 9: %v", len(errs), errs)
	}
	for i, call := range map[int]string{0: "Compact", 1: "Defragment", 2: "MemberRemove", 5: "Snapshot", 6: "AuthDisable"} {
		if errs[i] == nil || !strings.Contains(errs[i].Error(), clusterWide) {
			t.Errorf("%s from a lesson: %v, want %q", call, errs[i], clusterWide)
		}
	}
	for i, call := range map[int]string{3: "Revoke", 7: "KeepAliveOnce", 8: "TimeToLive"} {
		if errs[i] == nil || !strings.Contains(errs[i].Error(), foreignLease) {
			t.Errorf("%s of a foreign lease from a lesson: %v, want %q", call, errs[i], foreignLease)
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

// callsNoSuchMethod sends a request no etcd knows over the lesson's own
// connection.
func callsNoSuchMethod(ctx context.Context, t *runner.T) error {
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	defer cancel()
	err := t.Client.ActiveConnection().Invoke(ctx1, "/etcdserverpb.KV/NoSuchCall",
		&etcdserverpb.RangeRequest{}, &etcdserverpb.RangeResponse{})
	return fmt.Errorf("no such call: %w", err)
}

// TestServerTooOld: a server that does not know a call a lesson makes
// answers Unimplemented, as an etcd older than the client does; the lesson
// fails with one line saying the server is too old, naming its version.
func TestServerTooOld(t *testing.T) {
	t.Parallel()
	srv, _ := shared(t)
	sum, _ := runnertest.Run(t, runner.Config{
		Conn: etcdconn.Conn{Endpoints: []string{srv.Endpoint()}},
	}, []runner.Lesson{lesson("newer-api", callsNoSuchMethod)}...)
	r := sum.Lessons[0]
	if r.Status != runner.StatusFailed || !strings.Contains(r.Error, "etcd "+srv.Version()+" at "+srv.Endpoint()+" is too old for this lesson") ||
		!strings.Contains(r.Error, "Unimplemented") || strings.Contains(r.Error, "\n") {
		t.Errorf("lesson %s: %q, want one line saying etcd %s is too old", r.Status, r.Error, srv.Version())
	}
}

// grantMarker is the TTL of the leases TestInterruptedGrant's lessons
// grant, which tells them apart from those of the tests sharing the server.
const grantMarker = 4711

// grantUntilInterrupted grants leases, one after another, until the run is
// interrupted.
func grantUntilInterrupted(ctx context.Context, t *runner.T) error {
	for ctx.Err() == nil {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		t.Client.Grant(ctx1, grantMarker)
		cancel()
	}
	return ctx.Err()
}

// markedLeases lists the leases on the server granted with grantMarker.
func markedLeases(t *testing.T, cli *clientv3.Client) []clientv3.LeaseID {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ls, err := cli.Leases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var marked []clientv3.LeaseID
	for _, l := range ls.Leases {
		ttl, err := cli.TimeToLive(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ttl.GrantedTTL == grantMarker {
			marked = append(marked, l.ID)
		}
	}
	return marked
}

// TestInterruptedGrant: a Ctrl-C that lands while a Grant is on its way must
// not leave the lease behind: the server may grant it after the client gave
// up waiting, and the clean-up would not know it.
func TestInterruptedGrant(t *testing.T) {
	t.Parallel()
	srv, cli := shared(t)
	conn := etcdconn.Conn{Endpoints: []string{srv.Endpoint()}}
	interrupted := func(t *testing.T, sum runner.Summary) {
		t.Helper()
		if st := sum.Lessons[0].Status; st != runner.StatusInterrupted {
			t.Errorf("lesson %s, want interrupted", st)
		}
		if left := markedLeases(t, cli); len(left) != 0 {
			t.Errorf("%d lease(s) left after an interrupted run: %x", len(left), left)
		}
	}

	// The lesson's client reports each request just before it sends it.
	for _, n := range []int{1, 3} {
		t.Run(fmt.Sprintf("just before grant %d is sent", n), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			grants := 0
			rep := reporterFunc(func(e runner.Event) {
				if e.Kind == runner.KindEtcdctl && e.Request == "LeaseGrant" {
					if grants++; grants == n {
						cancel()
					}
				}
			})
			sum, _ := runnertest.RunContext(ctx, t, runner.Config{Conn: conn, Reporter: rep}, []runner.Lesson{lesson("grants", grantUntilInterrupted)}...)
			interrupted(t, sum)
		})
	}

	t.Run("after the server granted, before the answer is seen", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var mu sync.Mutex
		var granted []clientv3.LeaseID
		late := grpc.WithChainUnaryInterceptor(func(callCtx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			err := invoker(callCtx, method, req, reply, cc, opts...)
			if r, ok := reply.(*etcdserverpb.LeaseGrantResponse); ok && err == nil {
				mu.Lock()
				granted = append(granted, clientv3.LeaseID(r.ID))
				mu.Unlock()
				cancel() // the Ctrl-C lands now, with the answer on its way
				// A call whose context the Ctrl-C ended returns at once,
				// without the answer.
				if err := callCtx.Err(); err != nil {
					return status.FromContextError(err).Err()
				}
			}
			return err
		})
		sum, _ := runnertest.RunContext(ctx, t, runner.Config{Conn: conn, DialOptions: []grpc.DialOption{late}}, []runner.Lesson{lesson("grants", grantUntilInterrupted)}...)
		mu.Lock()
		defer mu.Unlock()
		if len(granted) == 0 {
			t.Fatal("the lesson granted no lease")
		}
		interrupted(t, sum)
	})
}

// serverStopper is a lesson that stops the server under the run. Then it
// holds the server's port, as a dead server's host does, until the test
// ends: an etcd of another test started meanwhile could take it, and the
// run's client would reconnect to that one (seen once: "requested lease
// not found" for the next lesson's fence).
type serverStopper struct {
	srv  *embedded.Server
	test *testing.T
}

func (s serverStopper) stopsEtcd(ctx context.Context, t *runner.T) error {
	addr := s.srv.Endpoint()
	s.srv.Close()
	if l, err := net.Listen("tcp", addr); err == nil {
		s.test.Cleanup(func() { l.Close() })
	}
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	defer cancel()
	_, err := t.Client.Put(ctx1, "k", "v")
	return err
}

// TestServerGone: when etcd stops answering during a run, the lesson that
// saw it fails, and the rest are not run (they would only time out, one
// after another), with one line saying why. The server is the test's own:
// it stops it.
func TestServerGone(t *testing.T) {
	t.Parallel()
	srv := runnertest.OwnServer(t)
	sum, rec := runnertest.Run(t, runner.Config{
		Conn: etcdconn.Conn{Endpoints: []string{srv.Endpoint()}, DialTimeout: 5 * time.Second, CommandTimeout: 500 * time.Millisecond},
	}, []runner.Lesson{
		lesson("first", noop),
		lesson("stops-etcd", serverStopper{srv, t}.stopsEtcd),
		lesson("third", noop),
		lesson("fourth", noop),
	}...)
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
