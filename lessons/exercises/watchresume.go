package exercises

import (
	"context"
	"errors"
	"io"
	"maps"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"etcdtour/runner/exercise"
)

// WatchResume asks for the watch-resume and watch-relist lessons' follower:
// a list, then every change after it, through a member's restart and a
// compaction, re-listing when the history it needs is gone. On a cluster
// of the checker's own, the learner's client given member 0 alone (as
// watch-away's watch is on one member): stopping it cuts the learner's
// watch off while the others write and compact.
var WatchResume = exercise.Exercise{
	ID:      "watch-resume",
	Title:   "Follow a prefix through a restart and a compaction: none missed, none twice",
	Lesson:  "watch-resume",
	Doc:     "docs/watch-resume.md",
	Members: 3,
	Hints: []string{
		"List with cli.Get(ctx1, prefix, clientv3.WithPrefix()), hand the keys and get.Header.Revision to snapshot, and watch from get.Header.Revision + 1.",
		"A restart is clientv3's to handle: it resumes the watch from the last revision it delivered + 1. Keep ranging over the channel.",
		"When a response's Err() is rpctypes.ErrCompacted (resp.CompactRevision set), the channel closes and the changes since your last one are gone: list again, hand it to snapshot, and watch from that list's revision + 1.",
		"Resume from the last event's ev.Kv.ModRevision + 1, never from a header's revision or resp.CompactRevision: those skip or repeat changes.",
	},
	Files:  files("watch-resume"),
	Checks: watchResumeChecks,
	Mistakes: []exercise.Mistake{
		{Dir: "no-relist", Bug: "after ErrCompacted, watches again from resp.CompactRevision: the changes before it are lost", Check: wrCompacted, Says: "resp.CompactRevision"},
		{Dir: "header-revision", Bug: "after ErrCompacted, watches again from the response header's revision + 1: every change in between is lost", Check: wrCompacted, Says: "you did not list again"},
		{Dir: "returns-on-compaction", Bug: "returns when the watch ends with ErrCompacted", Check: wrCompacted, Says: "Follow returned"},
		{Dir: "relist-from-list-revision", Bug: "re-lists, then watches from the list's revision, not + 1: a change the list holds comes twice", Check: wrCompacted, Says: "the list's revision + 1"},
		{Dir: "relist-as-changes", Bug: "re-lists, and hands the list to changed as changes: old writes come twice, deletes never", Check: wrCompacted, Says: "hand the list to snapshot"},
	},
}

const (
	wrRestart   = "your member restarts under your watch: every change once, in order"
	wrCompacted = "your member is away while history is compacted: list again, then every change once"
	wrPrefix    = "jobs/"
)

var watchResumeChecks = []exercise.Check{{
	Name:    wrRestart,
	Step:    "watch-resume, step 3 (The server restarts under the watch: the client resumes it)",
	Timeout: 40 * time.Second,
	Members: []int{0},
	Run: func(ctx context.Context, c *exercise.Code) error {
		return followAway(ctx, c, false)
	},
}, {
	Name:    wrCompacted,
	Step:    "watch-relist, step 4 (Re-list, then watch from the new list's revision + 1)",
	Timeout: 40 * time.Second,
	Members: []int{0},
	Run: func(ctx context.Context, c *exercise.Code) error {
		return followAway(ctx, c, true)
	},
}}

// A report is one call of the learner's snapshot or changed.
type report struct {
	Snapshot map[string]string `json:"snapshot"`
	Rev      int64             `json:"rev"`
	Change   *change           `json:"change"`
}

// away is one run of Follow while its member is stopped: what etcd
// applied and what Follow reported.
type away struct {
	c       *exercise.Code
	r       *exercise.Running
	initial map[string]string // the prefix before the first event of want
	initRev int64             // its revision
	want    []change          // every change under the prefix, in order
	got     []report
	compact int64 // the revision compacted to, 0 if none
	// seen is how many reports were in before the member stopped.
	seen  int
	early error // Follow returned, or its process died, before ctx ended
	last  int64 // the store's revision after the checker's last write
}

