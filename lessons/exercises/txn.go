package exercises

import (
	"context"
	"errors"
	"strconv"
	"time"

	"etcdtour/runner/exercise"
)

// Txn asks for the counter of the txn lesson: compare-and-swap in a retry
// loop, no lock.
var Txn = exercise.Exercise{
	ID:     "txn",
	Title:  "Count with compare-and-swap: no lock, no lost update",
	Lesson: "txn",
	Doc:    "docs/txn.md",
	Hints: []string{
		"Get the key, then a Txn: If(clientv3.Compare(clientv3.ModRevision(key), \"=\", rev)), Then(clientv3.OpPut(key, next)). A missing key's mod_revision is 0.",
		"resp.Succeeded false means somebody wrote the key after your Get and nothing was written: Get again and retry, in a loop.",
		"Each retry must read again: a Txn that compares with the first Get's revision fails forever once another write came in.",
	},
	Files:      files("txn"),
	Checks:     txnChecks,
	Concurrent: true,
	Mistakes: []exercise.Mistake{
		{Dir: "put-no-compare", Bug: "Get then a plain Put: a write between the two is lost", Check: txnBetween, Says: "an update lost"},
		{Dir: "no-retry", Bug: "a failed compare is returned as an error, not retried", Check: txnBetween, Says: "Get again and retry"},
		{Dir: "stale-retry", Bug: "retries the Txn with the first Get's revision: fails forever", Check: txnBetween, Says: "read the key again"},
		{Dir: "ignore-succeeded", Bug: "never looks at resp.Succeeded: returns a count it did not write", Check: txnBetween, Says: "resp.Succeeded"},
	},
}

const (
	txnNew     = "a key that does not exist: count 1"
	txnBetween = "a write between your Get and your Txn: the compare fails, you read again, nothing is lost"
	txnMany    = "8 programs at once, each with a client of its own, 25 increments each: 200, none lost"
)

var txnChecks = []exercise.Check{{
	Name: txnNew,
	Step: "txn, step 1 (Create a key only if it does not exist)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		var got int
		if err := c.Call(ctx, "Increment", map[string]string{"Key": "counter"}, &got); err != nil {
			return err
		}
		return countIs(ctx, c, "Increment", "counter", "no key", got, 1)
	},
}, {
	Name: txnBetween,
	Step: "txn, step 2 (Compare-and-swap on mod_revision) and step 4 (the Txn retry loop)",
	Run:  txnWriteBetween,
}, {
	Name:    txnMany,
	Step:    "txn, step 3 (Lost updates: four clients, Get then Put) and step 4",
	Timeout: 60 * time.Second, // a busy machine; a stuck solution fails an earlier check, which stops this one
	Run: func(ctx context.Context, c *exercise.Code) error {
		return manyIncrements(ctx, c, 25, func(int) any { return map[string]string{"Key": "counter"} })
	},
}}

// countIs compares the count fn returned and the key's value in etcd with
// want; before is what the key held before the call, as the checker names it.
func countIs(ctx context.Context, c *exercise.Code, fn, key, before string, got, want int) error {
	v, ok, err := read(ctx, c, key)
	if err != nil {
		return err
	}
	switch {
	case !ok:
		return c.Fail("after %s the key %s does not exist: Put the new count to the key you were given", fn, key)
	case got != want:
		return c.Fail("the key held %s before %s; %s returned count %d, want %d: read the count from etcd (a missing key is 0) and add one", before, fn, fn, got, want)
	case v != strconv.Itoa(want):
		return c.Fail("after %s the key holds %q, want %q: Put the new count as a decimal string (strconv.Itoa)", fn, v, strconv.Itoa(want))
	}
	return nil
}

// txnWriteBetween pauses Increment after its Get, writes the key, and
// lets it go on: its compare must fail, and it must read again and add its
// one to the checker's value.
func txnWriteBetween(ctx context.Context, c *exercise.Code) error {
	if _, err := put(ctx, c, "counter", "5"); err != nil {
		return err
	}
	// A read is a Get, or a Txn's (STM's reads, a Txn with an Else that
	// reads): the first of either is paused.
	if err := c.PauseAfter("Range|Txn"); err != nil {
		return err
	}
	r := c.Start("Increment", map[string]string{"Key": "counter"})
	paused, err := pauseOrReturn(ctx, c, r, 3*time.Second)
	switch {
	case errors.Is(err, errNoPause):
		return c.Fail("Increment read nothing within 3 s: read the count with cli.Get first")
	case err != nil:
		return err
	case !paused:
		return c.Fail("Increment returned without reading the key: read the count with cli.Get first")
	}
	if _, err := put(ctx, c, "counter", "10"); err != nil {
		return err
	}
	if err := c.Resume(); err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	var got int
	err = r.Wait(wctx, &got)
	var ce *exercise.CallError
	switch {
	case errors.As(err, &ce):
		return c.Fail("your Get read \"5\"; the checker wrote \"10\" before your Txn, so its compare failed, and Increment returned an error (%s): Get again and retry until the Txn succeeds", ce.Err)
	case err != nil && wctx.Err() != nil && ctx.Err() == nil:
		return c.Fail("your Get read \"5\"; the checker wrote \"10\" before your Txn, and Increment had not returned 3 s later: when the compare fails, read the key again (a new mod_revision) before you retry")
	case err != nil:
		return err
	}
	v, _, err := read(ctx, c, "counter")
	if err != nil {
		return err
	}
	switch {
	case v == "6":
		return c.Fail("your Get read \"5\"; the checker wrote \"10\" before your write, and your write put \"6\" over it: an update lost. Write in a Txn that compares the key's mod_revision with your Get's")
	case v == "10" && got != 11:
		return c.Fail("your Get read \"5\"; the checker wrote \"10\" before your Txn, whose compare failed: nothing of yours was written, yet Increment returned %d. Look at resp.Succeeded, and read again and retry when it is false", got)
	}
	return countIs(ctx, c, "Increment", "counter", "\"10\" (the checker's write)", got, 11)
}

// manyIncrements runs 8 callers of Increment at once, rounds calls each,
// each in a process of its own, and counts: 8×rounds in etcd, each count
// from 1 up returned once.
func manyIncrements(ctx context.Context, c *exercise.Code, rounds int, args func(i int) any) error {
	const n = 8
	counts, err := callers(ctx, c, "Increment", n, rounds, args)
	if err != nil {
		return err
	}
	v, ok, err := read(ctx, c, "counter")
	if err != nil {
		return err
	}
	if v != strconv.Itoa(n*rounds) {
		got, _ := strconv.Atoi(v)
		return c.Fail("%d callers made %d increments each; the key holds %s, want \"%d\": %d updates lost", n, rounds, quote(v, ok), n*rounds, n*rounds-got)
	}
	if dup := twice(counts); dup != 0 {
		return c.Fail("two increments returned the same count, %d: each must return the count its own write put", dup)
	}
	return nil
}
