package lessons

import (
	"context"
	"errors"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// KeepAlive keeps a lease alive past its TTL, then lets it go.
var KeepAlive = runner.Lesson{
	ID:    "keepalive",
	Title: "KeepAlive",
	Doc: "Keep a lease alive past its TTL, stop renewing " +
		"it the right way, and watch its key expire.",
	Run: keepAlive,
}

func keepAlive(ctx context.Context, t *runner.T) error {
	cli := t.Client

	t.Step("Grant a lease and put a key with it")
	// 1 s, the shortest TTL: renewed every 500 ms, it is kept alive with
	// half its TTL to spare, and the lesson waits no longer than it must.
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	grant, err := cli.Grant(ctx1, 1)
	cancel()
	if err != nil {
		return err
	}
	ttl := time.Duration(grant.TTL) * time.Second
	t.Result("lease %x granted with TTL %v", grant.ID, ttl)
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	put, err := cli.Put(ctx1, "worker", "busy", clientv3.WithLease(grant.ID))
	cancel()
	if err != nil {
		return err
	}

	t.Step("Renew once with KeepAliveOnce")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	once, err := cli.KeepAliveOnce(ctx1, grant.ID)
	cancel()
	if err != nil {
		return err
	}
	t.Result("TTL back to %ds", once.TTL)
	t.Equal(once.TTL, grant.TTL,
		"a renewal sets the TTL back to the granted one")

	t.Step("Keep it alive for longer than its TTL")
	t.Say(`KeepAlive sends a renewal, then the next one on the first
500 ms tick at or after a third of the TTL (TTL 1 s: every 0.5 s), until
its context is cancelled or the lease is revoked. The responses come on
a channel.`)
	t.Etcdctl("lease", "keep-alive", fmt.Sprintf("%x", grant.ID))
	kactx, stopKeepAlive := context.WithCancel(ctx)
	defer stopKeepAlive()
	started := time.Now()
	ch, err := cli.KeepAlive(kactx, grant.ID)
	if err != nil {
		return err
	}
	hold := ttl + 500*time.Millisecond // past the TTL, by one renewal
	t.Wait(hold, "keeping lease %x alive for %v", grant.ID, hold)
	renewals := 0
	deadline := time.After(hold)
renew:
	for {
		select {
		case ka, ok := <-ch:
			if !ok {
				return errors.New("the keep-alive channel " +
					"closed: the lease was lost")
			}
			renewals++
			t.Result("renewed after %.1fs: TTL %ds",
				time.Since(started).Seconds(), ka.TTL)
		case <-deadline:
			break renew
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	get, err := cli.Get(ctx1, "worker")
	cancel()
	if err != nil {
		return err
	}
	t.Check(renewals >= 2, "the lease was renewed repeatedly (%d times)",
		renewals)
	t.Equal(len(get.Kvs), 1,
		"the key is still there after %v, more than its TTL", hold)

	t.Step("Stop renewing: cancel, then read until the channel closes")
	t.Say(`The article's "for { ka := <-ch }" never ends, and once the
channel closes it receives nil and crashes on ka.TTL. Read with "ka, ok
:= <-ch".`)
	stopKeepAlive()
	stopped := time.Now()
	t.Check(closed(ch, t.Timeout()), "the channel closed after cancel")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	left, err := cli.TimeToLive(ctx1, grant.ID, clientv3.WithAttachedKeys())
	cancel()
	if err != nil {
		return err
	}
	t.Result("ttl=%ds keys=%q", left.TTL, left.Keys)
	t.Say(`Cancelling stops the renewals; it does not revoke the
lease, which lives until one TTL after the last renewal (Revoke would
end both).`)
	t.Check(left.TTL >= 0, "the lease still exists after the cancel")
	t.Equal(len(left.Keys), 1, "%q is still attached to it", "worker")

	t.Step("Wait for the key to expire")
	t.Wait(ttl, "waiting for lease %x to expire", grant.ID)
	wctx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	t.Etcdctl("watch", fmt.Sprintf("--rev=%d", put.Header.Revision+1),
		t.Key("worker"))
	wch := cli.Watch(wctx, "worker", clientv3.WithRev(put.Header.Revision+1))
	evs, err := nextEvents(ctx, wch, 1, ttl+time.Second+expirySlack)
	if err != nil {
		return err
	}
	t.Result("%s, %v after the cancel", evString(evs[0]),
		time.Since(stopped).Round(100*time.Millisecond))
	// After the cancel: a DELETE from before it would be history.
	t.Check(evs[0].Type == clientv3.EventTypeDelete &&
		evs[0].Kv.ModRevision > left.Revision,
		"the key expired once renewals stopped")
	return nil
}
