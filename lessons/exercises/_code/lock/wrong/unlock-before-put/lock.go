// Package lock: the lock is let go as soon as the count is read, before
// the new count is written: another caller may read the same count in
// between, and one update is lost.
package lock

import (
	"context"
	"strconv"
	"time"

	"go.etcd.io/etcd/client/v3/concurrency"
)

// Increment holds the lock while it reads only.
func Increment(ctx context.Context, s *concurrency.Session, lock, key string) (int, error) {
	m := concurrency.NewMutex(s, lock)
	ctx1, cancel := context.WithTimeout(ctx, 10*time.Second)
	err := m.Lock(ctx1)
	cancel()
	if err != nil {
		return 0, err
	}
	cli := s.Client()
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	get, err := cli.Get(ctx1, key)
	cancel()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	m.Unlock(ctx2) // done with the lock: we have read the count
	cancel2()
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
