package exercises

import (
	"context"
	"errors"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"etcdtour/runner/exercise"
)

// Lock asks for the counter of the lock lesson: a read and a write under
// a distributed lock, let go on every path.
var Lock = exercise.Exercise{
	ID:     "lock",
	Title:  "Count under a distributed lock: wait your turn, and always let go",
	Lesson: "lock",
	Doc:    "docs/lock.md",
	Hints: []string{
		"m := concurrency.NewMutex(s, lock); m.Lock(ctx1) waits in the lock's queue until every earlier holder let go; read and write the key only after it returned nil.",
		"TryLock does not wait: when another session holds the lock it returns concurrency.ErrLocked at once.",
		"Right after Lock succeeds, defer the Unlock (with a context of its own): an error return must let the lock go as well.",
	},
	Files:      files("lock"),
	Checks:     lockChecks,
	Concurrent: true,
	Mistakes: []exercise.Mistake{
		{Dir: "no-lock", Bug: "Get then Put with no lock", Check: lockWait, Says: "no key of yours queued"},
		{Dir: "trylock", Bug: "TryLock taken for Lock: returns ErrLocked when another session holds the lock", Check: lockWait, Says: "TryLock gives up"},
		{Dir: "unlock-before-put", Bug: "lets the lock go after the read, before the write", Check: lockHeld, Says: "you let the lock go before you wrote"},
		{Dir: "relock", Bug: "reads under one hold of the lock and writes under another: lets it go in between", Check: lockAfter, Says: "you wrote after you let the lock go"},
		{Dir: "count-after-unlock", Bug: "returns a count read again after the lock was let go", Check: lockAfter, Says: "not one read after you let the lock go"},
		{Dir: "no-unlock-on-error", Bug: "unlocks on the happy path only: an error return keeps the lock", Check: lockError, Says: "defer m.Unlock"},
	},
}

const (
	lockNew   = "a key that does not exist: count 1, and the lock free again"
	lockWait  = "another session holds the lock: you queue for it before you read, and count on after it"
	lockHeld  = "your write of the count made while you hold the lock"
	lockAfter = "after you let the lock go: nothing written, and the count returned is the one you wrote"
	lockError = "a count that is not a number: an error returned, and the lock free again"
	lockMany  = "8 programs at once, each with a client and a session of its own, 10 increments each: 80, none lost"
)

// lockArgs are Increment's arguments for caller i.
func lockArgs(i int) any {
	return map[string]any{"Caller": i, "Lock": "lock", "Key": "counter"}
}

var lockChecks = []exercise.Check{{
	Name: lockNew,
	Step: "lock, step 2 (Session 1 locks) and step 4 (session 1 unlocks)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		var got int
		if err := c.Call(ctx, "Increment", lockArgs(0), &got); err != nil {
			return err
		}
		if err := countIs(ctx, c, "Increment", "counter", "no key", got, 1); err != nil {
			return err
		}
		return lockFree(ctx, c, c.Lang.Msg("Increment returned %d", got))
	},
}, {
	Name: lockWait,
	Step: "lock, step 3 (Session 2 tries without waiting) and step 4 (Session 2 waits for the lock)",
	Run:  lockHeldByChecker,
}, {
	Name: lockHeld,
	Step: "lock, step 4 (session 1 unlocks): the holder writes, then unlocks",
	Run:  lockHeldAtWrite,
}, {
	Name: lockAfter,
	Step: "lock, step 4 (session 1 unlocks): the holder writes, then unlocks",
	Run:  lockLetGo,
}, {
	Name: lockError,
	Step: "lock, step 4 (session 1 unlocks): a holder that never unlocks keeps everyone waiting",
	Run: func(ctx context.Context, c *exercise.Code) error {
		if _, err := put(ctx, c, "counter", "not a number"); err != nil {
			return err
		}
		var got int
		err := c.Call(ctx, "Increment", lockArgs(0), &got)
		var ce *exercise.CallError
		switch {
		case err == nil:
			return c.Fail("the key held \"not a number\"; Increment returned %d and no error: return the error strconv.Atoi gave you", got)
		case !errors.As(err, &ce):
			return err
		}
		return lockFree(ctx, c, c.Lang.Msg("Increment returned an error (%s)", ce.Err))
	},
}, {
	Name:    lockMany,
	Step:    "lock, step 4 (Session 2 waits for the lock; session 1 unlocks)",
	Timeout: 90 * time.Second, // a busy machine; a stuck solution fails an earlier check, which stops this one
	Run: func(ctx context.Context, c *exercise.Code) error {
		// 10 rounds, not more: a caller back in the queue waits for
		// etcd's next sync of a new watch (every 100 ms), so each round
		// takes 100 ms however short the turns; the mistakes of a
		// critical section too short are caught for certain by the
		// checks above, and this one counts under contention.
		return manyIncrements(ctx, c, 10, lockArgs)
	},
}}

// lockFree fails when a key is left under the lock after Increment
// returned; returned says how it returned, in the learner's language.
func lockFree(ctx context.Context, c *exercise.Code, returned string) error {
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	resp, err := c.Etcd.Get(ctx1, "lock/", clientv3.WithPrefix())
	cancel()
	if err != nil {
		return err
	}
	if len(resp.Kvs) > 0 {
		return c.Fail("%s but left its key %s under the lock: the lock is still held, and every other caller waits until its session ends. Right after Lock succeeds, defer m.Unlock", returned, resp.Kvs[0].Key)
	}
	return nil
}

