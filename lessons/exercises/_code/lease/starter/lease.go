// Package lease is etcdtour's lease exercise: register a key that stays
// while your program runs and goes by itself when it stops.
//
// Read first: the lease lesson (etcdtour run lease) and its page,
// docs/lease.md, then the keepalive lesson's step 3 (etcdtour run
// keepalive, docs/keepalive.md: keep it alive for longer than its TTL).
// Check your code with: etcdtour check lease.
package lease

import (
	"context"
	"errors"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Register puts key with value under a lease of ttl seconds, and returns
// the lease's ID. The key stays as long as the program runs, after
// Register has returned: keep the lease alive in the background. When the
// program stops (it crashed, or was killed), nobody renews the lease, and
// etcd deletes the key by itself within ttl seconds: no key of a dead
// program stays behind.
//
// ctx is for the requests Register makes: it ends when Register returns.
// Give every request a deadline of its own, as the lessons do:
//
//	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
//	resp, err := cli.Grant(ctx1, ttl)
//	cancel()
//
// What the checker does: it calls Register and reads the key and its
// lease from etcd (the key's lease must be the one returned, granted for
// ttl seconds: TimeToLive); after Register returned, it waits past the
// TTL, until your code has renewed the lease twice, and looks that the key
// is still there; then it kills your program, as a crash would, and times
// the key's end. (It asks for a TTL of 1 s, or the shortest your etcd
// grants.)
func Register(ctx context.Context, cli *clientv3.Client, key, value string, ttl int64) (clientv3.LeaseID, error) {
	return 0, errors.New("not implemented")
}
