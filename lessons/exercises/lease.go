package exercises

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner/exercise"
)

// Lease asks for a registration that a program's end removes: a key under
// a lease of the TTL asked for, kept alive while the program runs.
var Lease = exercise.Exercise{
	ID:     "lease",
	Title:  "Register a key that goes by itself when your program stops",
	Lesson: "lease",
	Doc:    "docs/lease.md",
	Hints: []string{
		"cli.Grant(ctx1, ttl) gives a lease; cli.Put(ctx1, key, value, clientv3.WithLease(lease.ID)) ties the key to it.",
		"A lease nobody renews expires after its TTL, program running or not: cli.KeepAlive renews it every third of the TTL.",
		"KeepAlive renews until its context ends: ctx ends when Register returns, so give KeepAlive context.Background(), and read its channel in a goroutine.",
	},
	Files:      files("lease"),
	Checks:     leaseChecks,
	Concurrent: true,
	Mistakes: []exercise.Mistake{
		{Dir: "no-keepalive", Bug: "a lease and a key with it, and nothing that renews the lease", Check: leaseAlive, Says: "never called KeepAlive"},
		{Dir: "keepalive-ctx", Bug: "KeepAlive with Register's ctx, which ends when Register returns", Check: leaseAlive, Says: "its context ended"},
		{Dir: "nil-response", Bug: "a goroutine that reads KeepAlive's channel with <-ch, no ok: the closed channel's nil response panics", Check: leaseAlive, Says: "your code panicked at"},
		{Dir: "exit-in-goroutine", Bug: "a goroutine that ends the program with os.Exit after two renewals", Check: leaseAlive, Says: "your code ended the whole process (exit status 4)"},
		{Dir: "wrong-ttl", Bug: "a lease of 60 s, not the ttl asked for", Check: leaseTTL, Says: "granted for 60 s"},
		{Dir: "no-lease", Bug: "the key put without the lease", Check: leaseTTL, Says: "no lease"},
	},
}

const (
	leaseTTL    = "the key carries the lease you returned, granted for the TTL you were given"
	leaseAlive  = "the key stays past its TTL after Register returned: you keep the lease alive"
	leaseKilled = "your program killed: the key goes by itself within its TTL"
)

var leaseChecks = []exercise.Check{{
	Name: leaseTTL,
	Step: "lease, step 1 (Grant a lease) and step 2 (Put two keys with the lease)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		_, _, _, err := register(ctx, c, "Register")
		return err
	},
}, {
	Name: leaseAlive,
	Step: "keepalive, step 3 (Keep it alive for longer than its TTL)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		ttl, rev, id, err := register(ctx, c, "Register")
		if err != nil {
			return err
		}
		gone, after, err := kept(ctx, c, "service", rev, id, ttl)
		if err != nil || !gone {
			return err
		}
		switch ka := c.KeepAlives(); {
		case ka.Calls == 0:
			return c.Fail("the key was deleted %v after Register returned: its lease expired, and your code never called KeepAlive, which renews it every third of its TTL", after.Round(100*time.Millisecond))
		default:
			return c.Fail("the key was deleted %v after Register returned: its lease expired, because your KeepAlive stopped renewing when its context ended. ctx ends when Register returns: give KeepAlive context.Background()", after.Round(100*time.Millisecond))
		}
	},
}, {
	Name: leaseKilled,
	Step: "lease, step 4 (Wait for the lease to expire)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		ttl, rev, _, err := register(ctx, c, "Register")
		if err != nil {
			return err
		}
		c.Kill()
		limit := time.Duration(ttl)*time.Second + 1500*time.Millisecond
		gone, _, err := deletedWithin(ctx, c, "service", rev, limit)
		if err != nil || gone {
			return err
		}
		return c.Fail("the checker killed your program, and %v later the key is still there: nothing of a dead program may stay. Put the key with clientv3.WithLease, under a lease of the TTL given", limit)
	},
}}

// register calls fn (Register) with a TTL etcd grants as asked, looks
// that the key holds its value under the lease fn returned, granted for
// that TTL, and returns the TTL, the revision it read the key at and the
// lease.
func register(ctx context.Context, c *exercise.Code, fn string) (ttl, rev, id int64, err error) {
	ttl, err = shortTTL(ctx, c)
	if err != nil {
		return 0, 0, 0, err
	}
	if err := c.Call(ctx, fn, map[string]any{"Key": "service", "Value": "10.0.0.7:2379", "TTL": ttl}, &id); err != nil {
		return 0, 0, 0, err
	}
	err = leaseIs(ctx, c, fn, ttl, id, &rev)
	return ttl, rev, id, err
}

