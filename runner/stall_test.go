package runner_test

// A run on a three-member etcd 3.4 cluster whose members stall (SIGSTOP)
// and die: whatever member stalls at whatever moment, nothing of the run is
// left that the output did not name; the clean-up goes through the members
// that answer; a lost leader is said in one line and ends the run.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/lessons"
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

// named is what the output of some runs told the user to remove: the keys
// and prefixes of its etcdctl del lines, and the leases of its etcdctl
// lease revoke lines.
type named struct {
	keys, prefixes []string
	leases         map[string]bool
}

var (
	delPrefixLine = regexp.MustCompile(`etcdctl del --prefix (\S+)`)
	delKeyLine    = regexp.MustCompile(`etcdctl del ([^-\s]\S*)`)
	revokeLine    = regexp.MustCompile(`etcdctl lease revoke ([0-9a-f]+)`)
)

// cleanupNamed collects what the clean-up and the runner's notes of the
// recorded runs named; the lessons' own etcdctl lines (what they did) do
// not count.
func cleanupNamed(recs ...*runnertest.Recorder) named {
	n := named{leases: map[string]bool{}}
	for _, rec := range recs {
		var texts []string
		for _, k := range []runner.Kind{runner.KindCleanup, runner.KindNote, runner.KindCheck} {
			for _, e := range runnertest.Events(rec, k) {
				if k != runner.KindCheck || strings.HasPrefix(e.Text, "cleanup: ") {
					texts = append(texts, e.Text)
				}
			}
		}
		for _, s := range texts {
			for _, m := range delPrefixLine.FindAllStringSubmatch(s, -1) {
				n.prefixes = append(n.prefixes, strings.Trim(m[1], "'"))
			}
			for _, m := range delKeyLine.FindAllStringSubmatch(s, -1) {
				n.keys = append(n.keys, strings.Trim(m[1], "'"))
			}
			for _, m := range revokeLine.FindAllStringSubmatch(s, -1) {
				n.leases[m[1]] = true
			}
		}
	}
	return n
}

func (n named) key(k string) bool {
	return slices.Contains(n.keys, k) || slices.ContainsFunc(n.prefixes, func(p string) bool { return strings.HasPrefix(k, p) })
}

