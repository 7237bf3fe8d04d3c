package lessons_test

// The election lesson's page states what Campaign, Resign and Leader do in
// cases the lesson does not run; each is checked here against a real server.

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
)

func newSession(t *testing.T, cli *clientv3.Client) *concurrency.Session {
	t.Helper()
	s, err := concurrency.NewSession(cli, concurrency.WithTTL(10))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestElectionSameSession: a second Election on the leader's session wins
// at once, with the leader's key, and its different value replaces the
// leader's; either one's Resign ends both.
func TestElectionSameSession(t *testing.T) {
	newClient := lockServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cli := newClient()
	s := newSession(t, cli)
	a, b := concurrency.NewElection(s, "/same/e"), concurrency.NewElection(s, "/same/e")
	if err := a.Campaign(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	// A candidate on another session waits behind a's key.
	os2 := newSession(t, newClient())
	other := concurrency.NewElection(os2, "/same/e")
	octx, ocancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer ocancel()
	if err := other.Campaign(octx, "other"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("another session's Campaign: %v, want it to wait until its deadline", err)
	}
	// Its key goes with its session. (Campaign resigns at its deadline only
	// if the deadline came while it waited: one that came during its Txn,
	// at a load of 18, left the key, which then led after a's Resign.)
	if err := os2.Close(); err != nil {
		t.Fatal(err)
	}
	// Winning "at once" is one Txn and one Get: 5 s, since under -race
	// beside the package's other tests (2 cores) those took over a second.
	bctx, bcancel := context.WithTimeout(ctx, 5*time.Second)
	defer bcancel()
	if err := b.Campaign(bctx, "b"); err != nil {
		t.Fatalf("a second Campaign on the leader's session: %v, want it to win at once", err)
	}
	if a.Key() != b.Key() {
		t.Errorf("keys %q and %q, want one key", a.Key(), b.Key())
	}
	leader, err := b.Leader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(leader.Kvs[0].Value); got != "b" {
		t.Errorf("leader value %q, want the second Campaign's %q", got, "b")
	}
	if err := a.Resign(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Leader(ctx); !errors.Is(err, concurrency.ErrElectionNoLeader) {
		t.Errorf("after a's Resign, b.Leader: %v, want ErrElectionNoLeader (the other's key went at its deadline)", err)
	}
	if err := b.Proclaim(ctx, "b2"); !errors.Is(err, concurrency.ErrElectionNotLeader) {
		t.Errorf("b.Proclaim after a's Resign: %v, want ErrElectionNotLeader", err)
	}
}

// TestElectionResignAfterLoss: a leader whose key is gone (its lease was
// revoked, as an expiry would) gets ErrElectionNotLeader from Proclaim, but
// nil from Resign, which deletes nothing.
func TestElectionResignAfterLoss(t *testing.T) {
	newClient := lockServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cli := newClient()
	s := newSession(t, cli)
	e := concurrency.NewElection(s, "/loss/e")
	if err := e.Campaign(ctx, "v"); err != nil {
		t.Fatal(err)
	}
	if _, err := newClient().Revoke(ctx, s.Lease()); err != nil {
		t.Fatal(err)
	}
	// The next leader, on another session, must survive the old one's Resign.
	next := concurrency.NewElection(newSession(t, newClient()), "/loss/e")
	if err := next.Campaign(ctx, "next"); err != nil {
		t.Fatal(err)
	}
	// A second handle on the old leader's key, as a restarted process
	// would make it, proclaims: the key is gone.
	old := concurrency.ResumeElection(s, "/loss/e", e.Key(), e.Rev())
	if err := old.Proclaim(ctx, "v2"); !errors.Is(err, concurrency.ErrElectionNotLeader) {
		t.Errorf("Proclaim by a leader whose key is gone: %v, want ErrElectionNotLeader", err)
	}
	// That Proclaim forgot the key but not the session: a Resign after it
	// sends a Txn on the empty key, which the server refuses.
	if err := old.Resign(ctx); !errors.Is(err, rpctypes.ErrEmptyKey) {
		t.Errorf("Resign after a failed Proclaim: %v, want %v", err, rpctypes.ErrEmptyKey)
	}
	if err := e.Resign(ctx); err != nil {
		t.Errorf("Resign by a leader whose key is gone: %v, want nil", err)
	}
	leader, err := e.Leader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(leader.Kvs[0].Key) != next.Key() {
		t.Errorf("leader %q after the old leader's Resign, want %q", leader.Kvs[0].Key, next.Key())
	}
}
