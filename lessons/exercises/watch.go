package exercises

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner/exercise"
)

// Watch asks for "everything after a snapshot": a Get, then a watch from
// the Get's revision + 1.
var Watch = exercise.Exercise{
	ID:     "watch",
	Title:  "Everything after a snapshot: none missed, none twice",
	Lesson: "watch",
	Doc:    "docs/watch.md",
	Hints: []string{
		"Read the prefix with cli.Get(ctx, prefix, clientv3.WithPrefix()); its revision is get.Header.Revision.",
		"Watch from the revision after the snapshot: clientv3.WithRev(get.Header.Revision + 1). Without WithRev the watch starts from now and misses what was written in between; from get.Header.Revision it repeats a write the snapshot holds.",
		"One WatchResponse can carry several events (a Txn's writes): range over resp.Events, and take each event's revision from ev.Kv.ModRevision and its kind from ev.Type.",
	},
	Files:  files("watch"),
	Checks: watchChecks,
	Mistakes: []exercise.Mistake{
		{Dir: "no-prefix", Bug: "reads the prefix as one key: the snapshot is empty", Check: watchSnapshot, Says: "WithPrefix"},
		{Dir: "watch-from-now", Bug: "watches without WithRev: from now, after the Get", Check: watchGap, Says: "your watcher never reported it"},
		{Dir: "watch-one-key", Bug: "watches without WithPrefix: the one key named like the prefix", Check: watchGap, Says: "your watcher reported none of them"},
		{Dir: "watch-from-get-revision", Bug: "watches from the Get's revision, not the one after it", Check: watchGap, Says: "which your snapshot (revision"},
		{Dir: "header-revision", Bug: "reports the response header's revision, not the event's", Check: watchGap, Says: "ev.Kv.ModRevision"},
		{Dir: "first-event-only", Bug: "takes the first event of each response only", Check: watchFlow, Says: "range over resp.Events"},
		{Dir: "delete-as-put", Bug: "reports a delete as a put", Check: watchFlow, Says: "was reported as a put"},
	},
}

const (
	watchSnapshot = "the snapshot: every key under the prefix, as of your Get"
	watchGap      = "a write between your Get and your Watch: reported once, at its revision"
	watchFlow     = "every change after it, in order, each once: puts, a delete, a Txn's two writes"
	watchCancel   = "Follow returns when its ctx is cancelled"
)

var watchChecks = []exercise.Check{{
	Name: watchSnapshot,
	Step: "watch, step 1 (Read the key, then watch it from the next revision)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		f, err := follow(ctx, c)
		if err != nil {
			return err
		}
		return f.checkSnapshot(c)
	},
}, {
	Name: watchGap,
	Step: "watch, step 1 (Read the key, then watch it from the next revision)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		f, err := follow(ctx, c)
		if err != nil {
			return err
		}
		if err := f.checkSnapshot(c); err != nil {
			return err
		}
		return f.checkGap(c)
	},
}, {
	Name: watchFlow,
	Step: "watch, step 2 (A second client writes; the watch sees each change in order)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		f, err := follow(ctx, c)
		if err != nil {
			return err
		}
		for _, check := range []func(*exercise.Code) error{f.checkSnapshot, f.checkGap, f.checkFlow} {
			if err := check(c); err != nil {
				return err
			}
		}
		return nil
	},
}, {
	Name: watchCancel,
	Step: "watch, step 4 (Cancel the watches and read their channels until they close)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		f, err := follow(ctx, c)
		if err != nil {
			return err
		}
		f.r.Cancel()
		wctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		err = f.r.Wait(wctx, nil)
		var ce *exercise.CallError
		switch {
		case errors.Is(err, context.DeadlineExceeded) && wctx.Err() != nil && ctx.Err() == nil:
			return c.Fail("Follow did not return within 3s after its ctx was cancelled: pass ctx to cli.Watch and return when its channel closes")
		case errors.As(err, &ce) && strings.Contains(ce.Err, context.Canceled.Error()):
			return nil // ctx.Err(), as the task allows
		}
		return err
	},
}}

