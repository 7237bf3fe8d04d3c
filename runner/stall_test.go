package runner_test

// A run on a three-member etcd 3.4 cluster whose members stall (SIGSTOP)
// and die: whatever member stalls at whatever moment, nothing of the run is
// left that the output did not name; the clean-up goes through the members
// that answer; a lost leader is said in one line and ends the run.

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/runnertest"
)

// stallCluster is how the tests start their three members: a 50 ms
// heartbeat and a 500 ms election timeout (etcd's defaults are 100 ms and
// 1 s), so that a stalled leader is replaced in about a second.
func stallCluster(t *testing.T) *runnertest.Cluster {
	return runnertest.StartCluster(t, runnertest.ClusterOptions{HeartbeatMs: 50, ElectionMs: 500})
}

// TestLateWrite: a lesson's writes and Grants that a member holds while the
// lesson gives up on them, and hands on after the run ended (a
// runnertest.HoldProxy in front of one member of three, which drops the
// client's cancels), change nothing that the output did not name: the Puts
// and Txns are refused by their fence, and a lease granted late is one the
// clean-up named. The clean-up itself goes through the other two members.
func TestLateWrite(t *testing.T) {
	t.Parallel()
	c := stallCluster(t)
	p := runnertest.NewHoldProxy(t, c.Endpoint(0))
	const prefix = "/late/"
	conn := etcdconn.Conn{Endpoints: []string{p.Addr(), c.Endpoint(1), c.Endpoint(2)}, CommandTimeout: time.Second}
	const n = 12 // at once: the client's balancer sends a third of them to the held member
	var putErrs, grantErrs, txnErrs atomicCount
	sum, rec := runnertest.Run(t, runner.Config{Conn: conn, Prefix: prefix}, []runner.Lesson{
		lesson("late", func(ctx context.Context, t *runner.T) error {
			t.Step("Read through each member")
			for range 6 { // the client connects to each member as they answer
				ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
				_, err := t.Client.Get(ctx1, "k")
				cancel()
				if err != nil {
					return err
				}
			}
			t.Step("Write and grant while a member holds what it is sent")
			p.Hold()
			var wg sync.WaitGroup
			// Each kind of call in a row: the balancer takes the members in
			// turn, call after call.
			for i := range n {
				wg.Go(func() {
					ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
					defer cancel()
					if _, err := t.Client.Put(ctx1, fmt.Sprintf("k%d", i), "v"); err != nil {
						putErrs.add()
					}
				})
			}
			for i := range n {
				wg.Go(func() {
					ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
					defer cancel()
					if _, err := t.Client.Txn(ctx1).Then(clientv3.OpPut(fmt.Sprintf("t%d", i), "v")).Commit(); err != nil {
						txnErrs.add()
					}
				})
			}
			for range n {
				wg.Go(func() {
					ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
					defer cancel()
					if _, err := t.Client.Grant(ctx1, 60); err != nil {
						grantErrs.add()
					}
				})
			}
			wg.Wait()
			return nil
		}),
	}...)
	t.Logf("timed out: %d of %d Puts, %d of %d Txns, %d of %d Grants", putErrs.get(), n, txnErrs.get(), n, grantErrs.get(), n)
	if putErrs.get() == 0 || txnErrs.get() == 0 || grantErrs.get() == 0 {
		t.Fatalf("no Put, Txn or Grant went to the held member: the test proves nothing\n%s", rec.String())
	}
	for _, r := range sum.Lessons {
		for _, f := range r.Failures {
			if strings.HasPrefix(f, "cleanup: ") && !strings.Contains(f, "may still grant it later") {
				t.Errorf("the clean-up failed with two members of three: %s\n%s", f, rec.String())
			}
		}
	}
	p.Release()
	unnamed, namedLeft := runnertest.Leftovers(t, c, prefix, runnertest.CleanupNamed(rec))
	t.Logf("%d leftovers named, %d not", namedLeft, len(unnamed))
	if len(unnamed) > 0 {
		t.Errorf("left and not named in the output: %q\n%s", unnamed, rec.String())
	}
}

type atomicCount struct {
	mu sync.Mutex
	n  int
}

func (c *atomicCount) add() { c.mu.Lock(); c.n++; c.mu.Unlock() }
func (c *atomicCount) get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// TestGrantTimesOut: Grants whose deadline (a fraction of a millisecond to
// a few) passes before the answer comes, though the server may grant them
// all the same, as with --command-timeout 1ms. Each lease the server holds
// afterwards was revoked by the clean-up or named by it. The server is the
// test's own: every lease on it is the run's.
func TestGrantTimesOut(t *testing.T) {
	t.Parallel()
	srv := runnertest.OwnServer(t)
	var timedOut atomicCount
	const n = 40
	_, rec := runnertest.Run(t, runner.Config{Conn: etcdconn.Conn{Endpoints: []string{srv.Endpoint()}}}, []runner.Lesson{
		lesson("grants", func(ctx context.Context, t *runner.T) error {
			t.Step("Grant leases with deadlines too short to wait for the answer")
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					ctx1, cancel := context.WithTimeout(ctx, time.Duration(100+i*100)*time.Microsecond)
					defer cancel()
					if _, err := t.Client.Grant(ctx1, 60); err != nil {
						timedOut.add()
					}
				})
			}
			wg.Wait()
			return nil
		}),
	}...)
	t.Logf("%d of %d Grants timed out", timedOut.get(), n)
	if timedOut.get() == 0 {
		t.Fatalf("no Grant timed out: the test proves nothing\n%s", rec.String())
	}
	cli := admin(t, server{Endpoint: srv.Endpoint()}, serverOpts{}, "", "")
	n2 := runnertest.CleanupNamed(rec)
	// A Grant the server had not read when the clean-up ran would be
	// granted now.
	time.Sleep(200 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ls, err := cli.Leases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls.Leases {
		if !n2.Lease(l.ID) {
			t.Errorf("lease %x left and not named:\n%s", int64(l.ID), rec.String())
		}
	}
}
