package runner_test

import (
	"context"
	"testing"
	"time"

	"etcdtour/runner/runnertest"
)

// TestClusterHelper: runnertest.StartCluster gives three members with one
// leader; a frozen leader is replaced, a thawed member rejoins, and two
// members of three still serve writes after one is killed.
func TestClusterHelper(t *testing.T) {
	t.Parallel()
	c := runnertest.StartCluster(t, runnertest.ClusterOptions{HeartbeatMs: 50, ElectionMs: 500})
	if n := len(c.Endpoints()); n != 3 {
		t.Fatalf("%d endpoints, want 3", n)
	}
	cli := c.Client(t)
	put := func(what string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := cli.Put(ctx, "/runnertest/cluster", what); err != nil {
			t.Fatalf("put %s: %v", what, err)
		}
	}
	put("healthy")
	l := c.Leader()
	if l < 0 {
		t.Fatal("no leader in a healthy cluster")
	}
	c.Freeze(l)
	c.WaitHealthy(t, 30*time.Second)
	if nl := c.Leader(); nl == l || nl < 0 {
		t.Fatalf("leader %d frozen, leader now %d: want another", l, nl)
	}
	put("leader frozen")
	c.Thaw(l)
	c.WaitHealthy(t, 30*time.Second)
	c.Kill((l + 1) % 3)
	put("one member killed")
	c.Restart(t, (l+1)%3)
	put("restarted")
}