// A change is what the learner's changed callback received, or what the
// checker expects it to.
type change struct {
	Key      string
	Value    string
	Deleted  bool
	Revision int64
}

func (ch change) String() string {
	if ch.Deleted {
		return fmt.Sprintf("delete %s @%d", ch.Key, ch.Revision)
	}
	return fmt.Sprintf("put %s=%q @%d", ch.Key, ch.Value, ch.Revision)
}

// followed is one run of the learner's Follow under the checker's writes.
type followed struct {
	r           *exercise.Running
	getRev      int64 // the revision of the learner's Get
	dupRev      int64 // the checker's last write before the Get, if the Get's revision is that
	snapshot    map[string]string
	gotSnapshot bool
	gap         change   // the checker's write between the Get and the Watch
	want        []change // what etcd applied under the prefix after the Get
	got         []change // what changed received, in order
	early       error    // Follow returned (or its process died) before the end
}

const watchPrefix = "jobs/"

// follow runs Follow on watchPrefix while the checker writes: two keys
// before it (and one outside the prefix); a third in one Txn with its
// Get, just before it, which the Get then holds at its revision (a watch
// from the Get's revision replays it); in the gap between the Get's answer and
// the Watch, a key under the prefix and one outside it (so the watch's
// first response, its catch-up, carries a header revision past the
// event's); then, while the watch runs, a put, a delete, a Txn of two puts,
// a put just outside the prefix and a last put. It collects what Follow
// reported until the last put, or 3 s after it.
func follow(ctx context.Context, c *exercise.Code) (*followed, error) {
	f := &followed{}
	do := func(op clientv3.Op) (int64, error) {
		ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		resp, err := c.Etcd.Do(ctx1, op)
		if err != nil {
			return 0, err
		}
		switch {
		case resp.Put() != nil:
			return resp.Put().Header.Revision, nil
		case resp.Del() != nil:
			return resp.Del().Header.Revision, nil
		}
		return resp.Txn().Header.Revision, nil
	}
	for _, op := range []clientv3.Op{clientv3.OpPut("other", "x"), clientv3.OpPut(watchPrefix+"a", "1")} {
		if _, err := do(op); err != nil {
			return nil, err
		}
	}
	// The third key is put in one Txn with the learner's Get, just
	// before it: the Get's revision is that write's even on a cluster
	// that others write to.
	if err := c.PutBefore("Range", watchPrefix+"b", "2"); err != nil {
		return nil, err
	}
	if err := c.PauseAfter("Range"); err != nil {
		return nil, err
	}
	f.r = c.Start("Follow", map[string]string{"Prefix": watchPrefix})
	var err error
	if f.getRev, err = f.paused(ctx, c); err != nil {
		return nil, err
	}
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	b, err := c.Etcd.Get(ctx1, watchPrefix+"b")
	cancel()
	if err != nil {
		return nil, err
	}
	if len(b.Kvs) == 1 && b.Kvs[0].ModRevision == f.getRev {
		f.dupRev = f.getRev // the write a watch from the Get's revision repeats
	}
	rev, err := do(clientv3.OpPut(watchPrefix+"c", "3"))
	if err != nil {
		return nil, err
	}
	f.gap = change{Key: watchPrefix + "c", Value: "3", Revision: rev}
	f.want = append(f.want, f.gap)
	if _, err := do(clientv3.OpPut("other", "y")); err != nil {
		return nil, err
	}
	if err := c.Resume(); err != nil {
		return nil, err
	}
	// The snapshot first: then the writes while the watch runs.
	var ev struct {
		Snapshot *map[string]string
		Change   *change
	}
	ev.Snapshot, ev.Change = nil, nil
	if err := f.next(ctx, c, &ev); err != nil {
		return f, err
	}
	if ev.Snapshot != nil {
		f.snapshot, f.gotSnapshot = *ev.Snapshot, true
	} else if ev.Change != nil {
		f.got = append(f.got, *ev.Change)
	}
	if f.early != nil {
		return f, nil
	}
	// The gap's write, from the watch's catch-up: then the watch runs,
	// and each write below comes in a response of its own (the Txn's two
	// in one). A watcher that never reports it gets 2 s.
	if len(f.got) == 0 {
		gctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		ev.Snapshot, ev.Change = nil, nil
		err := f.next(gctx, c, &ev)
		cancel()
		switch {
		case f.early != nil:
			return f, nil
		case err != nil && gctx.Err() != nil && ctx.Err() == nil:
			// compare below
		case err != nil:
			return nil, err
		case ev.Snapshot != nil:
			return nil, c.Fail("snapshot was called twice: call it once, with the Get's keys")
		case ev.Change != nil:
			f.got = append(f.got, *ev.Change)
		}
	}
	flow := []struct {
		op   clientv3.Op
		want []change
	}{
		{clientv3.OpPut(watchPrefix+"a", "10"), []change{{Key: watchPrefix + "a", Value: "10"}}},
		{clientv3.OpDelete(watchPrefix + "b"), []change{{Key: watchPrefix + "b", Deleted: true}}},
		{clientv3.OpTxn(nil, []clientv3.Op{clientv3.OpPut(watchPrefix+"d", "4"), clientv3.OpPut(watchPrefix+"e", "5")}, nil),
			[]change{{Key: watchPrefix + "d", Value: "4"}, {Key: watchPrefix + "e", Value: "5"}}},
		{clientv3.OpPut(strings.TrimSuffix(watchPrefix, "/"), "outside the prefix"), nil},
		{clientv3.OpPut(watchPrefix+"z", "end"), []change{{Key: watchPrefix + "z", Value: "end"}}},
	}
	for _, w := range flow {
		rev, err := do(w.op)
		if err != nil {
			return nil, err
		}
		for _, ch := range w.want {
			ch.Revision = rev
			f.want = append(f.want, ch)
		}
	}
	end := f.want[len(f.want)-1]
	deadline, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	for !slices.ContainsFunc(f.got, func(ch change) bool { return ch.Key == end.Key }) {
		ev.Snapshot, ev.Change = nil, nil
		err := f.next(deadline, c, &ev)
		if f.early != nil || deadline.Err() != nil && ctx.Err() == nil {
			break // compare what came
		}
		if err != nil {
			return nil, err
		}
		switch {
		case ev.Snapshot != nil:
			return nil, c.Fail("snapshot was called twice: call it once, with the Get's keys")
		case ev.Change != nil:
			f.got = append(f.got, *ev.Change)
		}
	}
	return f, nil
}

