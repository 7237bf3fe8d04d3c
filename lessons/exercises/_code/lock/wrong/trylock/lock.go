// Package lock: TryLock used as if it were Lock: when another session
// holds the lock, TryLock returns ErrLocked at once, and so does Increment.
package lock

import (
	"context"
	"strconv"
	"time"

	"go.etcd.io/etcd/client/v3/concurrency"
)

// Increment tries the lock once.
func Increment(ctx context.Context, s *concurrency.Session, lock, key string) (int, error) {
	m := concurrency.NewMutex(s, lock)
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	err := m.TryLock(ctx1)
	cancel()
	if err != nil {
		return 0, err
	}
	defer func() {
		ctx1, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		m.Unlock(ctx1)
		cancel()
	}()
	cli := s.Client()
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	get, err := cli.Get(ctx1, key)
	cancel()
	if err != nil {
		return 0, err
	}
	count := 0
	if len(get.Kvs) > 0 {
		if count, err = strconv.Atoi(string(get.Kvs[0].Value)); err != nil {
			return 0, err
		}
	}
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	_, err = cli.Put(ctx1, key, strconv.Itoa(count+1))
	cancel()
	if err != nil {
		return 0, err
	}
	return count + 1, nil
}
