// Package keepalive is etcdtour's keepalive exercise: keep a registration
// alive for as long as you run, and register again when its lease is lost.
//
// Read first: the keepalive lesson (etcdtour run keepalive) and its page,
// docs/keepalive.md: step 3 (keep it alive for longer than its TTL) and
// step 4 (stop renewing: cancel, then read until the channel closes); the
// lease lesson (docs/lease.md) before it. Check your code with:
// etcdtour check keepalive.
package keepalive

import (
	"context"
	"errors"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Keep registers key with value under a lease of ttl seconds, keeps the
// lease alive, and returns when ctx ends (nil, or ctx's error).
//
// cli.KeepAlive renews the lease every third of its TTL, and hands you
// each renewal's response on a channel: read every one of them, or the
// channel fills up (clientv3 then drops responses and warns "lease
// keepalive response queue is full"). The channel closes when the lease is
// lost (revoked, or expired while etcd was out of reach) and when its
// context ends. A lost lease took the key with it: grant a new lease, put
// the key again under it, and keep that one alive, for as long as ctx
// lasts.
//
// Give every request a deadline of its own, as the lessons do:
//
//	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
//	resp, err := cli.Grant(ctx1, ttl)
//	cancel()
//
// What the checker does: it starts Keep, reads the key and its lease from
// etcd (granted for ttl seconds: TimeToLive); waits past the TTL, until
// your code got two keep-alive responses, and looks that the key is still
// there and that your code read the responses as they came; revokes your
// lease, as an operator would, and wants the key back under a new lease
// within 3 s, and kept; last it cancels ctx and gives Keep 3 s to return.
func Keep(ctx context.Context, cli *clientv3.Client, key, value string, ttl int64) error {
	return errors.New("not implemented")
}
