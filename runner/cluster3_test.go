package runner_test

import (
	"context"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

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
	put := func(cli *clientv3.Client, what string) {
		t.Helper()
		// A leader that just went away fails a request or two.
		var err error
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, err = cli.Put(ctx, "/runnertest/cluster", what)
			cancel()
			if err == nil {
				return
			}
		}
		t.Fatalf("put %s: %v", what, err)
	}
	put(c.Client(t), "healthy")
	l := c.Leader()
	if l < 0 {
		t.Fatal("no leader in a healthy cluster")
	}
	c.Freeze(l)
	c.WaitHealthy(t, 30*time.Second)
	if nl := c.Leader(); nl == l || nl < 0 {
		t.Fatalf("leader %d frozen, leader now %d: want another", l, nl)
	}
	put(c.Client(t, (l+1)%3, (l+2)%3), "leader frozen")
	c.Thaw(l)
	c.WaitHealthy(t, 30*time.Second)
	c.Kill((l + 1) % 3)
	put(c.Client(t, l, (l+2)%3), "one member killed")
	c.Restart(t, (l+1)%3)
	put(c.Client(t), "restarted")
}
