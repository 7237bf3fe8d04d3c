// Package failover is etcdtour's failover exercise: a writer that
// survives a leader change without losing an acknowledged write or
// applying one twice.
//
// Read first: the failover lesson (etcdtour run failover) and its page,
// docs/failover.md; the txn lesson for the Txn. Check your code with:
// etcdtour check failover.
package failover

import (
	"context"
	"errors"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Increment adds one to the decimal count under counter (a missing key
// counts as 0) and returns the count its increment made. It does so once
// for requestID, however often it is called with that ID and whatever
// fails on the way: a caller that got no answer calls again with the same
// ID, and so does your own retry.
//
// When the leader stops, a write can fail, time out, or wait for an answer
// that never comes, and a write whose answer was lost may have gone in or
// not: Increment tries again, each try with a deadline of its own (a
// second), until ctx ends. What makes a try safe to repeat is a record of
// the request, written in the same Txn as the increment (a key
// requests/ID holding the count it made, say), and compared in that Txn:
// when the record is there, the increment is done, and Increment returns
// its count.
//
// What the checker does, on a three-member etcd of its own: it calls
// Increment once; then it lets your write go in but breaks the connection
// before its answer comes (you get Unavailable, "error reading from
// server: EOF") and wants the count up by one, not two; then, while it
// calls Increment ten times one after the other, it lets one of your
// writes go in, stops the leader, and never lets that write's answer come:
// it wants each call to return within 8 s and the count to be 10; last it
// calls Increment again with an ID it used before, and wants the same
// count back and the counter unchanged.
func Increment(ctx context.Context, cli *clientv3.Client, counter, requestID string) (int, error) {
	return 0, errors.New("not implemented")
}

// Used by the solution; delete these lines if you do not need them.
var _ = time.Second
