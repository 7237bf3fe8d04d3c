package lessons

import (
	"context"
	"fmt"
	"slices"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// Lease attaches two keys to one lease and watches them expire with it.
var Lease = runner.Lesson{
	ID:    "lease",
	Title: "Lease",
	Doc: "Grant a lease, attach two keys to it, and " +
		"watch both vanish when the lease expires.",
	Run: lease,
}

// expirySlack allows for the leader checking for expired leases only every
// 500 ms, and for a slow machine.
const expirySlack = 2 * time.Second

func lease(ctx context.Context, t *runner.T) error {
	cli := t.Client
	if t.Interactive() {
		return leaseAsYou(ctx, t)
	}

	t.Step("Grant a lease")
	t.Say(`A lease is a TTL that any number of keys can share, like
Redis EXPIRE on a group of keys, not SETNX. We ask for 1 second (the
article asked for 20); the server raises a TTL below its minimum and
says what it granted.`)
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	grant, err := cli.Grant(ctx1, 1)
	cancel()
	if err != nil {
		return err
	}
	t.Result("lease %x granted with TTL %ds", grant.ID, grant.TTL)
	t.Check(grant.TTL >= 1, "the granted TTL is at least what we asked")

	t.Step("Put two keys with the lease")
	// A login session and the cart that belongs to it: they go together.
	var rev int64
	keys := []string{"session", "session/cart"} // in etcd's (sorted) order
	for _, key := range keys {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		put, err := cli.Put(ctx1, key, "alive", clientv3.WithLease(grant.ID))
		cancel()
		if err != nil {
			return err
		}
		rev = put.Header.Revision
	}
	// Watch from the revision after our last write, so that the DELETEs
	// expiry causes cannot be missed. The prefix "session" covers both
	// keys.
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	t.Etcdctl("watch", "--prefix", fmt.Sprintf("--rev=%d", rev+1),
		t.Key("session"))
	wch := cli.Watch(wctx, "session", clientv3.WithPrefix(),
		clientv3.WithRev(rev+1))

	t.Step("Ask the lease how long it has left, and which keys it holds")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	ttl, err := cli.TimeToLive(ctx1, grant.ID, clientv3.WithAttachedKeys())
	cancel()
	if err != nil {
		return err
	}
	var held []string
	for _, k := range ttl.Keys {
		held = append(held, string(k))
	}
	slices.Sort(held) // the server lists them in no particular order
	t.Result("ttl=%ds granted_ttl=%ds keys=%q", ttl.TTL, ttl.GrantedTTL, held)
	t.Say(`ttl is whole seconds, truncated: it reads 0 in the last
second, and still 0, keys attached, after the TTL until the leader's
expiry loop (every 500 ms) revokes the lease. -1 means there is no such
lease: revoked, expired and removed, or never granted.`)
	t.Equal(held, keys, "the lease holds both keys")

	t.Step("Wait for the lease to expire")
	t.Say(`A lease can outlive its TTL: a new leader, or a single
member that restarts, gives every lease its full TTL again.`)
	waitStart := time.Now()
	t.Wait(time.Duration(grant.TTL)*time.Second,
		"waiting for lease %x to expire (TTL %ds)", grant.ID, grant.TTL)
	limit := time.Duration(grant.TTL)*time.Second + time.Second + expirySlack
	evs, err := nextEvents(ctx, wch, 2, limit)
	if err != nil {
		return err
	}
	took := time.Since(waitStart).Round(100 * time.Millisecond)
	var deleted []string
	for _, ev := range evs {
		t.Result("%s after %v", evString(ev), took)
		if ev.Type == clientv3.EventTypeDelete {
			deleted = append(deleted, string(ev.Kv.Key))
		}
	}
	slices.Sort(deleted)
	t.Equal(deleted, keys, "expiry shows up as a DELETE event for each key")
	t.Equal(evs[0].Kv.ModRevision, evs[1].Kv.ModRevision,
		"both keys went in one revision")

	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	gone, err := cli.TimeToLive(ctx1, grant.ID)
	cancel()
	if err != nil {
		return err
	}
	t.Result("ttl=%d", gone.TTL)
	t.Equal(gone.TTL, int64(-1), "the lease is gone: ttl -1")
	return nil
}
