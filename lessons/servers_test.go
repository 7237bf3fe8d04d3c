package lessons_test

// The whole course on the kinds of server a user names with --endpoints,
// each an etcd binary (Debian's 3.4 in CI, older than the client): three
// members holding keys that are not the course's, two runs at once, one
// through all three addresses and one through one; three members that
// stall one after another. (TestCourse runs it on the embedded server.)
// Under CI=true they fail, not skip, without an etcd binary.

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"etcdtour/lessons"
	"etcdtour/runner"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/runnertest"
)

// mustPassOn runs every lesson of the course once on each of conns, all
// runs at the same time, each run its own, and fails t unless every run
// passed or, for a lesson that needs an etcd of its own, was skipped: on a
// cluster the user names, it must be.
func mustPassOn(t *testing.T, conns ...etcdconn.Conn) {
	t.Helper()
	t.Run("course", func(t *testing.T) {
		for _, l := range lessons.Course {
			for run, conn := range conns {
				t.Run(fmt.Sprintf("%s/%d", l.ID, run+1), func(t *testing.T) {
					t.Parallel()
					sum, rec := runnertest.Run(t, runner.Config{Conn: conn}, l)
					want := runner.StatusPassed
					if l.Needs.Members > 0 {
						want = runner.StatusSkipped
					}
					if len(sum.Lessons) != 1 || sum.Lessons[0].Status != want || !sum.OK() {
						t.Errorf("at %v, want %s:\n%s", conn.Endpoints, want, rec.String())
					}
				})
			}
		}
	})
}

// TestCourseThreeMembers runs every lesson of the course twice at once, all
// lessons at the same time, each run its own, against a three-member
// Debian etcd 3.4 (older than the client), with etcd's default timings, as
// most clusters people run, holding keys that are not the course's (some
// named as the lessons name theirs). One run is given all three
// endpoints: the client spreads its requests over the members, so a read,
// a watch or a lease call may go to another member than the write before
// it. The other reaches the cluster only through one member's address.
// Every lesson passes (a lesson that needs an etcd of its own is skipped,
// and says why), and the cluster is left exactly as it was found: the
// server is the test's own, so the comparison covers everything it holds.
// (TestCourse runs the course on the embedded server, one member.)
func TestCourseThreeMembers(t *testing.T) {
	t.Parallel()
	c := runnertest.StartCluster(t, runnertest.ClusterOptions{})
	cli := c.Client(t)
	runnertest.Fill(t, cli)
	before := runnertest.ReadKeyspace(t, cli)
	mustPassOn(t, etcdconn.Conn{Endpoints: c.Endpoints()}, etcdconn.Conn{Endpoints: []string{c.Endpoint(1)}})
	runnertest.SameKeyspace(t, cli, before)
}

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
	// A 50 ms heartbeat and a 500 ms election timeout (etcd's defaults are
	// 100 ms and 1 s): a stalled leader is replaced in about a second.
	c := runnertest.StartCluster(t, runnertest.ClusterOptions{HeartbeatMs: 50, ElectionMs: 500})
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
		wg.Go(func() {
			var err error
			sums[i], recs[i], err = runnertest.Try(t.Context(), t, runner.Config{Conn: conn, Prefix: prefix}, l)
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
	unnamed, namedLeft := runnertest.Leftovers(t, c, prefix, runnertest.CleanupNamed(recs...))
	t.Logf("%d freezes; %d of %d lessons failed; %d leftovers named, %d not", freezes, failed, len(lessons.Course), namedLeft, len(unnamed))
	if len(unnamed) > 0 {
		var out []string
		for _, r := range recs {
			out = append(out, r.String())
		}
		t.Errorf("left and not named in the output: %q\n%s", unnamed, strings.Join(out, "\n"))
	}
}