// do applies ops in one Txn through the checker's client and records
// their changes. Right after member 0 stops, the client may still send to
// it and lose the answer (Unavailable): only the checker writes, so the
// store's revision says whether the Txn went in, and it is sent again
// only if it did not.
func (a *away) do(ctx context.Context, ops ...clientv3.Op) (int64, error) {
	var rev int64
	for try := 1; rev == 0; try++ {
		ctx1, cancel := context.WithTimeout(ctx, 10*time.Second)
		resp, err := a.c.Etcd.Txn(ctx1).Then(ops...).Commit()
		cancel()
		switch {
		case err == nil:
			rev = resp.Header.Revision
		case status.Code(err) != codes.Unavailable || try == 3 || a.last == 0:
			return 0, err
		default:
			ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
			get, gerr := a.c.Etcd.Get(ctx1, wrPrefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
			cancel()
			if gerr != nil {
				return 0, gerr
			}
			if get.Header.Revision > a.last {
				rev = get.Header.Revision // it went in
			}
		}
	}
	a.last = rev
	for _, op := range ops {
		key := string(op.KeyBytes())
		switch {
		case op.IsPut():
			a.want = append(a.want, change{Key: key, Value: string(op.ValueBytes()), Revision: rev})
		case op.IsDelete():
			a.want = append(a.want, change{Key: key, Deleted: true, Revision: rev})
		}
	}
	return rev, nil
}

// until reads Follow's reports until it has reported revision rev (a
// change at it, or a list at or past it), Follow returned, or limit
// passed.
func (a *away) until(ctx context.Context, rev int64, limit time.Duration) error {
	wctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for a.early == nil && a.reported() < rev {
		var rep report
		err := a.r.Next(wctx, &rep)
		var crash *exercise.Crash
		switch {
		case errors.Is(err, io.EOF):
			if werr := a.r.Wait(ctx, nil); werr != nil {
				a.early = werr
			} else {
				a.early = io.EOF
			}
			return nil
		case errors.As(err, &crash):
			a.early = err
			return nil
		case err != nil && wctx.Err() != nil && ctx.Err() == nil:
			return nil // not reported within limit: the comparison says what is missing
		case err != nil:
			return err
		}
		a.got = append(a.got, rep)
	}
	return nil
}

// reported is the last revision Follow has reported.
func (a *away) reported() int64 {
	var rev int64
	for _, g := range a.got {
		if g.Change != nil {
			rev = max(rev, g.Change.Revision)
		} else {
			rev = max(rev, g.Rev)
		}
	}
	return rev
}

// followAway runs Follow on wrPrefix: two keys before it, one once its
// list is in; then member 0, the only one its client knows, stops, and a
// put, a delete and a Txn of two puts go in through the others (and, if
// compact, the history is compacted up to them); member 0 starts again
// and a last key is written. Then it compares, cancels ctx, and gives
// Follow 3 s to return.
func followAway(ctx context.Context, c *exercise.Code, compact bool) error {
	a := &away{c: c}
	// Member 0 a follower, as watch-away's: its stop costs no election,
	// and the checker's writes go on at once through the others.
	ctx1, cancel := context.WithTimeout(ctx, 10*time.Second)
	err := c.Cluster.MoveLeader(ctx1, 1)
	cancel()
	if err != nil {
		return err
	}
	if _, err := a.do(ctx, clientv3.OpPut(wrPrefix+"a", "1")); err != nil {
		return err
	}
	rev, err := a.do(ctx, clientv3.OpPut(wrPrefix+"b", "1"))
	if err != nil {
		return err
	}
	a.initial = map[string]string{wrPrefix + "a": "1", wrPrefix + "b": "1"}
	a.initRev, a.want = rev, nil
	a.r = c.Start("Follow", map[string]string{"Prefix": wrPrefix})
	if err := a.until(ctx, rev, 5*time.Second); err != nil {
		return err
	}
	if len(a.got) == 0 {
		if a.early != nil {
			return a.returned()
		}
		return c.Fail("Follow listed nothing within 5 s: list the prefix with cli.Get and hand it to snapshot")
	}
	if rev, err = a.do(ctx, clientv3.OpPut(wrPrefix+"c", "1")); err != nil {
		return err
	}
	if err := a.until(ctx, rev, 3*time.Second); err != nil {
		return err
	}
	a.seen = len(a.got)
	if err := c.Cluster.Stop(0); err != nil {
		return err
	}
	if _, err := a.do(ctx, clientv3.OpPut(wrPrefix+"a", "2")); err != nil {
		return err
	}
	if _, err := a.do(ctx, clientv3.OpDelete(wrPrefix+"b")); err != nil {
		return err
	}
	if rev, err = a.do(ctx, clientv3.OpPut(wrPrefix+"d", "1"), clientv3.OpPut(wrPrefix+"e", "1")); err != nil {
		return err
	}
	if compact {
		ctx1, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := c.Etcd.Compact(ctx1, rev, clientv3.WithCompactPhysical())
		cancel()
		if err != nil {
			return err
		}
		a.compact = rev
	}
	ctx1, cancel = context.WithTimeout(ctx, 15*time.Second)
	err = c.Cluster.Restart(ctx1, 0)
	cancel()
	if err != nil {
		return err
	}
	if rev, err = a.do(ctx, clientv3.OpPut(wrPrefix+"f", "1")); err != nil {
		return err
	}
	// A client that was cut off reconnects with a backoff of up to a
	// few seconds.
	if err := a.until(ctx, rev, 6*time.Second); err != nil {
		return err
	}
	// And one more: a change reported twice after the last list comes
	// before it.
	if rev, err = a.do(ctx, clientv3.OpPut(wrPrefix+"g", "1")); err != nil {
		return err
	}
	if err := a.until(ctx, rev, 3*time.Second); err != nil {
		return err
	}
	if err := a.compare(); err != nil {
		return err
	}
	if a.early != nil {
		return a.returned()
	}
	a.r.Cancel()
	wctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	err = a.r.Wait(wctx, nil)
	var ce *exercise.CallError
	switch {
	case errors.Is(err, context.DeadlineExceeded) && wctx.Err() != nil && ctx.Err() == nil:
		return c.Fail("Follow did not return within 3s after its ctx was cancelled: pass ctx to cli.Watch and return when it is done")
	case errors.As(err, &ce) && strings.Contains(ce.Err, context.Canceled.Error()):
		return nil // ctx.Err(), as the task allows
	}
	return err
}

// returned says that Follow returned, or died, before ctx was cancelled.
func (a *away) returned() error {
	if !errors.Is(a.early, io.EOF) {
		return a.early
	}
	if a.compact != 0 {
		return a.c.Fail("the history was compacted up to revision %d while your member was away, so your watch ended with ErrCompacted, and Follow returned: list the prefix again, hand it to snapshot, and watch from its revision + 1", a.compact)
	}
	return a.c.Fail("Follow returned before its ctx was cancelled: keep watching until ctx is done")
}

// stateAt is the prefix at revision rev, from the initial keys and want.
func (a *away) stateAt(rev int64) map[string]string {
	m := maps.Clone(a.initial)
	for _, w := range a.want {
		if w.Revision > rev {
			break
		}
		if w.Deleted {
			delete(m, w.Key)
		} else {
			m[w.Key] = w.Value
		}
	}
	return m
}

// compare walks Follow's reports against what etcd applied: each list
// must be the prefix at its revision, and each change the next one etcd
// applied after the list or change before it.
func (a *away) compare() error {
	c := a.c
	next := -1 // the index in want of the next change expected; -1 before a list
	lists := 0
	relisted := false // a list after the compaction
	for i, g := range a.got {
		if g.Change == nil {
			want := a.stateAt(g.Rev)
			if !maps.Equal(g.Snapshot, want) {
				return c.Fail("your list at revision %d is %s, want %s (the keys under %s at that revision)", g.Rev, showMap(g.Snapshot), showMap(want), wrPrefix)
			}
			lists++
			relisted = relisted || (a.compact != 0 && i >= a.seen)
			next = len(a.want)
			for j, w := range a.want {
				if w.Revision > g.Rev {
					next = j
					break
				}
			}
			continue
		}
		ch := *g.Change
		if next < 0 {
			return c.Fail("changed was called before snapshot: hand the list to snapshot first")
		}
		switch {
		case next < len(a.want) && ch == a.want[next]:
			next++
			continue
		case a.compact != 0 && i >= a.seen && !relisted && ch.Revision <= a.compact && ch.Revision < a.wantRev(next):
			return c.Fail("after your watch ended with ErrCompacted you reported %s again, as a change: a list after a compaction replaces what you had (keys deleted meanwhile are not in it); hand the list to snapshot, not to changed", ch)
		case ch.Revision < a.wantRev(next) || a.seenBefore(ch, next):
			if lists > 1 && relisted {
				return c.Fail("you reported %s, which your list at revision %d already holds: after a list, watch from the list's revision + 1", ch, a.lastList(i))
			}
			return c.Fail("you reported %s twice: resume from the last event's revision + 1 (ev.Kv.ModRevision + 1)", ch)
		case next < len(a.want) && ch.Revision > a.want[next].Revision:
			missed := a.want[next]
			if a.compact != 0 && !relisted && ch.Revision >= a.compact {
				if ch.Revision == a.compact {
					return c.Fail("the history was compacted up to revision %d while your member was away; your watch ended with ErrCompacted, and you watched again from resp.CompactRevision: the changes from %s up to revision %d are gone, never reported. List the prefix again, hand it to snapshot, watch from its revision + 1", a.compact, missed, a.compact)
				}
				return c.Fail("the history was compacted up to revision %d while your member was away; your watch ended with ErrCompacted, and you did not list again: %s was never reported. List the prefix again, hand it to snapshot, watch from its revision + 1", a.compact, missed)
			}
			return c.Fail("%s was never reported, but %s after it was: report every event of every response, in order", missed, ch)
		}
		return c.Fail("you reported %s where etcd applied %s", ch, a.wantAt(next))
	}
	if next >= 0 && next < len(a.want) {
		missed := a.want[next]
		if a.early != nil && !errors.Is(a.early, io.EOF) {
			return a.early
		}
		if a.compact != 0 && !relisted {
			if a.early != nil {
				return a.returned()
			}
			return a.c.Fail("the history was compacted up to revision %d while your member was away; your watch ended with ErrCompacted, and you did not list again: %s was never reported. List the prefix again, hand it to snapshot, watch from its revision + 1", a.compact, missed)
		}
		if a.early != nil {
			return a.returned()
		}
		return c.Fail("your member was stopped and started again; %s was never reported (6 s after the checker's last write): keep ranging over the watch channel, clientv3 resumes it", missed)
	}
	if next < 0 {
		if a.early != nil {
			return a.returned()
		}
		return c.Fail("Follow listed nothing within 5 s: list the prefix with cli.Get and hand it to snapshot")
	}
	return nil
}

// wantRev is the revision of want[i], or past the last one.
func (a *away) wantRev(i int) int64 {
	if i < len(a.want) {
		return a.want[i].Revision
	}
	return a.want[len(a.want)-1].Revision + 1
}

// wantAt is want[i] as the checker names it, or "nothing".
func (a *away) wantAt(i int) string {
	if i < len(a.want) {
		return a.want[i].String()
	}
	return a.c.Lang.Msg("nothing more")
}

// seenBefore reports whether ch is one of want[:i].
func (a *away) seenBefore(ch change, i int) bool {
	for _, w := range a.want[:i] {
		if w == ch {
			return true
		}
	}
	return false
}

// lastList is the revision of the last list before report i.
func (a *away) lastList(i int) int64 {
	for j := i - 1; j >= 0; j-- {
		if a.got[j].Change == nil {
			return a.got[j].Rev
		}
	}
	return 0
}
