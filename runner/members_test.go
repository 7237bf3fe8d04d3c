package runner_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"etcdtour/lessons"
	"etcdtour/runner"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/runnertest"
)

// TestCourseThreeMembers runs the whole course, two runs at once, against a
// healthy three-member etcd (Debian's 3.4 in CI, with etcd's default
// timings, as most clusters people run), all three endpoints given: the
// client spreads its requests over the members, so a read, a watch or a
// lease call may go to another member than the write before it. Every
// lesson passes (a lesson that needs an etcd of its own is skipped, and
// says why), and the cluster's keys and leases are as they were. Under
// CI=true it fails, not skips, without an etcd binary.
func TestCourseThreeMembers(t *testing.T) {
	t.Parallel()
	c := runnertest.StartCluster(t, runnertest.ClusterOptions{})
	cli := c.Client(t)
	fill(t, cli)
	before := readKeyspace(t, cli)
	conn := etcdconn.Conn{Endpoints: c.Endpoints()}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			rec := &runnertest.Recorder{}
			sum, err := runner.Run(context.Background(), runner.Config{Conn: conn, Reporter: rec}, lessons.Course)
			if err != nil {
				t.Errorf("runner.Run on %v: %v", conn.Endpoints, err)
				return
			}
			if start := runnertest.Events(rec, runner.KindCourseStart); len(start) == 1 {
				t.Logf("etcd %s at %v: %d lessons in %.1fs", start[0].Version, conn.Endpoints, len(sum.Lessons), sum.Seconds)
			}
			var bad []string
			for i, r := range sum.Lessons {
				// A lesson that compacts or stops members (Needs) runs on
				// a cluster of its own, never on one the user named.
				want := runner.StatusPassed
				if lessons.Course[i].Needs.Members > 0 {
					want = runner.StatusSkipped
				}
				if r.Status != want {
					bad = append(bad, fmt.Sprintf("%s %s, want %s: %s %s", r.ID, r.Status, want, r.Error, strings.Join(r.Failures, "; ")))
				}
			}
			if len(bad) != 0 || len(sum.Lessons) != len(lessons.Course) {
				t.Errorf("on three members, %d of %d lessons:\n%s\n%s", len(sum.Lessons), len(lessons.Course), strings.Join(bad, "\n"), rec.String())
			}
		})
	}
	wg.Wait()
	sameKeyspace(t, cli, before)
}
