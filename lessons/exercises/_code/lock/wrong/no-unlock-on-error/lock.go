// Package lock: the lock is let go on the way out of the happy path only:
// an error after Lock returns with the lock still held, and every other
// caller waits for it until the session's lease ends.
package lock

import (
	"context"
	"strconv"
	"time"

	"go.etcd.io/etcd/client/v3/concurrency"
)

// Increment unlocks only when all went well.
func Increment(ctx context.Context, s *concurrency.Session, lock, key string) (int, error) {
	m := concurrency.NewMutex(s, lock)
	// Lock waits in the queue until every earlier holder has let go.
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
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	err = m.Unlock(ctx1)
	cancel()
	return count + 1, err
}
