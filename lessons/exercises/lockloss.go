package exercises

import (
	"context"
	"errors"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"etcdtour/runner/exercise"
)

// LockLoss asks for the fenced write of the lock-loss lesson: a holder
// whose lease is gone can no longer write, because etcd refuses it.
var LockLoss = exercise.Exercise{
	ID:     "lock-loss",
	Title:  "A lock is only as good as its lease: fence the write, so that etcd refuses a lost holder's",
	Lesson: "lock-loss",
	Doc:    "docs/lock-loss.md",
	Hints: []string{
		"A lost lease says nothing to your Mutex: Lock returned long ago, and m.Key() still names a key that is gone.",
		"Make etcd check, in the same request as the write: s.Client().Txn(ctx1).If(m.IsOwner()).Then(clientv3.OpPut(key, value)).Commit(). IsOwner compares your lock key's create_revision with the one it had when you locked; a key that is gone has 0.",
		"resp.Succeeded false means etcd refused the write: the lock was lost. Return false, with no error.",
	},
	Files:   files("lock-loss"),
	Members: 1,
	Checks:  lockLossChecks,
	Mistakes: []exercise.Mistake{
		{Dir: "unfenced-put", Bug: "a plain Put after Lock", Check: llAfterLock, Says: "nothing in a Put asks etcd"},
		{Dir: "fence-on-data", Bug: "a Txn that compares the data key's mod_revision, not the lock key", Check: llAfterLock, Says: "does not compare your lock key"},
		{Dir: "done-then-put", Bug: "s.Done() looked at, then a plain Put: the lease can go in between", Check: llInFlight, Says: "look at s.Done()"},
		{Dir: "get-then-put", Bug: "a Get of its lock key, then a plain Put: the lease can go in between", Check: llInFlight, Says: "a Get of your lock key"},
	},
}

const (
	llFree      = "the lock free: your write goes in, and the lock is free again after"
	llAfterLock = "your lease revoked right after your Lock, and your session's Done() closed: etcd refuses your write"
	llInFlight  = "your lease revoked while your write is on its way, and another session takes the lock: etcd refuses your write"
)

// llArgs are Guarded's arguments: holder 1's write.
var llArgs = map[string]any{"Caller": 0, "Lock": "lock", "Key": "resource", "Value": "from holder 1"}

var lockLossChecks = []exercise.Check{{
	Name: llFree,
	Step: "lock-loss, step 1 (Session 1 takes the lock and writes, fenced by it)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		var wrote bool
		if err := c.Call(ctx, "Guarded", llArgs, &wrote); err != nil {
			return err
		}
		v, ok, err := read(ctx, c, "resource")
		if err != nil {
			return err
		}
		switch {
		case !ok || v != "from holder 1":
			return c.Fail("Guarded held the lock alone, and the key resource holds %s, want %q: write the value you were given to the key you were given", quote(v, ok), "from holder 1")
		case !wrote:
			return c.Fail("Guarded held the lock alone and its write went in, but it returned false: return resp.Succeeded")
		}
		return lockFree(ctx, c, c.Lang.Msg("Guarded returned %v", wrote))
	},
}, {
	Name: llAfterLock,
	Step: "lock-loss, step 3 (Session 1 still thinks it holds the lock) and step 4 (Fenced writes)",
	// The session may take 8 s to see the loss on a busy machine.
	Timeout: 20 * time.Second,
	Run:     lockLostAfterLock,
}, {
	Name: llInFlight,
	Step: "lock-loss, step 2 (Session 2 waits; session 1's lease is lost) and step 4 (Fenced writes)",
	Run:  lockLostInFlight,
}}

// lockedThenPaused starts Guarded, pauses it after its Lock's Txn (before
// its code sees it returned) and returns the running call and the lease
// of its lock key.
func lockedThenPaused(ctx context.Context, c *exercise.Code) (*exercise.Running, clientv3.LeaseID, error) {
	if err := c.PauseAfter("Txn"); err != nil {
		return nil, 0, err
	}
	r := c.Start("Guarded", llArgs)
	paused, err := pauseOrReturn(ctx, c, r, 3*time.Second)
	switch {
	case errors.Is(err, errNoPause):
		return nil, 0, c.Fail("Guarded did not take the lock within 3 s: m := concurrency.NewMutex(s, lock), then m.Lock")
	case err != nil:
		return nil, 0, err
	case !paused:
		return nil, 0, c.Fail("Guarded returned without taking the lock: m := concurrency.NewMutex(s, lock), then m.Lock")
	}
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	held, err := c.Etcd.Get(ctx1, "lock/", clientv3.WithPrefix())
	cancel()
	if err != nil {
		return nil, 0, err
	}
	if len(held.Kvs) != 1 || held.Kvs[0].Lease == 0 {
		return nil, 0, c.Fail("after your first Txn there is no key of your session's under the lock: take it with concurrency.NewMutex(s, lock) and m.Lock")
	}
	return r, clientv3.LeaseID(held.Kvs[0].Lease), nil
}

