// Package txn is etcdtour's txn exercise: add one to a counter that many
// clients share, with compare-and-swap and no lock, and lose no update.
//
// Read first: the txn lesson (etcdtour run txn) and its page, docs/txn.md:
// step 2 (compare-and-swap on mod_revision), step 3 (lost updates: Get
// then Put) and step 4 (the Txn retry loop). Check your code with:
// etcdtour check txn.
package txn

import (
	"context"
	"errors"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Increment adds one to the count under key and returns the new count.
// The key's value is a count in decimal, such as "7"; a key that does not
// exist counts as 0. Many callers run Increment on the same key at once,
// each with a client of its own, and no lock: every increment must land
// (none lost, none counted twice), and Increment returns only when its own
// write is in. Read the key, then write count+1 in a Txn that succeeds only
// if nobody wrote the key since your read; when the compare fails, read
// again and retry.
//
// Give every request a deadline of its own, as the lessons do:
//
//	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
//	resp, err := cli.Get(ctx1, key)
//	cancel()
//
// What the checker does: it calls Increment on a key that does not exist;
// it pauses your code right after your Get, writes the key itself in that
// gap, and lets your code go on: the checker's write must not be lost, and
// Increment must still add its one; then it runs 8 callers at once, each
// a program with a client of its own, 25 increments each, and counts. It
// reads the key from etcd each time.
func Increment(ctx context.Context, cli *clientv3.Client, key string) (int, error) {
	return 0, errors.New("not implemented")
}
