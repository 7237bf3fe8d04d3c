package lessons

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"etcdtour/runner"
)

// LeaderLoss shows a leader whose session expires: the next candidate
// leads, and the old leader's writes must be fenced.
var LeaderLoss = runner.Lesson{
	ID:    "leader-loss",
	Title: "A leader that lost its session",
	Doc: "Candidate 1 leads and candidate 2 waits; candidate 1's session " +
		"expires, and candidate 2 leads; a fenced write shows what the " +
		"old leader must not assume; a waiter whose session ends wins a " +
		"Campaign that leads nothing.",
	Run: leaderLoss,
}

func leaderLoss(ctx context.Context, t *runner.T) error {
	cli := t.Client

	t.Step("Candidate 1 leads, on a 1 s lease; candidate 2 waits")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	lease1, err := cli.Grant(ctx1, 1) // session 1's, to expire: the shortest
	cancel()
	if err != nil {
		return err
	}
	s1, err := concurrency.NewSession(cli, concurrency.WithLease(lease1.ID))
	if err != nil {
		return err
	}
	defer s1.Close()
	s2, err := concurrency.NewSession(cli, concurrency.WithTTL(2))
	if err != nil {
		return err
	}
	defer s2.Close()
	e1 := concurrency.NewElection(s1, "election")
	e2 := concurrency.NewElection(s2, "election")
	t.Etcdctl("elect", t.Key("election"), "node-1")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = e1.Campaign(ctx1, "node-1")
	cancel()
	if err != nil {
		return err
	}
	wctx, stop := context.WithCancel(ctx) // for a watch of the keys
	defer stop()
	from := e1.Rev() + 1 // after candidate 1's key
	t.Etcdctl("watch", "--prefix", fmt.Sprintf("--rev=%d", from),
		t.Key("election/"))
	wch := cli.Watch(wctx, "election/", clientv3.WithPrefix(),
		clientv3.WithRev(from))
	ttl := time.Duration(lease1.TTL) * time.Second
	t.Etcdctl("elect", t.Key("election"), "node-2")
	elected2 := campaign(ctx, e2, "node-2", ttl+expirySlack+t.Timeout())
	evs, err := nextEvents(ctx, wch, 1, t.Timeout())
	if err != nil {
		return err
	}
	t.Result("candidate 2 queued: %s", evString(evs[0]))

	t.Step("Candidate 1's session expires, and candidate 2 leads")
	s1.Orphan() // no more renewals: as if candidate 1's process stalled
	t.Wait(ttl, "waiting for lease %x to expire: TTL %ds granted, 1 s asked",
		s1.Lease(), lease1.TTL)
	if err := <-elected2; err != nil {
		return err
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	leader, err := e2.Leader(ctx1)
	cancel()
	if err != nil {
		return err
	}
	t.Result("Leader: %s", kvString(leader.Kvs[0]))
	t.Equal(leader.Kvs[0].CreateRevision, e2.Rev(),
		"candidate 2 leads, with the key it queued")

	t.Step("What a leader that lost its session must not assume")
	t.Say(`Candidate 1's Campaign returned long ago, and e1.Key()
still names its key. So every write must require that key's
create_revision, in its Txn.`)
	owner := clientv3.Compare(clientv3.CreateRevision(e1.Key()), "=", e1.Rev())
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	put, err := cli.Txn(ctx1).If(owner).
		Then(clientv3.OpPut("config", "written by node-1")).Commit()
	cancel()
	if err != nil {
		return err
	}
	t.Equal(put.Succeeded, false,
		"a write that requires candidate 1's key fails")

	t.Step("A waiter whose session ends: Campaign returns nil, not leading")
	s3, err := concurrency.NewSession(cli, concurrency.WithTTL(2))
	if err != nil {
		return err
	}
	defer s3.Close()
	e3 := concurrency.NewElection(s3, "election")
	t.Etcdctl("elect", t.Key("election"), "node-3")
	elected3 := campaign(ctx, e3, "node-3", 2*t.Timeout())
	if _, err := nextEvents(ctx, wch, 2, t.Timeout()); err != nil {
		return err // candidate 1's DELETE, then candidate 3 queues
	}
	if err := s3.Close(); err != nil { // revoked: its key goes
		return err
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = e2.Resign(ctx1)
	cancel()
	if err != nil {
		return err
	}
	t.Check(<-elected3 == nil, "candidate 3's Campaign returns nil")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	l, err := e3.Leader(ctx1) // the guard: does Leader name my key?
	cancel()
	t.Check(err != nil || string(l.Kvs[0].Key) != e3.Key(),
		"but Leader does not name its key (%v): it leads nothing", err)
	t.Say(`Campaign waits for the older keys to go, and never checks
its own (etcd-io/etcd#11051; Mutex.Lock does). Guard: Leader names
your key, or a Get of it; the session's Done() closes too late for it.`)
	return nil
}
