package lessons

import (
	"context"
	"errors"
	"etcdtour/runner"
	"fmt"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
)

// leaderHold is how long the election lesson's first leader keeps leading
// while another candidate waits: long enough to see that candidate 2 is not
// elected while candidate 1 leads, short enough not to slow the course.
const leaderHold = 100 * time.Millisecond

// campaign runs e.Campaign in the background: it returns once e leads, or
// when timeout has passed.
func campaign(ctx context.Context, e *concurrency.Election, value string,
	timeout time.Duration) <-chan error {
	elected := make(chan error, 1)
	go func() {
		ctx1, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		elected <- e.Campaign(ctx1, value)
	}()
	return elected
}

// nextLeader reads the next leader an Observe channel reports, waiting at
// most timeout.
func nextLeader(ctx context.Context, leaders <-chan *clientv3.GetResponse,
	timeout time.Duration) (*mvccpb.KeyValue, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	select {
	case resp, ok := <-leaders:
		if !ok {
			return nil, errors.New("the Observe channel closed")
		}
		return resp.Kvs[0], nil
	case <-ctx.Done():
		return nil, fmt.Errorf("no leader reported: %w", ctx.Err())
	}
}

// expire goes on with the election lesson: candidate 1 campaigns again,
// and candidate 2's session (TTL ttl2 seconds) expires.
func expire(ctx context.Context, t *runner.T, e1, e2 *concurrency.Election,
	s2 *concurrency.Session, ttl2 int64, wch clientv3.WatchChan,
	leaders <-chan *clientv3.GetResponse) error {
	t.Step("Candidate 1 campaigns again; candidate 2's session expires")
	ttl := time.Duration(ttl2) * time.Second
	t.Etcdctl("elect", t.Key("election"), "node-1")
	elected1 := campaign(ctx, e1, "node-1", ttl+expirySlack+t.Timeout())
	// Resign's DELETE, then this PUT
	evs, err := nextEvents(ctx, wch, 2, t.Timeout())
	if err != nil {
		return err
	}
	t.Result("candidate 1 queued: %s", evString(evs[1]))
	s2.Orphan() // no more renewals: as if candidate 2's process stalled
	t.Wait(ttl, "waiting for lease %x to expire: TTL %ds granted, "+
		"1 s asked", s2.Lease(), ttl2)
	leader, err := nextLeader(ctx, leaders, ttl+expirySlack)
	if err != nil {
		return err
	}
	t.Result("Observe: %s", kvString(leader))
	if err := <-elected1; err != nil {
		return err
	}
	t.Equal(leader.CreateRevision, e1.Rev(),
		"candidate 1 leads, with the key it queued")
	return oldLeader(ctx, t, e2)
}

// oldLeader is the election lesson's last step: candidate 2 lost its
// session, and its Election still names its key.
func oldLeader(ctx context.Context, t *runner.T,
	e2 *concurrency.Election) error {
	cli := t.Client

	t.Step("What a leader that lost its session must not assume")
	t.Say(`Candidate 2's Campaign returned long ago, and e2.Key()
still names its key. So every write must require that key's
create_revision, in its Txn.`)
	owner := clientv3.Compare(clientv3.CreateRevision(e2.Key()), "=",
		e2.Rev())
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	put, err := cli.Txn(ctx1).If(owner).
		Then(clientv3.OpPut("config", "written by node-2")).Commit()
	cancel()
	if err != nil {
		return err
	}
	t.Equal(put.Succeeded, false,
		"a write that requires candidate 2's key fails")
	return nil
}