// leaseIs looks that the key "service" holds its value under lease id (0:
// any lease), granted for ttl seconds, and sets rev to the revision it
// read the key at.
func leaseIs(ctx context.Context, c *exercise.Code, fn string, ttl, id int64, rev *int64) error {
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	resp, err := c.Etcd.Get(ctx1, "service")
	cancel()
	if err != nil {
		return err
	}
	*rev = resp.Header.Revision
	if len(resp.Kvs) == 0 {
		return c.Fail("after %s returned, the key service does not exist: Put it, with the lease", fn)
	}
	kv := resp.Kvs[0]
	switch {
	case string(kv.Value) != "10.0.0.7:2379":
		return c.Fail("the key service holds %q, want %q: Put the value you were given", kv.Value, "10.0.0.7:2379")
	case kv.Lease == 0:
		return c.Fail("the key service has no lease: it would stay forever after your program died. Put it with clientv3.WithLease(lease.ID)")
	case id != 0 && kv.Lease != id:
		return c.Fail("the key's lease is %x, but %s returned %x: return the ID of the lease the key was put with", kv.Lease, fn, id)
	}
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	ttlResp, err := c.Etcd.TimeToLive(ctx1, clientv3.LeaseID(kv.Lease))
	cancel()
	if err != nil {
		return err
	}
	if ttlResp.TTL == -1 {
		return c.Fail("the key's lease %x had expired already when the checker read it, right after %s returned: nothing renewed it. Keep it alive with cli.KeepAlive", kv.Lease, fn)
	}
	if ttlResp.GrantedTTL != ttl {
		return c.Fail("the key's lease %x was granted for %d s; you were given a ttl of %d s: a dead program's key would stay %d s. Grant the ttl given", kv.Lease, ttlResp.GrantedTTL, ttl, ttlResp.GrantedTTL)
	}
	return nil
}

// shortTTL is the TTL the lease checks ask for: 1 s, or the shortest the
// cluster grants if it grants no lease that short. etcd's minimum TTL is
// one and a half election timeouts, rounded up to a second: the embedded
// etcd's election timeout is 10 ms, so it grants 1 s; a cluster with
// etcd's default of 1 s grants no less than 2 s, and its checks wait
// longer. On a machine busier than its cores (busy), it asks for 2 s:
// clientv3 renews a lease at most every half second, and a 1 s lease
// leaves a correct solution's renewals half a second of slack, which a
// loaded machine's scheduler can eat.
func shortTTL(ctx context.Context, c *exercise.Code) (int64, error) {
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ask := int64(1)
	if busy() {
		ask = 2
	}
	resp, err := c.Etcd.Grant(ctx1, ask)
	if err != nil {
		return 0, err
	}
	if _, err := c.Etcd.Revoke(ctx1, resp.ID); err != nil {
		return 0, err
	}
	return max(resp.TTL, ask), nil
}

// busy reports whether the machine's load average over the last minute
// is above its number of CPUs (Linux's /proc/loadavg; elsewhere, never).
func busy() bool {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return false
	}
	load, err := strconv.ParseFloat(f[0], 64)
	return err == nil && load > float64(runtime.NumCPU())
}

// kept watches key from after revision rev, under lease (granted for ttl
// seconds), while the learner's code runs on. It reports the key gone,
// and how long after the start, when it is deleted within ttl + 1.5 s
// (an expired lease is revoked within half a second of its end). It says
// the key is kept as soon as the key has stood for ttl + 0.1 s and the
// learner's code has got two keep-alive responses for its lease since the
// start, the last within half a TTL: its renewals still go on once the
// lease would have ended unrenewed (a KeepAlive stopped, or its context
// ended, lets one response through at most, and no more come after). A
// key neither deleted nor so renewed is watched the whole time. When the
// learner's process ends meanwhile (a panic or an os.Exit in a goroutine
// of its), kept returns its *Crash.
func kept(ctx context.Context, c *exercise.Code, key string, rev, lease, ttl int64) (gone bool, after time.Duration, err error) {
	t0 := time.Now()
	base, _ := c.Renewals(lease)
	life := time.Duration(ttl) * time.Second
	wctx, cancel := context.WithTimeout(clientv3.WithRequireLeader(ctx), life+1500*time.Millisecond)
	defer cancel()
	stood := time.NewTimer(life + 100*time.Millisecond)
	defer stood.Stop()
	lived := false
	wch := c.Etcd.Watch(wctx, key, clientv3.WithRev(rev+1))
	for {
		renewed := c.Renewed()
		n, last := c.Renewals(lease)
		if lived && n-base >= 2 && time.Since(last) < life/2 {
			return false, 0, nil
		}
		select {
		case resp, ok := <-wch:
			if !ok {
				if ctx.Err() != nil {
					return false, 0, ctx.Err()
				}
				if err := c.Exited(); err != nil {
					return false, 0, err
				}
				return false, 0, nil // stood the whole time
			}
			if err := resp.Err(); err != nil {
				return false, 0, err
			}
			for _, ev := range resp.Events {
				if ev.Type == clientv3.EventTypeDelete {
					if err := c.Exited(); err != nil {
						return false, 0, err
					}
					return true, time.Since(t0), nil
				}
			}
		case <-renewed:
		case <-stood.C:
			lived = true
		case <-c.Dead():
			return false, 0, c.Exited()
		}
	}
}

// deletedWithin watches key from after revision rev for at most limit and
// says whether it was deleted, and how long after the call.
func deletedWithin(ctx context.Context, c *exercise.Code, key string, rev int64, limit time.Duration) (bool, time.Duration, error) {
	t0 := time.Now()
	wctx, cancel := context.WithTimeout(clientv3.WithRequireLeader(ctx), limit)
	defer cancel()
	for resp := range c.Etcd.Watch(wctx, key, clientv3.WithRev(rev+1)) {
		if err := resp.Err(); err != nil {
			return false, 0, err
		}
		for _, ev := range resp.Events {
			if ev.Type == clientv3.EventTypeDelete {
				return true, time.Since(t0), nil
			}
		}
	}
	if ctx.Err() != nil {
		return false, 0, ctx.Err()
	}
	return false, 0, nil
}
