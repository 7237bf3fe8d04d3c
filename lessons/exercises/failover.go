package exercises

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner/exercise"
)

// Failover asks for the failover lesson's writer, made safe to retry: an
// increment done once per request ID through a lost answer and a leader's
// stop, on a three-member cluster of the checker's own.
var Failover = exercise.Exercise{
	ID:      "failover",
	Title:   "Count through a leader's loss: no acknowledged increment lost, none applied twice",
	Lesson:  "failover",
	Doc:     "docs/failover.md",
	Members: 3,
	Hints: []string{
		"Give each try a deadline of its own (context.WithTimeout(ctx, time.Second)): a write sent to a leader that just stopped can wait for an answer that never comes.",
		"An error from a write does not say it failed: its answer may be what was lost. Write a record of the request (requests/ID, holding the count) in the same Txn as the increment.",
		"Compare the record in the Txn's If (clientv3.Compare(clientv3.Version(record), \"=\", 0)) with the counter's mod_revision; read the record at the start of every try, and when it is there return its count.",
	},
	Files:  files("failover"),
	Checks: failoverChecks,
	Mistakes: []exercise.Mistake{
		{Dir: "blind-retry", Bug: "a compare-and-swap loop that also retries on errors, with no record of the request: a write whose answer was lost is applied again", Check: foDropped, Says: "no record of request"},
		{Dir: "no-retry", Bug: "returns the error of a write whose answer was lost", Check: foDropped, Says: "may have gone in or not"},
		{Dir: "check-once", Bug: "reads the record once, before its retry loop, and does not compare it in the Txn", Check: foDropped, Says: "compare it in the Txn"},
		{Dir: "no-deadline", Bug: "no deadline per try: a write sent to the stopped leader waits for good", Check: foLeader, Says: "a deadline of its own"},
		{Dir: "get-put-retry", Bug: "Get then Put, retried from the Get when a try fails; no record: a write that went in before its try failed counts twice", Check: foLeader, Says: "your retry counted it again"},
	},
}

const (
	foNew     = "one increment: count 1"
	foDropped = "your write goes in but its answer is lost: tried again, it counts once"
	foLeader  = "the leader stops while you count: 10 increments, each counted once"
	foRepeat  = "a caller repeats a request ID: the same count back, counted once"
	foCounter = "counter"
)

// increment calls Increment with id and a time limit.
func increment(ctx context.Context, c *exercise.Code, id string, limit time.Duration) (int, error) {
	ctx1, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var n int
	err := c.Call(ctx1, "Increment", map[string]string{"Counter": foCounter, "RequestID": id}, &n)
	if err != nil && ctx1.Err() != nil && ctx.Err() == nil {
		return 0, errSlow
	}
	return n, err
}

// errSlow is an Increment that did not return within its limit.
var errSlow = errors.New("too slow")

// counterIs fails unless the counter holds want.
func counterIs(ctx context.Context, c *exercise.Code, want int, what string) error {
	v, ok, err := read(ctx, c, foCounter)
	if err != nil {
		return err
	}
	if !ok || v != strconv.Itoa(want) {
		return c.Fail("%s; the counter holds %s, want \"%d\"", what, quote(v, ok), want)
	}
	return nil
}

var failoverChecks = []exercise.Check{{
	Name:    foNew,
	Step:    "txn, step 2 (Compare-and-swap on mod_revision)",
	Timeout: 15 * time.Second,
	Run: func(ctx context.Context, c *exercise.Code) error {
		n, err := increment(ctx, c, "first", 5*time.Second)
		if errors.Is(err, errSlow) {
			return c.Fail("Increment did not return within 5 s, with nothing in its way")
		}
		if err != nil {
			return err
		}
		if n != 1 {
			return c.Fail("the counter did not exist; Increment returned %d, want 1", n)
		}
		return counterIs(ctx, c, 1, c.Lang.Msg("Increment returned 1"))
	},
}, {
	Name:    foDropped,
	Step:    "failover, step 2 (The leader stops while a client keeps writing)",
	Timeout: 20 * time.Second,
	Run:     dropAnswer,
}, {
	Name:    foLeader,
	Step:    "failover, step 2 (The leader stops while a client keeps writing) and step 3 (Every acknowledged write is there)",
	Timeout: 60 * time.Second,
	Run:     stopLeaderWhileCounting,
}, {
	Name:    foRepeat,
	Step:    "failover, step 3 (Every acknowledged write is there; the watch saw each once)",
	Timeout: 15 * time.Second,
	Run: func(ctx context.Context, c *exercise.Code) error {
		first, err := increment(ctx, c, "twice", 5*time.Second)
		if err != nil {
			return err
		}
		again, err := increment(ctx, c, "twice", 5*time.Second)
		if err != nil {
			return err
		}
		if again != first {
			return c.Fail("Increment(twice) returned %d, and called again with the same request ID (a caller that got no answer tries again) returned %d: record each request with the count it made, and return that count when the record is there", first, again)
		}
		return counterIs(ctx, c, first, c.Lang.Msg("Increment(twice) returned %d twice", first))
	},
}}