// lockHeldByChecker takes the lock with a session of the checker's, calls
// Increment, and pauses it after its first read: its key must be queued
// under the lock by then. The checker then writes the count, unlocks, and
// Increment must add its one to it.
func lockHeldByChecker(ctx context.Context, c *exercise.Code) error {
	s, err := concurrency.NewSession(c.Etcd, concurrency.WithTTL(10), concurrency.WithContext(ctx))
	if err != nil {
		return err
	}
	defer s.Close()
	m := concurrency.NewMutex(s, "lock")
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	err = m.Lock(ctx1)
	cancel()
	if err != nil {
		return err
	}
	if err := c.PauseAfter("Range"); err != nil {
		return err
	}
	r := c.Start("Increment", lockArgs(0))
	paused, err := pauseOrReturn(ctx, c, r, 3*time.Second)
	var ce *exercise.CallError
	switch {
	case errors.As(err, &ce):
		return c.Fail("the checker held the lock, and Increment returned an error at once (%s): TryLock gives up when another session holds the lock (ErrLocked); Lock waits for it", ce.Err)
	case errors.Is(err, errNoPause):
		return c.Fail("the checker held the lock, and in 3 s Increment neither queued for it (a Get of the lock's queue) nor read: take the lock with m.Lock")
	case err != nil:
		return err
	case !paused:
		return c.Fail("the checker held the lock, and Increment returned without waiting for it: take the lock with m.Lock, which waits")
	}
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	queue, err := c.Etcd.Get(ctx1, "lock/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	cancel()
	if err != nil {
		return err
	}
	if queue.Count < 2 {
		return c.Fail("the checker held the lock, and Increment read from etcd with no key of yours queued under it: it would read and write while another session holds the lock. Take the lock with m.Lock before you read the count")
	}
	if err := c.Resume(); err != nil {
		return err
	}
	if _, err := put(ctx, c, "counter", "10"); err != nil {
		return err
	}
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	err = m.Unlock(ctx1)
	cancel()
	if err != nil {
		return err
	}
	var got int
	if err := r.Wait(ctx, &got); err != nil {
		return err
	}
	if err := countIs(ctx, c, "Increment", "counter", "\"10\", written by the lock's holder", got, 11); err != nil {
		return err
	}
	return lockFree(ctx, c, c.Lang.Msg("Increment returned %d", got))
}

// lockHeldAtWrite holds Increment's Put of the count before it is sent
// and looks that a key of the learner's session still holds the lock
// (the first key under it). A count written with a Txn is not held, and
// not judged here.
func lockHeldAtWrite(ctx context.Context, c *exercise.Code) error {
	if err := c.PauseBefore("Put"); err != nil {
		return err
	}
	r := c.Start("Increment", lockArgs(0))
	paused, err := pauseOrReturn(ctx, c, r, 3*time.Second)
	switch {
	case errors.Is(err, errNoPause):
		return c.Fail("Increment neither wrote nor returned within 3 s: take the lock, read the count, Put count+1, unlock")
	case err != nil:
		return err
	case !paused:
		return nil // no Put: a Txn wrote it, or nothing did (the other checks count)
	}
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	owner, err := c.Etcd.Get(ctx1, "lock/", clientv3.WithFirstCreate()...)
	cancel()
	if err != nil {
		return err
	}
	if len(owner.Kvs) == 0 {
		return c.Fail("the checker held your Put of the count before it was sent: no key was under the lock then, so you let the lock go before you wrote. Another caller could read the same count meanwhile: unlock after the Put (defer m.Unlock right after Lock)")
	}
	if err := c.Resume(); err != nil {
		return err
	}
	var got int
	if err := r.Wait(ctx, &got); err != nil {
		return err
	}
	return lockFree(ctx, c, c.Lang.Msg("Increment returned %d", got))
}

// lockLetGo pauses Increment right after its Unlock (the Delete of its
// lock key), writes the count as another caller would once the lock is
// free, and lets it go on: it must neither write the count again nor
// return the checker's.
func lockLetGo(ctx context.Context, c *exercise.Code) error {
	if err := c.PauseAfter("DeleteRange"); err != nil {
		return err
	}
	r := c.Start("Increment", lockArgs(0))
	paused, err := pauseOrReturn(ctx, c, r, 3*time.Second)
	switch {
	case errors.Is(err, errNoPause):
		return c.Fail("Increment neither let the lock go nor returned within 3 s: take the lock, read the count, Put count+1, unlock")
	case err != nil:
		return err
	case !paused:
		return nil // no Unlock: the first check says so
	}
	if _, err := put(ctx, c, "counter", "41"); err != nil {
		return err
	}
	if err := c.Resume(); err != nil {
		return err
	}
	var got int
	if err := r.Wait(ctx, &got); err != nil {
		return err
	}
	v, ok, err := read(ctx, c, "counter")
	switch {
	case err != nil:
		return err
	case v != "41":
		return c.Fail("the checker wrote \"41\" right after your Unlock, as the next holder would; then the key held %s: you wrote after you let the lock go, when another caller may count. Read and write within one hold of the lock", quote(v, ok))
	case got != 1:
		return c.Fail("the key held no count; the checker wrote \"41\" right after your Unlock, and Increment returned %d: return the count you wrote (count+1), not one read after you let the lock go", got)
	}
	return nil
}
