package exercises

import (
	"context"
	"errors"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner/exercise"
)

// KeepAlive asks for a registration kept alive as long as its caller
// runs, and made again when its lease is lost.
var KeepAlive = exercise.Exercise{
	ID:     "keepalive",
	Title:  "Stay registered: renew, read every renewal, register again when the lease is lost",
	Lesson: "keepalive",
	Doc:    "docs/keepalive.md",
	Hints: []string{
		"ch, err := cli.KeepAlive(ctx, lease.ID) renews until ctx ends; for range ch { } reads every response, and ends when the channel closes.",
		"The channel closes when ctx ends and when the lease is lost: if ctx is not done, grant a new lease, put the key again, and KeepAlive that one.",
		"Give KeepAlive the ctx Keep was given, so that its channel closes, and Keep returns, when ctx ends.",
	},
	Files:      files("keepalive"),
	Checks:     keepAliveChecks,
	Concurrent: true,
	Mistakes: []exercise.Mistake{
		{Dir: "not-drained", Bug: "KeepAlive's channel never read", Check: kaDrained, Says: "sat unread"},
		{Dir: "no-reregister", Bug: "returns when the lease is lost, instead of registering again", Check: kaRevoked, Says: "grant a new lease"},
		{Dir: "reregister-no-keepalive", Bug: "registers again under a new lease, but does not keep that one alive", Check: kaRevoked, Says: "keep the new lease alive"},
		{Dir: "ignores-ctx", Bug: "KeepAlive with context.Background(): Keep never returns", Check: kaCancel, Says: "did not return"},
	},
}

const (
	kaTTL     = "the key registered under a lease of the TTL you were given"
	kaDrained = "the key kept past its TTL, and every keep-alive response read"
	kaRevoked = "your lease revoked: the key back under a new lease within 3 s, and kept"
	kaCancel  = "ctx cancelled: Keep returns"
)

var keepAliveChecks = []exercise.Check{{
	Name: kaTTL,
	Step: "keepalive, step 1 (Grant a lease and put a key with it)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		_, _, _, err := startKeep(ctx, c)
		return err
	},
}, {
	Name: kaDrained,
	Step: "keepalive, step 3 (Keep it alive for longer than its TTL)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		_, ttl, kv, err := startKeep(ctx, c)
		if err != nil {
			return err
		}
		gone, after, err := kept(ctx, c, "service", kv.ModRevision, kv.Lease, ttl)
		if err != nil {
			return err
		}
		ka := c.KeepAlives()
		switch {
		case gone && ka.Calls == 0:
			return c.Fail("the key was deleted %v after it was put: its lease expired, and your code never called KeepAlive, which renews it every third of its TTL", after.Round(100*time.Millisecond))
		case gone:
			return c.Fail("the key was deleted %v after it was put: its lease expired. Keep the lease alive with cli.KeepAlive(ctx, id) for as long as Keep runs", after.Round(100*time.Millisecond))
		case ka.Unread >= 1:
			return c.Fail("a keep-alive response sat unread in the channel KeepAlive gave you until the next came (%d at most): nobody reads it. At 16, clientv3 drops them and logs \"lease keepalive response queue is full\" at every renewal. Read it in a loop (for range ch) until it closes", ka.Unread)
		}
		return nil
	},
}, {
	Name: kaRevoked,
	Step: "keepalive, step 4 (Stop renewing: cancel, then read until the channel closes): a closed channel is a lost lease",
	Run:  keepRevoked,
}, {
	Name: kaCancel,
	Step: "keepalive, step 4 (Stop renewing: cancel, then read until the channel closes)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		r, _, _, err := startKeep(ctx, c)
		if err != nil {
			return err
		}
		r.Cancel()
		wctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		err = r.Wait(wctx, nil)
		var ce *exercise.CallError
		switch {
		case errors.As(err, &ce) && strings.Contains(ce.Err, context.Canceled.Error()):
			return nil // ctx's error
		case err != nil && wctx.Err() != nil && ctx.Err() == nil:
			return c.Fail("Keep did not return within 3 s after its ctx was cancelled: give KeepAlive the ctx Keep was given, and return when ctx is done")
		}
		return err
	},
}}