// paused waits for the learner's code to reach a pause at its Get, and
// returns the revision of the Get's answer (after it) or 0 (before).
func (f *followed) paused(ctx context.Context, c *exercise.Code) (int64, error) {
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	rev, err := c.Paused(pctx, f.r)
	switch {
	case errors.Is(err, exercise.ErrReturned):
		return 0, c.Fail("Follow returned, with no error, before it read the prefix: Get it, then watch until ctx is done")
	case err != nil && pctx.Err() != nil && ctx.Err() == nil:
		return 0, c.Fail("Follow sent no Get within 3s: read the prefix with cli.Get first")
	}
	return rev, err
}

// next is the next thing Follow reported; when Follow has returned or died
// before ctx was cancelled, it sets early and returns nil.
func (f *followed) next(ctx context.Context, c *exercise.Code, v any) error {
	err := f.r.Next(ctx, v)
	var crash *exercise.Crash
	switch {
	case errors.Is(err, io.EOF):
		if werr := f.r.Wait(ctx, nil); werr != nil {
			f.early = werr
		} else {
			f.early = c.Fail("Follow returned before its ctx was cancelled: keep watching until ctx is done")
		}
		return nil
	case errors.As(err, &crash):
		f.early = err
		return nil
	}
	return err
}

func (f *followed) checkSnapshot(c *exercise.Code) error {
	want := map[string]string{watchPrefix + "a": "1", watchPrefix + "b": "2"}
	switch {
	case !f.gotSnapshot && f.early != nil:
		return f.early
	case !f.gotSnapshot:
		return c.Fail("changed was called before snapshot: hand the Get's keys to snapshot first")
	case maps.Equal(f.snapshot, want):
		return nil
	case len(f.snapshot) == 0:
		return c.Fail("your snapshot is empty, but %s holds %s at your Get's revision %d: Get the prefix with clientv3.WithPrefix()", watchPrefix, showMap(want), f.getRev)
	}
	return c.Fail("your snapshot is %s, want %s (the keys under %s at your Get's revision %d)", showMap(f.snapshot), showMap(want), watchPrefix, f.getRev)
}

