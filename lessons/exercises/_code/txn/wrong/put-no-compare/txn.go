// Package txn: Get then Put, no compare. Another client's write between
// the two is overwritten: an update lost.
package txn

import (
	"context"
	"strconv"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Increment reads the count and writes count+1 with a plain Put.
func Increment(ctx context.Context, cli *clientv3.Client, key string) (int, error) {
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
