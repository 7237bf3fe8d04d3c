// Package history is etcdtour's history exercise: read a key as it was
// at a revision, and say so when that revision is gone.
//
// Read first: the history lesson (etcdtour run history) and its page,
// docs/history.md. Check your code with: etcdtour check history.
package history

import (
	"context"
	"errors"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// A Read is what ReadAt found.
type Read struct {
	Value       string // the key's value: at the revision asked for, or now if that revision was compacted
	Found       bool   // the key existed then (or now, if compacted)
	ModRevision int64  // the revision that wrote Value (kv.ModRevision); 0 when not found
	Compacted   bool   // the revision asked for was compacted: Value is the current one
}

// ReadAt reads key as it was at revision rev: etcd keeps every version of
// every key, by revision, until it is compacted. When rev has been
// compacted (the Get fails with rpctypes.ErrCompacted) that past is gone:
// ReadAt reads the key's current value instead and says so, Compacted
// true. Any other error is returned as it is (a revision not written yet
// is one: ErrFutureRev). A key that did not exist is Found false.
//
// Give each Get a deadline of its own, as the lessons do.
//
// What the checker does, on an etcd of its own (one member): it writes
// the key three times and reads back each past revision, and one before
// the key existed; then it pauses your code just before its Get, writes
// the key again and compacts the history up to that write, and lets your
// Get go: you must return the new value, Compacted true. It does the same
// with the key deleted before the compaction (nothing there now), and
// last asks for a revision that is not written yet: an error, not a
// fallback.
func ReadAt(ctx context.Context, cli *clientv3.Client, key string, rev int64) (Read, error) {
	return Read{}, errors.New("not implemented")
}

// Used by the solution; delete these lines if you do not need them.
var (
	_ = time.Second
	_ = rpctypes.ErrCompacted
)
