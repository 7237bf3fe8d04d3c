package exercises

import (
	"context"
	"errors"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner/exercise"
)

// History asks for the history lesson's read of the past, and what to do
// when the past is compacted: on an etcd of the checker's own, which it
// compacts between the learner's call and its Get.
var History = exercise.Exercise{
	ID:      "history",
	Title:   "Read a key as it was, and say so when that past is compacted",
	Lesson:  "history",
	Doc:     "docs/history.md",
	Members: 1,
	Hints: []string{
		"cli.Get(ctx1, key, clientv3.WithRev(rev)) reads the key as it was at rev; no Kvs means it did not exist then.",
		"Once rev is compacted that Get fails with rpctypes.ErrCompacted (errors.Is): read the key again without WithRev, and set Compacted.",
		"Only ErrCompacted is a compaction: a revision not written yet fails too (ErrFutureRev), and so does a timeout; return those errors.",
		"After a compaction the key may be gone as well: the second Get can have no Kvs.",
	},
	Files:  files("history"),
	Checks: historyChecks,
	Mistakes: []exercise.Mistake{
		{Dir: "ignores-rev", Bug: "Get without WithRev: the value now, whatever revision was asked", Check: histPast, Says: "clientv3.WithRev(rev)"},
		{Dir: "no-fallback", Bug: "returns ErrCompacted instead of reading the current value", Check: histCompacted, Says: "returned the error"},
		{Dir: "silent-fallback", Bug: "reads the current value but does not say the past was compacted", Check: histCompacted, Says: "Compacted false"},
		{Dir: "deleted-index", Bug: "after a compaction, takes Kvs[0] of the current value without looking: the key may be gone", Check: histDeleted, Says: "index out of range"},
		{Dir: "any-error", Bug: "takes any error of the Get for a compaction, a future revision too", Check: histFuture, Says: "only on rpctypes.ErrCompacted"},
	},
}

const (
	histPast      = "the past: the value at each revision, and nothing before the key existed"
	histCompacted = "the revision is compacted just before your Get: the current value, Compacted true"
	histDeleted   = "compacted, and the key deleted since: not found, Compacted true"
	histFuture    = "a revision not written yet: an error, not a fallback"
)

// historyRead is the learner's Read, as calls.go encodes it.
type historyRead struct {
	Value       string
	Found       bool
	ModRevision int64
	Compacted   bool
}

// readAt calls ReadAt.
func readAt(ctx context.Context, c *exercise.Code, key string, rev int64) (historyRead, error) {
	var r historyRead
	err := c.Call(ctx, "ReadAt", map[string]any{"Key": key, "Rev": rev}, &r)
	return r, err
}

// compact compacts the checker's own etcd up to rev, physically: a Get
// below rev fails with ErrCompacted from then on.
func compact(ctx context.Context, c *exercise.Code, rev int64) error {
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := c.Etcd.Compact(ctx1, rev, clientv3.WithCompactPhysical())
	return err
}

var historyChecks = []exercise.Check{{
	Name: histPast,
	Step: "history, step 2 (Read the past: Get at an older revision)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		before, err := put(ctx, c, "other", "x")
		if err != nil {
			return err
		}
		var revs []int64
		for _, v := range []string{"v1", "v2", "v3"} {
			rev, err := put(ctx, c, "config", v)
			if err != nil {
				return err
			}
			revs = append(revs, rev)
		}
		for i, rev := range revs[:2] {
			want := historyRead{Value: []string{"v1", "v2"}[i], Found: true, ModRevision: rev}
			got, err := readAt(ctx, c, "config", rev)
			if err != nil {
				return err
			}
			switch {
			case got.Compacted:
				return c.Fail("nothing was compacted; ReadAt(config, %d) said Compacted: set it only when the Get failed with rpctypes.ErrCompacted", rev)
			case !got.Found || got.Value != want.Value:
				return c.Fail("at revision %d the key held %q; ReadAt(config, %d) returned %s (the key holds v3 now): Get with clientv3.WithRev(rev)", rev, want.Value, rev, showRead(c, got))
			case got.ModRevision != want.ModRevision:
				return c.Fail("ReadAt(config, %d) returned mod revision %d, want %d: take it from the Kv you read (kv.ModRevision)", rev, got.ModRevision, want.ModRevision)
			}
		}
		got, err := readAt(ctx, c, "config", before)
		if err != nil {
			return err
		}
		if got.Found || got.Compacted {
			return c.Fail("the key did not exist yet at revision %d; ReadAt(config, %d) returned %s: a Get at rev with no Kvs is Found false", before, before, showRead(c, got))
		}
		return nil
	},
}, {
	Name: histCompacted,
	Step: "history, step 4 (Compact: forget every revision before it)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		return compactedRead(ctx, c, false)
	},
}, {
	Name: histDeleted,
	Step: "history, step 4 (Compact: forget every revision before it)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		return compactedRead(ctx, c, true)
	},
}, {
	Name: histFuture,
	Step: "history, step 2 (Read the past: Get at an older revision)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		now, err := put(ctx, c, "config", "v1")
		if err != nil {
			return err
		}
		future := now + 1000
		got, err := readAt(ctx, c, "config", future)
		var ce *exercise.CallError
		switch {
		case errors.As(err, &ce):
			return nil
		case err != nil:
			return err
		}
		return c.Fail("the store is at revision %d; ReadAt(config, %d) returned %s and no error: etcd refused that Get (ErrFutureRev), nothing was compacted. Fall back only on rpctypes.ErrCompacted, and return any other error", now, future, showRead(c, got))
	},
}}

