// Package watch is etcdtour's watch exercise: everything after a
// snapshot, none missed and none twice.
//
// Read first: the watch lesson (etcdtour run watch) and its page,
// docs/watch.md. Check your code with: etcdtour check watch.
package watch

import (
	"context"
	"errors"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// A Change is one change of a key under the prefix, as etcd applied it.
type Change struct {
	Key      string // the key, as your client names it
	Value    string // its new value; "" for a delete
	Deleted  bool   // the key was deleted
	Revision int64  // the revision etcd applied the change at
}

// Follow reads every key under prefix and hands them to snapshot, once,
// as a map of key to value. Then it hands every change under prefix made
// after that snapshot to changed, in the order etcd applied them, each
// exactly once, until ctx is cancelled; then it returns nil (or ctx.Err()).
// It returns any other error it meets.
//
// Give the Get a deadline of its own, as the lessons do; the watch runs
// until ctx is cancelled.
//
// What the checker does: it writes a few keys under the prefix (and one
// outside it), calls Follow, and pauses your code right after your Get has
// its answer: in that gap it writes another key under the prefix. Then it
// lets your code go on and, while your watch runs, puts, deletes, and
// writes two keys in one transaction. It compares what snapshot and
// changed received with what etcd applied, revision by revision: a change
// missed, one reported twice (also one already in the snapshot), a delete
// reported as a put, or a wrong revision fails. Last it cancels ctx and
// waits for Follow to return.
func Follow(ctx context.Context, cli *clientv3.Client, prefix string, snapshot func(map[string]string), changed func(Change)) error {
	return errors.New("not implemented")
}