// leftovers waits for the late writes of stalled members to land (the
// cluster is healthy again, and a write through each member has gone
// through), then returns the keys under prefix and every lease of the
// cluster (a test's own) that n does not name, and how many it names.
func leftovers(t *testing.T, c *runnertest.Cluster, prefix string, n named) (unnamed []string, namedLeft int) {
	t.Helper()
	c.ThawAll()
	c.WaitHealthy(t, 60*time.Second)
	// A stalled member hands on what it holds as soon as it resumes; a
	// write through each member after that is behind it in the log.
	for i := range 3 {
		cli := c.Client(t, i)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := cli.Put(ctx, "/barrier", "x")
		cancel()
		if err != nil {
			t.Fatalf("barrier through member %d: %v", i, err)
		}
	}
	cli := c.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := cli.Get(ctx, prefix, clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range resp.Kvs {
		if n.key(string(kv.Key)) {
			namedLeft++
		} else {
			unnamed = append(unnamed, "key "+string(kv.Key))
		}
	}
	ls, err := cli.Leases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls.Leases {
		if n.leases[hex(l.ID)] {
			namedLeft++
		} else {
			unnamed = append(unnamed, "lease "+hex(l.ID))
		}
	}
	return unnamed, namedLeft
}

func hex(id clientv3.LeaseID) string { return fmt.Sprintf("%x", int64(id)) }

// TestStalledMember runs every lesson of the course, each as its own run
// and all at once, against a three-member cluster while one member after
// another is frozen (SIGSTOP) at random moments for random times, one at a
// time. Lessons may fail (their requests time out on the frozen member);
// what must hold: every clean-up succeeds and no run says the cluster has
// no leader (the two others are a majority), and once every member runs
// again and what they held has landed, nothing of the runs is left that
// their output did not name.
func TestStalledMember(t *testing.T) {
	t.Parallel()
	c := stallCluster(t)
	const prefix = "/stall/"
	conn := etcdconn.Conn{Endpoints: c.Endpoints(), CommandTimeout: 2 * time.Second, DialTimeout: 5 * time.Second}

	stop := make(chan struct{})
	freezes := 0
	var freezer sync.WaitGroup
	freezer.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(100+rand.IntN(900)) * time.Millisecond):
			}
			i := rand.IntN(3)
			c.Freeze(i)
			freezes++
			select {
			case <-stop:
			case <-time.After(time.Duration(500+rand.IntN(2500)) * time.Millisecond):
			}
			c.Thaw(i)
		}
	})

	recs := make([]*runnertest.Recorder, len(lessons.Course))
	sums := make([]runner.Summary, len(lessons.Course))
	var wg sync.WaitGroup
	for i, l := range lessons.Course {
		recs[i] = &runnertest.Recorder{}
		wg.Go(func() {
			var err error
			sums[i], err = runner.Run(context.Background(), runner.Config{Conn: conn, Prefix: prefix, Reporter: recs[i]}, []runner.Lesson{l})
			if err != nil {
				t.Errorf("%s: runner.Run: %v", l.ID, err)
			}
		})
	}
	wg.Wait()
	close(stop)
	freezer.Wait()

	failed := 0
	for i, sum := range sums {
		for _, r := range sum.Lessons {
			if r.Status == runner.StatusFailed {
				failed++
			}
			for _, f := range r.Failures {
				if strings.HasPrefix(f, "cleanup: ") && !strings.Contains(f, "may still grant it later") {
					t.Errorf("%s: the clean-up failed with a majority up: %s\n%s", r.ID, f, recs[i].String())
				}
			}
		}
	}
	for i, rec := range recs {
		for _, e := range runnertest.Events(rec, runner.KindNote) {
			if strings.Contains(e.Text, "no leader") {
				t.Errorf("%s: with a majority up, the run says: %s\n%s", lessons.Course[i].ID, e.Text, rec.String())
			}
		}
	}
	n := cleanupNamed(recs...)
	unnamed, namedLeft := leftovers(t, c, prefix, n)
	t.Logf("%d freezes; %d of %d lessons failed; %d leftovers named, %d not", freezes, failed, len(lessons.Course), namedLeft, len(unnamed))
	if len(unnamed) > 0 {
		var out []string
		for _, r := range recs {
			out = append(out, r.String())
		}
		t.Errorf("left and not named in the output: %q\n%s", unnamed, strings.Join(out, "\n"))
	}
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
	rec := &runnertest.Recorder{}
	sum, err := runner.Run(context.Background(), runner.Config{Conn: conn, Prefix: prefix, Reporter: rec}, []runner.Lesson{
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
	})
	if err != nil {
		t.Fatal(err)
	}
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
	unnamed, namedLeft := leftovers(t, c, prefix, cleanupNamed(rec))
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
	srv := ownServer(t)
	rec := &runnertest.Recorder{}
	var timedOut atomicCount
	const n = 40
	_, err := runner.Run(context.Background(), runner.Config{Conn: etcdconn.Conn{Endpoints: []string{srv.Endpoint()}}, Reporter: rec}, []runner.Lesson{
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
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of %d Grants timed out", timedOut.get(), n)
	if timedOut.get() == 0 {
		t.Fatalf("no Grant timed out: the test proves nothing\n%s", rec.String())
	}
	cli := admin(t, server{Endpoint: srv.Endpoint()}, serverOpts{}, "", "")
	n2 := cleanupNamed(rec)
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
		if !n2.leases[hex(l.ID)] {
			t.Errorf("lease %s left and not named:\n%s", hex(l.ID), rec.String())
		}
	}
}