// compactedRead writes the key twice, calls ReadAt at the first write and
// pauses it before its Get; then it writes the key again (or deletes it)
// and compacts up to that revision, and lets the Get go.
func compactedRead(ctx context.Context, c *exercise.Code, deleted bool) error {
	first, err := put(ctx, c, "config", "v1")
	if err != nil {
		return err
	}
	if _, err := put(ctx, c, "config", "v2"); err != nil {
		return err
	}
	if err := c.PauseBefore("Range|Txn"); err != nil {
		return err
	}
	r := c.Start("ReadAt", map[string]any{"Key": "config", "Rev": first})
	paused, err := pauseOrReturn(ctx, c, r, 3*time.Second)
	switch {
	case errors.Is(err, errNoPause):
		return c.Fail("ReadAt sent no Get within 3 s: read the key with cli.Get(ctx1, key, clientv3.WithRev(rev))")
	case err != nil:
		return err
	case !paused:
		return c.Fail("ReadAt returned without a Get: read the key with cli.Get(ctx1, key, clientv3.WithRev(rev))")
	}
	var last int64
	want := historyRead{Compacted: true}
	if deleted {
		ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
		del, err := c.Etcd.Delete(ctx1, "config")
		cancel()
		if err != nil {
			return err
		}
		last = del.Header.Revision
	} else {
		if last, err = put(ctx, c, "config", "v3"); err != nil {
			return err
		}
		want = historyRead{Value: "v3", Found: true, ModRevision: last, Compacted: true}
	}
	if err := compact(ctx, c, last); err != nil {
		return err
	}
	if err := c.Resume(); err != nil {
		return err
	}
	var got historyRead
	err = r.Wait(ctx, &got)
	var ce *exercise.CallError
	switch {
	case errors.As(err, &ce):
		return c.Fail("the checker compacted the history up to revision %d just before your Get at %d; ReadAt returned the error (%s): when the Get fails with rpctypes.ErrCompacted, read the key's current value and set Compacted", last, first, ce.Err)
	case err != nil:
		return err
	case got == want:
		return nil
	case !got.Compacted && got.Found == want.Found && got.Value == want.Value:
		return c.Fail("the checker compacted the history up to revision %d just before your Get at %d; ReadAt returned the current value but Compacted false: a caller takes it for the value at %d. Set Compacted when you fall back", last, first, first)
	case deleted:
		return c.Fail("the checker deleted the key and compacted the history up to revision %d just before your Get at %d; ReadAt returned %s, want not found, Compacted true: the key is gone now too", last, first, showRead(c, got))
	}
	return c.Fail("the checker wrote v3 at revision %d and compacted the history up to it just before your Get at %d; ReadAt returned %s, want %s: after ErrCompacted read the key again without WithRev", last, first, showRead(c, got), showRead(c, want))
}

// showRead is a Read as the checker names it, in the learner's language.
func showRead(c *exercise.Code, r historyRead) string {
	switch {
	case !r.Found && r.Compacted:
		return c.Lang.Msg("not found, Compacted true")
	case !r.Found:
		return c.Lang.Msg("not found")
	case r.Compacted:
		return c.Lang.Msg("%q (mod revision %d), Compacted true", r.Value, r.ModRevision)
	}
	return c.Lang.Msg("%q (mod revision %d)", r.Value, r.ModRevision)
}
