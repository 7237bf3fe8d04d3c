// Package lock: the count returned is read again after the lock is let
// go: another caller's increment may land in between, and two calls
// return the same count.
package lock

import (
	"context"
	"strconv"
	"time"

	"go.etcd.io/etcd/client/v3/concurrency"
)

// Increment returns the count it reads after it unlocked.
func Increment(ctx context.Context, s *concurrency.Session, lock, key string) (int, error) {
	cli := s.Client()
	m := concurrency.NewMutex(s, lock)
	ctx1, cancel := context.WithTimeout(ctx, 10*time.Second)
	err := m.Lock(ctx1)
	cancel()
	if err != nil {
		return 0, err
	}
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	get, err := cli.Get(ctx1, key)
	cancel()
	count := 0
	if err == nil && len(get.Kvs) > 0 {
		count, err = strconv.Atoi(string(get.Kvs[0].Value))
	}
	if err == nil {
		ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
		_, err = cli.Put(ctx1, key, strconv.Itoa(count+1))
		cancel()
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	m.Unlock(ctx2)
	cancel2()
	if err != nil {
		return 0, err
	}
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	get, err = cli.Get(ctx1, key) // the count, to return it
	cancel()
	if err != nil || len(get.Kvs) == 0 {
		return 0, err
	}
	return strconv.Atoi(string(get.Kvs[0].Value))
}
