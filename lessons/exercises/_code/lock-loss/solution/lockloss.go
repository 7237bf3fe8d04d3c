// Package lockloss is etcdtour's lock-loss exercise: a lock is only as
// good as its lease; a fenced write is refused by etcd once it is lost.
package lockloss

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
)

// Guarded writes value to key under the lock, fenced by it.
func Guarded(ctx context.Context, s *concurrency.Session, lock, key, value string) (bool, error) {
	m := concurrency.NewMutex(s, lock)
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	err := m.Lock(ctx1)
	cancel()
	if err != nil {
		return false, err
	}
	defer func() {
		ctx1, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		m.Unlock(ctx1)
		cancel()
	}()
	// The fence: etcd applies the Put only if our lock key still has the
	// create_revision it had when we locked. A key that is gone (its lease
	// revoked or expired) has create_revision 0, and the Txn fails.
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	resp, err := s.Client().Txn(ctx1).
		If(m.IsOwner()).
		Then(clientv3.OpPut(key, value)).
		Commit()
	cancel()
	if err != nil {
		return false, err
	}
	return resp.Succeeded, nil
}