// dropAnswer puts 5 in the counter, calls Increment, and when its write
// (the first Txn or Put that makes a revision) has gone in, breaks the
// connection before its answer comes.
func dropAnswer(ctx context.Context, c *exercise.Code) error {
	before, err := put(ctx, c, foCounter, "5")
	if err != nil {
		return err
	}
	if err := c.PauseAfter("Txn|Put"); err != nil {
		return err
	}
	r := c.Start("Increment", map[string]string{"Counter": foCounter, "RequestID": "lost"})
	var wrote int64
	for wrote == 0 {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		rev, err := c.Paused(pctx, r)
		cancel()
		switch {
		case errors.Is(err, exercise.ErrReturned):
			return c.Fail("Increment returned without writing: read the count, then write count+1 in a Txn")
		case err != nil && pctx.Err() != nil && ctx.Err() == nil:
			return c.Fail("Increment wrote nothing within 5 s: read the count, then write count+1 in a Txn")
		case err != nil:
			return err
		case rev > before: // a write: the store moved
			wrote = rev
			err = c.Drop()
		default: // a read in a Txn: go on to the next
			if err = c.PauseAfter("Txn|Put"); err == nil {
				err = c.Resume()
			}
		}
		if err != nil {
			return err
		}
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var n int
	err = r.Wait(wctx, &n)
	var ce *exercise.CallError
	switch {
	case errors.As(err, &ce):
		return c.Fail("your write went in at revision %d, but its answer was lost (the connection broke: Unavailable), and Increment returned the error (%s): a write that failed so may have gone in or not. Try again, and let a record of the request tell you which", wrote, ce.Err)
	case err != nil && wctx.Err() != nil && ctx.Err() == nil:
		return c.Fail("your write went in at revision %d, but its answer was lost, and Increment had not returned 5 s later", wrote)
	case err != nil:
		return err
	}
	v, _, err := read(ctx, c, foCounter)
	if err != nil {
		return err
	}
	if v == "7" {
		records, err := requestKeys(ctx, c, "lost")
		if err != nil {
			return err
		}
		if len(records) == 0 {
			return c.Fail("the counter held \"5\"; your write of \"6\" went in at revision %d but its answer was lost, and your retry made it \"7\": one increment counted twice, and there is no record of request \"lost\" to tell your retry it was done. Write one (requests/ID) in the same Txn, and compare it there", wrote)
		}
		return c.Fail("the counter held \"5\"; your write of \"6\" went in at revision %d but its answer was lost, and your retry made it \"7\", though your record %s was there: read the record at every try, and compare it in the Txn (clientv3.Version(record) = 0)", wrote, records[0])
	}
	if n != 6 {
		return c.Fail("the counter held \"5\"; Increment returned %d, want 6", n)
	}
	return counterIs(ctx, c, 6, c.Lang.Msg("the counter held \"5\" and your write's answer was lost; Increment returned 6"))
}

// requestKeys are the keys that name request id, other than the counter.
func requestKeys(ctx context.Context, c *exercise.Code, id string) ([]string, error) {
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	resp, err := c.Etcd.Get(ctx1, "", clientv3.WithFromKey(), clientv3.WithKeysOnly())
	if err != nil {
		return nil, err
	}
	var out []string
	for _, kv := range resp.Kvs {
		if k := string(kv.Key); k != foCounter && strings.Contains(k, id) {
			out = append(out, k)
		}
	}
	return out, nil
}

// stopLeaderWhileCounting calls Increment ten times, one after the other;
// the fourth one's write goes in, and then the leader stops and its answer
// never comes.
func stopLeaderWhileCounting(ctx context.Context, c *exercise.Code) error {
	const calls = 10
	stopAt := 4
	stopped := false
	for i := 1; i <= calls; i++ {
		id := fmt.Sprintf("w%02d", i)
		limit := 8 * time.Second
		var n int
		var err error
		if i < stopAt || stopped {
			n, err = increment(ctx, c, id, limit)
		} else {
			n, stopped, err = incrementLeaderStops(ctx, c, id, limit)
			if !stopped {
				stopAt++ // it wrote nothing the checker could hold: the next call
			}
		}
		var ce *exercise.CallError
		switch {
		case errors.Is(err, errSlow) && i >= stopAt:
			return c.Fail("call %d's write went in, then the checker stopped the leader, and the answer never came; Increment(%s) did not return within %v: give each try a deadline of its own (a second), and try again", stopAt, id, limit)
		case errors.Is(err, errSlow):
			return c.Fail("Increment(%s) did not return within %v, with nothing in its way", id, limit)
		case errors.As(err, &ce) && i >= stopAt:
			return c.Fail("the checker stopped the leader during call %d; Increment(%s) returned an error (%s): a new leader comes within a second or two. Try again, each try with a deadline of its own, until ctx ends", stopAt, id, ce.Err)
		case err != nil:
			return err
		case n == i+1 && i == stopAt:
			return c.Fail("call %d's write went in, then the checker stopped the leader, and the answer never came; your retry counted it again: Increment(%s) returned %d, want %d. Record each request in the same Txn as its increment, and read the record at every try", stopAt, id, n, i)
		case n != i:
			return c.Fail("call %d, Increment(%s), returned %d, want %d (one call after the other, nothing else writes)", i, id, n, i)
		}
	}
	if !stopped {
		return fmt.Errorf("none of the %d calls wrote anything the checker could hold", calls)
	}
	return counterIs(ctx, c, calls, c.Lang.Msg("%d calls returned 1 to %d", calls, calls))
}

// incrementLeaderStops calls Increment and, once its write (the first
// Txn or Put that makes a revision) has gone in, stops the leader and
// holds the write's answer for good: an answer that never comes, as from
// a leader whose machine is gone.
// held is false when the call returned before a write of its was held
// (the leader runs on then).
func incrementLeaderStops(ctx context.Context, c *exercise.Code, id string, limit time.Duration) (n int, held bool, err error) {
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	lead, err := c.Cluster.Leader(lctx)
	cancel()
	if err != nil {
		return 0, false, err
	}
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	before, err := c.Etcd.Get(ctx1, foCounter)
	cancel()
	if err != nil {
		return 0, false, err
	}
	if err := c.PauseAfter("Txn|Put"); err != nil {
		return 0, false, err
	}
	ctx1, cancel = context.WithTimeout(ctx, limit)
	defer cancel()
	r := c.Start("Increment", map[string]string{"Counter": foCounter, "RequestID": id})
	for {
		rev, err := c.Paused(ctx1, r)
		if errors.Is(err, exercise.ErrReturned) {
			err = r.Wait(ctx1, &n)
			return n, false, err
		}
		if err != nil {
			if ctx1.Err() != nil && ctx.Err() == nil {
				return 0, false, errSlow
			}
			return 0, false, err
		}
		if rev > before.Header.Revision {
			break // the write: its answer is held
		}
		if err := c.PauseAfter("Txn|Put"); err != nil {
			return 0, false, err
		}
		if err := c.Resume(); err != nil {
			return 0, false, err
		}
	}
	if err := c.Cluster.Stop(lead); err != nil {
		return 0, false, err
	}
	err = r.Wait(ctx1, &n)
	if err != nil && ctx1.Err() != nil && ctx.Err() == nil {
		return 0, true, errSlow
	}
	return n, true, err
}
