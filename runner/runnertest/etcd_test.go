package runnertest

import (
	"context"
	"net"
	"os"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner/loopback"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// TestEtcdPortTaken: a member whose port another program took before etcd
// bound it exits; the cluster is started again on new ports, within the
// start's bound. (issue 25: the retry waited forever for the member that
// had already exited.)
func TestEtcdPortTaken(t *testing.T) {
	t.Parallel()
	bin := EtcdBinary(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	calls := 0
	free := func() (string, error) {
		calls++
		if calls == 1 {
			return l.Addr().String(), nil // the first client port: taken
		}
		return loopback.FreeAddr()
	}
	start := time.Now()
	c, err := startCluster(bin, t.TempDir(), fast, free)
	if err != nil {
		t.Fatalf("after %v: %v", time.Since(start), err)
	}
	defer c.stop()
	if c.Endpoint(0) == l.Addr().String() {
		t.Errorf("the member serves on %s, the taken port", c.Endpoint(0))
	}
	if calls != 4 {
		t.Errorf("%d ports picked, want 4: two for the attempt that failed, two for the next", calls)
	}
}

// TestClusterHelper: StartCluster gives three members with one
// leader; a frozen leader is replaced, a thawed member rejoins, and two
// members of three still serve writes after one is killed.
func TestClusterHelper(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, ClusterOptions{HeartbeatMs: 50, ElectionMs: 500})
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
