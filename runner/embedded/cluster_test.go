package embedded

import (
	"context"
	"net"
	"testing"
	"time"
)

// TestRestartPortsTaken: a member restarts while another program holds the
// ports it listened on itself before it stopped (its peers and clients use
// its relays, which it keeps); nobody can take the relay's. Both happened
// in suite runs: a bind that failed with EADDRINUSE failed failover's restart.
func TestRestartPortsTaken(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := StartCluster(ctx, ClusterOptions{Members: 3, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	m := c.members[0]
	// The ports it listens on itself, behind its relays.
	old := []string{m.cfg.ListenPeerUrls[0].Host, m.cfg.ListenClientUrls[0].Host}
	if err := c.Stop(0); err != nil {
		t.Fatal(err)
	}
	// Its address, the relay's, stays ours while it is down: no other
	// program can take the address it comes back on.
	if l, err := net.Listen("tcp", c.Endpoints()[0]); err == nil {
		l.Close()
		t.Fatalf("the stopped member's address %s was free to take", c.Endpoints()[0])
	}
	for _, addr := range old {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("taking %s: %v", addr, err)
		}
		defer l.Close()
	}
	if err := c.Restart(ctx, 0); err != nil {
		t.Fatalf("restart with its old ports taken: %v", err)
	}
	if _, err := c.Leader(ctx); err != nil {
		t.Fatalf("no leader after the restart: %v", err)
	}
}
