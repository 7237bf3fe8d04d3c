// Package lock is etcdtour's lock exercise: add one to a counter that
// many sessions share, holding a distributed lock while you read and
// write it.
//
// Read first: the lock lesson (etcdtour run lock) and its page,
// docs/lock.md: step 2 (Lock), step 3 (TryLock returns ErrLocked) and
// step 4 (a waiter queues until the holder unlocks). Check your code with:
// etcdtour check lock.
package lock

import (
	"context"
	"errors"

	"go.etcd.io/etcd/client/v3/concurrency"
)

// Increment adds one to the count under key and returns the new count,
// holding the lock named lock (concurrency.NewMutex(s, lock)) while it
// reads and writes the key. The key's value is a count in decimal, such as
// "7"; a key that does not exist counts as 0; a value that is not a count
// is an error, which Increment returns. s is the caller's session (a lease
// kept alive in the background); s.Client() is its client. Many callers,
// each with a session of its own, run Increment at once: none may lose
// another's update. Whatever happens after you took the lock, let it go
// before you return.
//
// Give every request a deadline of its own, as the lessons do; Lock may
// wait for another holder, so give it time:
//
//	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
//	err := m.Lock(ctx1)
//	cancel()
//
// What the checker does: it calls Increment on a key that does not exist
// and then looks that the lock is free; it takes the lock itself, with a
// session of its own, calls Increment, looks that your code waits in the
// lock's queue before it reads the key, writes the key and unlocks; it
// holds your Put of the new count before it is sent and looks that you
// still hold the lock; it holds your code right after its Unlock and
// writes the key, as the next holder would: you must write nothing after
// that, and return the count you wrote; it puts "not a number" in the
// key, and looks that Increment returns an error and frees the lock; then
// it runs 8 callers at once, each a program with a client and a session
// of its own, 10 increments each, and counts.
func Increment(ctx context.Context, s *concurrency.Session, lock, key string) (int, error) {
	return 0, errors.New("not implemented")
}
