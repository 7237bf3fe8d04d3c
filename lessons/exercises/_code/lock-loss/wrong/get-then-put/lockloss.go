// Package lockloss: reads its lock key to see that it still holds the
// lock, then writes with a plain Put: check-then-act, two requests, and
// the lease can go between them.
package lockloss

import (
	"context"
	"time"

	"go.etcd.io/etcd/client/v3/concurrency"
)

// Guarded writes value to key after Lock, if its lock key still exists.
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
	cli := s.Client()
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	get, err := cli.Get(ctx1, m.Key())
	cancel()
	if err != nil {
		return false, err
	}
	if len(get.Kvs) == 0 {
		return false, nil // our key is gone: the lock is lost
	}
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	_, err = cli.Put(ctx1, key, value)
	cancel()
	if err != nil {
		return false, err
	}
	return true, nil
}
