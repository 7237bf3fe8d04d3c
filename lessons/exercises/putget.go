package exercises

import (
	"context"
	"errors"
	"strconv"
	"time"

	"etcdtour/runner/exercise"
)

// PutGet asks for a read-modify-write that knows the revision of its write.
var PutGet = exercise.Exercise{
	ID:     "put-get",
	Title:  "Count a visit: read, write back, and return your write's revision",
	Lesson: "put-get",
	Doc:    "docs/put-get.md",
	Hints: []string{
		"A missing key is a Get with no Kvs: len(resp.Kvs) == 0, and the count is 0.",
		"The revision etcd gave your write is in the Put's response: put.Header.Revision.",
		"The Get's revision + 1 is a guess: another client may write between your Get and your Put.",
	},
	Files:  files("put-get"),
	Checks: putGetChecks,
	Mistakes: []exercise.Mistake{
		{Dir: "get-revision", Bug: "returns the Get's revision, not the Put's", Check: visitNew, Says: "but etcd applied your write at revision"},
		{Dir: "guess-revision", Bug: "returns the Get's revision + 1: a guess another client's write breaks", Check: visitBetween, Says: "between your Get and your Put"},
		{Dir: "missing-key", Bug: "reads get.Kvs[0] of a key that does not exist", Check: visitNew, Says: "panicked"},
		{Dir: "delete-put", Bug: "deletes the key before it writes it: version and create_revision start again", Check: visitAgain, Says: "no Delete"},
		{Dir: "in-memory", Bug: "counts in memory and never reads the key", Check: visitOthers, Says: "read the count from etcd"},
	},
}

const (
	visitNew     = "a key that does not exist: count 1, at your Put's revision"
	visitAgain   = "the same key again: count 2, version 2, create_revision kept"
	visitOthers  = "a count another client wrote: 41 becomes 42"
	visitBetween = "another write between your Get and your Put: the revision is your write's"
)

// visit is what Visit returned.
type visit struct {
	Count int   `json:"count"`
	Rev   int64 `json:"rev"`
}

var putGetChecks = []exercise.Check{{
	Name: visitNew,
	Step: "put-get, step 1 (Put a key) and step 2 (Get it back)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		return visitOnce(ctx, c, "visits", "", 1, 1)
	},
}, {
	Name: visitAgain,
	Step: "put-get, step 3 (Overwrite it, asking for the previous value)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		if err := visitOnce(ctx, c, "visits", "", 1, 1); err != nil {
			return err
		}
		return visitOnce(ctx, c, "visits", "1", 2, 2)
	},
}, {
	Name: visitOthers,
	Step: "put-get, step 2 (Get it back)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		if _, err := put(ctx, c, "visits", "41"); err != nil {
			return err
		}
		return visitOnce(ctx, c, "visits", "41", 42, 2)
	},
}, {
	Name: visitBetween,
	Step: "put-get, step 1 (Put a key): each write gets the next revision of the whole store",
	Run:  visitWithWriteBetween,
}}

// put writes key through the checker's own client, with a deadline.
func put(ctx context.Context, c *exercise.Code, key, value string) (int64, error) {
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	resp, err := c.Etcd.Put(ctx1, key, value)
	if err != nil {
		return 0, err
	}
	return resp.Header.Revision, nil
}

// visitOnce calls Visit on key, which holds before ("" for no key), and
// compares what it returned and what etcd holds with a count of want and
// a version of version.
func visitOnce(ctx context.Context, c *exercise.Code, key, before string, want int, version int64) error {
	var got visit
	if err := c.Call(ctx, "Visit", map[string]string{"Key": key}, &got); err != nil {
		return err
	}
	return compareVisit(ctx, c, key, before, want, version, got, 0)
}

// compareVisit compares what Visit returned with the key in etcd. between
// is the revision of the checker's write between the learner's Get and Put,
// or 0.
func compareVisit(ctx context.Context, c *exercise.Code, key, before string, want int, version int64, got visit, between int64) error {
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	resp, err := c.Etcd.Get(ctx1, key)
	cancel()
	if err != nil {
		return err
	}
	held := "no key"
	if before != "" {
		held = strconv.Quote(before)
	}
	if len(resp.Kvs) == 0 {
		return c.Fail("after Visit the key %s does not exist: Put the new count to the key you were given", key)
	}
	kv := resp.Kvs[0]
	switch {
	case got.Count != want:
		return c.Fail("the key held %s before Visit; Visit returned count %d, want %d: read the count from etcd (a missing key is 0) and add one", held, got.Count, want)
	case string(kv.Value) != strconv.Itoa(want):
		return c.Fail("after Visit the key holds %q, want %q: Put the new count as a decimal string (strconv.Itoa)", kv.Value, strconv.Itoa(want))
	case got.Rev != kv.ModRevision && between != 0 && got.Rev == between:
		return c.Fail("the checker wrote another key at revision %d, between your Get and your Put; Visit returned %d, but your Put got %d (the key's mod_revision): return put.Header.Revision, not a guess from the Get", between, got.Rev, kv.ModRevision)
	case got.Rev != kv.ModRevision:
		return c.Fail("Visit returned revision %d, but etcd applied your write at revision %d (the key's mod_revision): return the Put's put.Header.Revision", got.Rev, kv.ModRevision)
	case kv.Version != version:
		return c.Fail("the key's version is %d after this Visit, want %d: one Put per Visit, and no Delete (a delete starts the version again)", kv.Version, version)
	case version > 1 && kv.CreateRevision == kv.ModRevision:
		return c.Fail("the key was created again by this Visit (create_revision %d): overwrite it with Put, do not delete it first", kv.CreateRevision)
	}
	return nil
}

// visitWithWriteBetween pauses the learner's code after its Get, writes
// another key, and lets it go on: the revision it returns must be its
// Put's, two after its Get's.
func visitWithWriteBetween(ctx context.Context, c *exercise.Code) error {
	if _, err := put(ctx, c, "visits", "5"); err != nil {
		return err
	}
	if err := c.PauseAfter("Range"); err != nil {
		return err
	}
	r := c.Start("Visit", map[string]string{"Key": "visits"})
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	_, err := c.Paused(pctx, r)
	cancel()
	switch {
	case errors.Is(err, exercise.ErrReturned) || err != nil && pctx.Err() != nil && ctx.Err() == nil:
		return c.Fail("Visit sent no Get: read the count with cli.Get before you write it")
	case err != nil:
		return err
	}
	between, err := put(ctx, c, "other", "a write between your Get and your Put")
	if err != nil {
		return err
	}
	if err := c.Resume(); err != nil {
		return err
	}
	var got visit
	if err := r.Wait(ctx, &got); err != nil {
		return err
	}
	return compareVisit(ctx, c, "visits", "5", 6, 2, got, between)
}
