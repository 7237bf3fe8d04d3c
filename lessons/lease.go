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
	ID:     "lease",
	Title:  "Lease",
	Doc:    "Grant a lease, attach two keys to it, and watch both vanish when the lease expires.",
	Source: "lessons/lease.go",
	Run:    lease,
}

// expirySlack allows for the server checking for expired leases only every
// half second or so, and for a slow machine.
const expirySlack = 2 * time.Second

func lease(ctx context.Context, t *runner.T) error {
	cli := t.Client

	t.Step("Grant a lease")
	t.Say(`A lease is a TTL that any number of keys can share, like Redis EXPIRE
on a group of keys, not SETNX. We ask for 1 second (the article asked for
20); the server raises a TTL below its minimum and says what it granted.`)
	t.Etcdctl("lease", "grant", "1")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	grant, err := cli.Grant(ctx1, 1)
	cancel()
	if err != nil {
		return fmt.Errorf("grant: %w", err)
	}
	t.Result("lease %x granted with TTL %ds", grant.ID, grant.TTL)
	t.Check(grant.TTL >= 1, "the granted TTL is at least what we asked")

	t.Step("Put two keys with the lease")
	// A login session and the cart that belongs to it: they go together.
	for _, kv := range []struct{ key, value string }{
		{"session", "alive"},
		{"session/cart", "2 books"},
	} {
		t.Etcdctl("put", fmt.Sprintf("--lease=%x", grant.ID), t.Key(kv.key), kv.value)
		ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
		_, err = cli.Put(ctx1, kv.key, kv.value, clientv3.WithLease(grant.ID))
		cancel()
		if err != nil {
			return fmt.Errorf("put %q with lease: %w", kv.key, err)
		}
	}
	// Watch now, so the DELETEs that expiry causes cannot be missed. The
	// prefix "session" covers both keys.
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	wch := cli.Watch(wctx, "session", clientv3.WithPrefix())

	t.Step("Ask the lease how long it has left, and which keys it holds")
	t.Etcdctl("lease", "timetolive", "--keys", fmt.Sprintf("%x", grant.ID))
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	ttl, err := cli.TimeToLive(ctx1, grant.ID, clientv3.WithAttachedKeys())
	cancel()
	if err != nil {
		return fmt.Errorf("timetolive %x: %w", grant.ID, err)
	}
	var keys []string
	for _, k := range ttl.Keys {
		keys = append(keys, string(k))
	}
	slices.Sort(keys) // the server lists them in no particular order
	t.Result("ttl=%ds granted_ttl=%ds keys=%q", ttl.TTL, ttl.GrantedTTL, keys)
	t.Say(`ttl is the whole seconds left, rounded down: 0 means under a second,
-1 expired.`)
	t.Check(fmt.Sprint(keys) == "[session session/cart]", "the lease holds both keys")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	get, err := cli.Get(ctx1, "session", clientv3.WithPrefix(), clientv3.WithCountOnly())
	cancel()
	if err != nil {
		return fmt.Errorf("get prefix %q: %w", "session", err)
	}
	t.Check(get.Count == 2, "both keys are there before the TTL runs out")

	t.Step("Wait for the lease to expire")
	waitStart := time.Now()
	limit := time.Duration(grant.TTL)*time.Second + time.Second + expirySlack
	t.Wait(time.Duration(grant.TTL)*time.Second, "waiting for lease %x to expire (TTL %ds)", grant.ID, grant.TTL)
	var events []string
	var took time.Duration
	for len(events) < 2 {
		// Wait past the limit, so that a late expiry fails the check below.
		resp, err := nextResponse(ctx, wch, limit+t.Timeout()-time.Since(waitStart))
		if err != nil {
			return fmt.Errorf("watch %q for expiry: %w", "session", err)
		}
		took = time.Since(waitStart)
		for _, ev := range resp.Events {
			t.Result("%s after %v", runner.Ev(ev), took.Round(100*time.Millisecond))
			events = append(events, fmt.Sprintf("%s %s", ev.Type, ev.Kv.Key))
		}
	}
	slices.Sort(events)
	t.Check(fmt.Sprint(events) == "[DELETE session DELETE session/cart]",
		"expiry shows up as a DELETE event for each key")
	t.Check(took < limit, "the keys went within TTL + 1s + %v", expirySlack)
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	get, err = cli.Get(ctx1, "session", clientv3.WithPrefix(), clientv3.WithCountOnly())
	cancel()
	if err != nil {
		return fmt.Errorf("get prefix %q: %w", "session", err)
	}
	t.Check(get.Count == 0, "both keys are gone")
	return nil
}