// startKeep starts Keep on the key "service" and waits for the key: it
// must hold its value under a lease granted for the TTL given. It returns
// the running Keep, the TTL and the key as it was put.
func startKeep(ctx context.Context, c *exercise.Code) (*exercise.Running, int64, *mvccpb.KeyValue, error) {
	ttl, err := shortTTL(ctx, c)
	if err != nil {
		return nil, 0, nil, err
	}
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	now, err := c.Etcd.Get(ctx1, "service")
	cancel()
	if err != nil {
		return nil, 0, nil, err
	}
	r := c.Start("Keep", map[string]any{"Key": "service", "Value": "10.0.0.7:2379", "TTL": ttl})
	kv, err := nextPut(ctx, c, r, now.Header.Revision, 3*time.Second)
	switch {
	case errors.Is(err, errNoPause):
		return nil, 0, nil, c.Fail("Keep put no key service within 3 s: grant a lease and put the key with it")
	case errors.Is(err, exercise.ErrReturned):
		return nil, 0, nil, c.Fail("Keep returned before it put the key service: register it, then keep it alive until ctx ends")
	case err != nil:
		return nil, 0, nil, err
	}
	var rev int64
	if err := leaseIs(ctx, c, "Keep", ttl, kv.Lease, &rev); err != nil {
		return nil, 0, nil, err
	}
	return r, ttl, kv, nil
}

// nextPut watches the key "service" from after revision rev for at most
// limit and returns its first put. It returns errNoPause when none came,
// exercise.ErrReturned or r's error when r returned first.
func nextPut(ctx context.Context, c *exercise.Code, r *exercise.Running, rev int64, limit time.Duration) (*mvccpb.KeyValue, error) {
	wctx, cancel := context.WithTimeout(clientv3.WithRequireLeader(ctx), limit)
	defer cancel()
	returned := make(chan error, 1)
	go func() {
		err := r.Wait(wctx, nil)
		if err == nil {
			err = exercise.ErrReturned
		}
		returned <- err
	}()
	defer func() { cancel(); <-returned }()
	wch := c.Etcd.Watch(wctx, "service", clientv3.WithRev(rev+1))
	for {
		select {
		case resp, ok := <-wch:
			if !ok {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				return nil, errNoPause
			}
			if err := resp.Err(); err != nil {
				return nil, err
			}
			for _, ev := range resp.Events {
				if ev.Type == clientv3.EventTypePut {
					return ev.Kv, nil
				}
			}
		case err := <-returned:
			returned <- err // for the deferred receive
			if wctx.Err() != nil && !errors.Is(err, exercise.ErrReturned) {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				return nil, errNoPause
			}
			return nil, err
		}
	}
}

// keepRevoked revokes the lease of Keep's key, as an operator would: the
// key must come back under a new lease within 3 s, and stay past its TTL.
func keepRevoked(ctx context.Context, c *exercise.Code) error {
	r, ttl, kv, err := startKeep(ctx, c)
	if err != nil {
		return err
	}
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	revoked, err := c.Etcd.Revoke(ctx1, clientv3.LeaseID(kv.Lease))
	cancel()
	if err != nil {
		return err
	}
	back, err := nextPut(ctx, c, r, revoked.Header.Revision, 3*time.Second)
	var ce *exercise.CallError
	switch {
	case errors.Is(err, errNoPause):
		return c.Fail("the checker revoked your lease %x, and 3 s later the key is not back: when the KeepAlive channel closes and ctx is not done, grant a new lease, put the key again and keep it alive", kv.Lease)
	case errors.Is(err, exercise.ErrReturned):
		return c.Fail("the checker revoked your lease %x, and Keep returned: a closed KeepAlive channel while ctx lasts means the lease is lost. grant a new lease, put the key again and keep it alive", kv.Lease)
	case errors.As(err, &ce):
		return c.Fail("the checker revoked your lease %x, and Keep returned an error (%s): grant a new lease, put the key again and keep it alive", kv.Lease, ce.Err)
	case err != nil:
		return err
	case back.Lease == 0:
		return c.Fail("the key came back with no lease: it would stay forever after your program died. Put it with clientv3.WithLease under the new lease")
	}
	var rev int64
	if err := leaseIs(ctx, c, "Keep", ttl, back.Lease, &rev); err != nil {
		return err
	}
	gone, after, err := kept(ctx, c, "service", back.ModRevision, back.Lease, ttl)
	if err != nil || !gone {
		return err
	}
	return c.Fail("the key came back under lease %x, and was deleted %v later, when that lease expired: keep the new lease alive too (KeepAlive it, and read its channel)", back.Lease, after.Round(100*time.Millisecond))
}
