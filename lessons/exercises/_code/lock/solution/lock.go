// Package lock is etcdtour's lock exercise: add one to a counter that
// many sessions share, holding a distributed lock while you read and
// write it.
package lock

import (
	"context"
	"strconv"
	"time"

	"go.etcd.io/etcd/client/v3/concurrency"
)

// Increment adds one to the count under key, holding the lock named lock.
func Increment(ctx context.Context, s *concurrency.Session, lock, key string) (int, error) {
	m := concurrency.NewMutex(s, lock)
	// Lock waits in the queue until every earlier holder has let go.
	ctx1, cancel := context.WithTimeout(ctx, 10*time.Second)
	err := m.Lock(ctx1)
	cancel()
	if err != nil {
		return 0, err
	}
	// Every return from here on lets the lock go, the error's too.
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
	if len(get.Kvs) > 0 { // a missing key counts as 0
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