// revoke revokes a lease of the learner's, as its expiry would.
func revoke(ctx context.Context, c *exercise.Code, id clientv3.LeaseID) error {
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := c.Etcd.Revoke(ctx1, id)
	return err
}

// lockLostAfterLock revokes the lease under the learner's lock as its
// Lock returns, waits until the session's Done() has closed, then lets the
// code go on: it must not write, or its write must be refused.
func lockLostAfterLock(ctx context.Context, c *exercise.Code) error {
	r, lease, err := lockedThenPaused(ctx, c)
	if err != nil {
		return err
	}
	if err := revoke(ctx, c, lease); err != nil {
		return err
	}
	var done bool
	if err := c.Call(ctx, "SessionDone", map[string]any{"Caller": 0, "WaitMs": 8000}, &done); err != nil {
		return err
	}
	if !done {
		return errors.New("the learner's session did not see its lease revoked within 8 s")
	}
	if err := c.PauseBefore("Put"); err != nil {
		return err
	}
	if err := c.Resume(); err != nil {
		return err
	}
	put, err := pauseOrReturn(ctx, c, r, 3*time.Second)
	switch {
	case errors.Is(err, errNoPause):
		return c.Fail("Guarded had not returned 3 s after its Lock: write, let the lock go and return")
	case err != nil:
		return err
	case put:
		if err := c.Resume(); err != nil {
			return err
		}
	}
	var wrote bool
	if err := r.Wait(ctx, &wrote); err != nil {
		return err
	}
	v, ok, err := read(ctx, c, "resource")
	if err != nil {
		return err
	}
	switch {
	case ok && v == "from holder 1" && put:
		return c.Fail("the checker revoked your session's lease right after your Lock, and waited until your session's Done() closed; your Put still went in: nothing in a Put asks etcd whether you hold the lock. Write in a Txn that requires your lock key: If(m.IsOwner())")
	case ok && v == "from holder 1":
		return c.Fail("the checker revoked your session's lease right after your Lock; your lock key was gone, and your Txn still wrote: its If does not compare your lock key. Compare its create_revision: If(m.IsOwner())")
	case wrote:
		return c.Fail("your lock was lost and your write did not go in, but Guarded returned true: return resp.Succeeded")
	}
	return nil
}

// lockLostInFlight pauses the learner's write before it is sent, revokes
// the lease under its lock, takes the lock with a session of the
// checker's, and sends the write: etcd must refuse it.
func lockLostInFlight(ctx context.Context, c *exercise.Code) error {
	r, lease, err := lockedThenPaused(ctx, c)
	if err != nil {
		return err
	}
	if err := c.PauseBefore("Txn|Put"); err != nil {
		return err
	}
	if err := c.Resume(); err != nil {
		return err
	}
	paused, err := pauseOrReturn(ctx, c, r, 3*time.Second)
	switch {
	case errors.Is(err, errNoPause):
		return c.Fail("Guarded held the lock and did not write within 3 s: write in a Txn, If(m.IsOwner())")
	case err != nil:
		return err
	case !paused:
		return c.Fail("Guarded held the lock and returned without writing: write value to key, in a Txn, If(m.IsOwner())")
	}
	if err := revoke(ctx, c, lease); err != nil {
		return err
	}
	s, err := concurrency.NewSession(c.Etcd, concurrency.WithTTL(5), concurrency.WithContext(ctx))
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
	defer func() {
		ctx1, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		m.Unlock(ctx1)
		cancel()
	}()
	if err := c.Resume(); err != nil {
		return err
	}
	var wrote bool
	if err := r.Wait(ctx, &wrote); err != nil {
		return err
	}
	v, ok, err := read(ctx, c, "resource")
	if err != nil {
		return err
	}
	switch {
	case ok && v == "from holder 1":
		return c.Fail("the checker revoked your session's lease after your code's last look and before etcd got your write, then took the lock itself; your write still went in, under the checker's lock. A look at s.Done() or a Get of your lock key before a plain Put cannot see a loss in between: make etcd check in the write itself, a Txn If(m.IsOwner())")
	case wrote:
		return c.Fail("etcd refused your write (the lock was lost), but Guarded returned true: return resp.Succeeded")
	}
	return nil
}
