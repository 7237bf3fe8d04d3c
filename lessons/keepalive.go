package lessons

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// KeepAlive keeps a lease alive past its TTL, then lets it go.
var KeepAlive = runner.Lesson{
	ID:     "keepalive",
	Title:  "KeepAlive",
	Doc:    "Keep a lease alive past its TTL, stop renewing it the right way, and watch its key expire.",
	Source: "lessons/keepalive.go",
	Run:    keepAlive,
}

func keepAlive(ctx context.Context, t *runner.T) error {
	cli := t.Client

	t.Step("Grant a lease and put a key with it")
	// 2 s, not 1: the client renews at most every 500 ms, and a busy machine
	// should not lose a lease that is being kept alive.
	t.Etcdctl("lease", "grant", "2")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	grant, err := cli.Grant(ctx1, 2)
	cancel()
	if err != nil {
		return fmt.Errorf("grant: %w", err)
	}
	ttl := time.Duration(grant.TTL) * time.Second
	t.Result("lease %x granted with TTL %v", grant.ID, ttl)
	t.Etcdctl("put", fmt.Sprintf("--lease=%x", grant.ID), t.Key("worker"), "busy")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	_, err = cli.Put(ctx1, "worker", "busy", clientv3.WithLease(grant.ID))
	cancel()
	if err != nil {
		return fmt.Errorf("put %q with lease: %w", "worker", err)
	}

	t.Step("Renew once with KeepAliveOnce")
	t.Etcdctl("lease", "keep-alive", "--once", fmt.Sprintf("%x", grant.ID))
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	once, err := cli.KeepAliveOnce(ctx1, grant.ID)
	cancel()
	if err != nil {
		return fmt.Errorf("keepalive once %x: %w", grant.ID, err)
	}
	t.Result("TTL back to %ds", once.TTL)

	t.Step("Keep it alive for longer than its TTL")
	t.Say(`KeepAlive renews the lease well before it runs out (a third of the
TTL after each renewal, and no more often than every 500 ms) until its
context is cancelled. The responses come on a channel that the client
closes when it stops.`)
	t.Etcdctl("lease", "keep-alive", fmt.Sprintf("%x", grant.ID))
	kactx, stopKeepAlive := context.WithCancel(ctx)
	defer stopKeepAlive()
	started := time.Now()
	ch, err := cli.KeepAlive(kactx, grant.ID)
	if err != nil {
		return fmt.Errorf("keepalive %x: %w", grant.ID, err)
	}
	hold := ttl + time.Second
	t.Wait(hold, "keeping lease %x alive for %v", grant.ID, hold)
	var renewals []string // when each renewal came, and the TTL it set
	deadline := time.After(hold)
	for waiting := true; waiting; {
		select {
		case ka, ok := <-ch:
			if !ok {
				return fmt.Errorf("keepalive channel closed early: lease %x lost", grant.ID)
			}
			at := time.Since(started).Round(100 * time.Millisecond)
			renewals = append(renewals, fmt.Sprintf("renewed after %v: TTL %ds", at, ka.TTL))
		case <-deadline:
			waiting = false
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for _, r := range renewals {
		t.Result("%s", r)
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	get, err := cli.Get(ctx1, "worker")
	cancel()
	if err != nil {
		return fmt.Errorf("get %q: %w", "worker", err)
	}
	t.Check(len(renewals) >= 2, "the lease was renewed repeatedly (%d times)", len(renewals))
	t.Check(len(get.Kvs) == 1, "the key is still there after %v, more than its TTL", hold)

	t.Step("Stop renewing: cancel, then read until the channel closes")
	t.Say(`The article's "for { ka := <-ch }" never ends, and once the channel
closes it receives nil and crashes on ka.TTL. Read with "ka, ok := <-ch"
instead.`)
	wctx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	wch := cli.Watch(wctx, "worker")
	stopKeepAlive()
	stopped := time.Now()
	t.Check(drain(ch, t.Timeout()), "the channel closed after cancel")
	t.Say(`Cancelling stops the renewals; it does not revoke the lease, which
lives on until its TTL runs out.`)
	t.Etcdctl("lease", "timetolive", "--keys", fmt.Sprintf("%x", grant.ID))
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	left, err := cli.TimeToLive(ctx1, grant.ID, clientv3.WithAttachedKeys())
	cancel()
	if err != nil {
		return fmt.Errorf("timetolive %x: %w", grant.ID, err)
	}
	t.Result("ttl=%ds keys=%q", left.TTL, left.Keys)
	// TTL is in whole seconds, rounded down: 0 is under a second, -1 gone.
	t.Check(left.TTL >= 0, "the lease still exists after the cancel")
	t.Check(len(left.Keys) == 1 && string(left.Keys[0]) == "worker", "%q is still attached to it", "worker")

	t.Wait(ttl, "waiting for lease %x to expire", grant.ID)
	resp, err := nextResponse(ctx, wch, ttl+time.Second+expirySlack)
	if err != nil {
		return fmt.Errorf("watch %q for expiry: %w", "worker", err)
	}
	for _, ev := range resp.Events {
		t.Result("%s after %v", runner.Ev(ev), time.Since(stopped).Round(100*time.Millisecond))
	}
	t.Check(len(resp.Events) == 1 && resp.Events[0].Type == clientv3.EventTypeDelete,
		"the key expired once renewals stopped")
	return nil
}
