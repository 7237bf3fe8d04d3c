package runner_test

import (
	"strings"
	"testing"
	"time"

	"etcdtour/runner"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/runnertest"
)

// TestFarCluster: three members 100 ms away each way, as a cloud cluster is
// from a laptop. The run's own requests wait for the round trip the runner
// measured at start before they try another member: hedged after a fixed
// 300 ms, the run's lease was asked of two members (a new connection takes
// three round trips), and every run ended with a false "the run's lease
// ... may still grant it later".
func TestFarCluster(t *testing.T) {
	t.Parallel()
	c := runnertest.StartCluster(t, runnertest.ClusterOptions{})
	var eps []string
	for i := range 3 {
		eps = append(eps, runnertest.NewDelayProxy(t, c.Endpoint(i), 100*time.Millisecond))
	}
	sum, rec := runnertest.Run(t, runner.Config{Conn: etcdconn.Conn{Endpoints: eps}},
		lesson("kv", kvLesson), lesson("lease", leaseLesson))
	runnertest.MustPass(t, sum, rec)
	for _, e := range runnertest.Events(rec, runner.KindNote) {
		t.Errorf("note on a cluster far away: %s", e.Text)
	}
	// Its round trip, measured at start, is not slowness (slow.go).
	for _, e := range runnertest.Events(rec, runner.KindSay) {
		if strings.Contains(e.Text, "the cluster was slow") {
			t.Errorf("a cluster far away called slow: %s", e.Text)
		}
	}
}