func (f *followed) checkGap(c *exercise.Code) error {
	for _, ch := range f.got {
		if f.dupRev != 0 && ch.Revision == f.dupRev {
			return c.Fail("your watcher reported %s at revision %d, which your snapshot (revision %d) already holds: watch from get.Header.Revision+1, not get.Header.Revision", ch.Key, ch.Revision, f.getRev)
		}
		if ch.Key == f.gap.Key && ch.Revision != f.gap.Revision {
			return c.Fail("your watcher reported %s at revision %d, but etcd applied it at revision %d: take the revision from ev.Kv.ModRevision, not the response's header", ch.Key, ch.Revision, f.gap.Revision)
		}
		if ch.Key == f.gap.Key {
			return nil
		}
	}
	if f.early != nil {
		return f.early
	}
	if len(f.got) == 0 && len(f.want) > 1 {
		return c.Fail("a write landed at revision %d (%s) between your Get (revision %d) and your Watch, and %d more under the prefix after it; your watcher reported none of them: watch the whole prefix (clientv3.WithPrefix()) from get.Header.Revision+1 (clientv3.WithRev)", f.gap.Revision, f.gap.Key, f.getRev, len(f.want)-1)
	}
	return c.Fail("a write landed at revision %d (%s) between your Get (revision %d) and your Watch; your watcher never reported it: start the watch at get.Header.Revision+1 (clientv3.WithRev)", f.gap.Revision, f.gap.Key, f.getRev)
}

func (f *followed) checkFlow(c *exercise.Code) error {
	for i, w := range f.want {
		if i >= len(f.got) {
			if w.Deleted {
				return c.Fail("the delete of %s at revision %d was never reported: report every event, deletes too", w.Key, w.Revision)
			}
			if f.early != nil {
				return f.early
			}
			return c.Fail("%s at revision %d was never reported (within 3s of the write)", w.Key, w.Revision)
		}
		g := f.got[i]
		switch {
		case g == w:
			continue
		case !strings.HasPrefix(g.Key, watchPrefix):
			return c.Fail("your watcher reported %s, which is not under %s: watch with clientv3.WithPrefix()", g, watchPrefix)
		case g.Key == w.Key && g.Revision == w.Revision && w.Deleted && !g.Deleted:
			return c.Fail("the delete of %s at revision %d was reported as a put: set Deleted when ev.Type == clientv3.EventTypeDelete", w.Key, w.Revision)
		case g.Key == w.Key && g.Revision != w.Revision:
			return c.Fail("your watcher reported %s at revision %d, but etcd applied it at revision %d: take the revision from ev.Kv.ModRevision", g.Key, g.Revision, w.Revision)
		case slices.Contains(f.got[:i], g):
			return c.Fail("your watcher reported %s twice: one watch, each event once", g)
		case slices.Contains(f.want[i+1:], g):
			// Skipped, and a later one reported: events that came in one
			// response (a Txn's, or several written before the watch
			// caught up) were dropped.
			return c.Fail("%s at revision %d was never reported, but %s after it was: one WatchResponse may carry several events (a Txn's writes, or a catch-up): range over resp.Events", w.Key, w.Revision, g)
		}
		return c.Fail("your watcher reported %s where etcd applied %s: report each event as it comes, in order", g, w)
	}
	if len(f.got) > len(f.want) {
		return c.Fail("your watcher reported %s after the last write, which etcd never applied after your snapshot: each event once", f.got[len(f.want)])
	}
	return nil
}

// showMap is a map in key order: {jobs/a="1" jobs/b="2"}.
func showMap(m map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s=%q", k, m[k]))
	}
	return "{" + strings.Join(parts, " ") + "}"
}
