// Package lock: Get then Put, and no lock at all.
package lock

import (
	"context"
	"strconv"
	"time"

	"go.etcd.io/etcd/client/v3/concurrency"
)

// Increment reads and writes with no lock.
func Increment(ctx context.Context, s *concurrency.Session, lock, key string) (int, error) {
	cli := s.Client()
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
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
