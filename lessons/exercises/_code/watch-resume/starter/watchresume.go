// Package watchresume is etcdtour's watch-resume exercise: follow a
// prefix through a member's restart and a compaction, none missed and
// none twice, re-listing when the history you need is gone.
//
// Read first: the watch-resume and watch-relist lessons (etcdtour run
// watch-resume watch-relist) and their pages, docs/watch-resume.md and
// docs/watch-relist.md. Check your code with: etcdtour check watch-resume.
package watchresume

import (
	"context"
	"errors"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// A Change is one change of a key under the prefix, as etcd applied it.
type Change struct {
	Key      string // the key, as your client names it
	Value    string // its new value; "" for a delete
	Deleted  bool   // the key was deleted
	Revision int64  // the revision etcd applied the change at
}

// Follow lists every key under prefix and hands them to snapshot, with
// the list's revision (get.Header.Revision). Then it hands every change
// under prefix made after that list to changed, in the order etcd applied
// them, each exactly once, until ctx is cancelled; then it returns nil
// (or ctx.Err()).
//
// When its watch ends with ErrCompacted (the history it needed was
// compacted while it was away) the changes in between are gone: Follow
// lists the prefix again, hands that list to snapshot (it replaces what
// snapshot had), and goes on with the changes after it. It returns any
// error it cannot go on from.
//
// Give each Get a deadline of its own, as the lessons do; the watch runs
// until ctx is cancelled.
//
// What the checker does, on a three-member etcd of its own, your client
// given one member's address: it writes a few keys, calls Follow, and
// writes one more once your list is in. Then it stops your member and,
// while it is away, puts, deletes and writes two keys in one Txn through
// the others; it starts your member again and writes one last key. It
// compares what snapshot and changed received with what etcd applied,
// revision by revision: a change missed, one reported twice (also one a
// snapshot holds), a wrong revision fail. It does it again, and this time
// compacts the history up to its last write before your member is back.
// Last it cancels ctx and waits 3 s for Follow to return.
func Follow(ctx context.Context, cli *clientv3.Client, prefix string, snapshot func(kvs map[string]string, rev int64), changed func(Change)) error {
	return errors.New("not implemented")
}

// Used by the solution; delete these lines if you do not need them.
var (
	_ = time.Second
	_ = rpctypes.ErrCompacted
)
