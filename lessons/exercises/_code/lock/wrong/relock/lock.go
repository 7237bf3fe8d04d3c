// Package lock: the count is read under one hold of the lock and written
// under another: the lock is let go in between, and another caller may
// count meanwhile; its update is lost.
package lock

import (
	"context"
	"strconv"
	"time"

	"go.etcd.io/etcd/client/v3/concurrency"
)

// Increment takes the lock twice: once to read, once to write.
func Increment(ctx context.Context, s *concurrency.Session, lock, key string) (int, error) {
	cli := s.Client()
	m := concurrency.NewMutex(s, lock)
	locked := func(f func() error) error {
		ctx1, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := m.Lock(ctx1)
		cancel()
		if err != nil {
			return err
		}
		defer func() {
			ctx1, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			m.Unlock(ctx1)
			cancel()
		}()
		return f()
	}
	count := 0
	err := locked(func() error {
		ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
		get, err := cli.Get(ctx1, key)
		cancel()
		if err != nil {
			return err
		}
		if len(get.Kvs) > 0 {
			count, err = strconv.Atoi(string(get.Kvs[0].Value))
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	err = locked(func() error {
		ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := cli.Put(ctx1, key, strconv.Itoa(count+1))
		cancel()
		return err
	})
	if err != nil {
		return 0, err
	}
	return count + 1, nil
}
