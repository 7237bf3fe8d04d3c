// Package lockloss is etcdtour's lock-loss exercise: a lock is only as
// good as its lease. Do guarded work under a lock so that a holder whose
// lease is gone can no longer write: etcd itself must refuse the write.
//
// Read first: the lock-loss lesson (etcdtour run lock-loss) and its page,
// docs/lock-loss.md: step 1 (Session 1 takes the lock and writes, fenced
// by it), step 3 (Session 1 still thinks it holds the lock) and step 4
// (Fenced writes: refused for session 1, accepted for session 2). Check
// your code with: etcdtour check lock-loss.
package lockloss

import (
	"context"
	"errors"

	"go.etcd.io/etcd/client/v3/concurrency"
)

// Guarded takes the lock named lock (concurrency.NewMutex(s, lock)), then
// writes value to key, but only if it still holds the lock when etcd
// applies the write, and lets the lock go before it returns. It returns
// whether the write went in: false, with no error, when etcd refused it
// because the lock was lost. s is the caller's session (a lease kept
// alive in the background); s.Client() is its client.
//
// A lost lease says nothing to your Mutex: m.Key() still names a key that
// is gone, and another session may hold the lock already. Neither a look
// at s.Done() nor a Get of your key before the write is enough: the lease
// can go between the look and the write. Give every request a deadline of
// its own, as the lessons do.
//
// What the checker does: it calls Guarded with the lock free and wants
// the write in and the lock free after; it revokes your session's lease
// right after your Lock, waits until your session's Done() has closed,
// and wants your write refused; then it revokes your lease while your
// write is on its way (after every check your code made, before etcd
// gets the write), takes the lock itself with a session of its own, and
// wants your write refused by etcd: the value is not yours, and Guarded
// returns false.
func Guarded(ctx context.Context, s *concurrency.Session, lock, key, value string) (bool, error) {
	return false, errors.New("not implemented")
}
