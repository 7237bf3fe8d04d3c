// Package txn: a Txn with a compare, but resp.Succeeded is never looked
// at: when the compare fails, nothing was written, and Increment returns
// as if it had.
package txn

import (
	"context"
	"strconv"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Increment swaps once and does not look whether it did.
func Increment(ctx context.Context, cli *clientv3.Client, key string) (int, error) {
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	get, err := cli.Get(ctx1, key)
	cancel()
	if err != nil {
		return 0, err
	}
	count, rev := 0, int64(0)
	if len(get.Kvs) > 0 {
		if count, err = strconv.Atoi(string(get.Kvs[0].Value)); err != nil {
			return 0, err
		}
		rev = get.Kvs[0].ModRevision
	}
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	_, err = cli.Txn(ctx1).If(clientv3.Compare(clientv3.ModRevision(key), "=", rev)).
		Then(clientv3.OpPut(key, strconv.Itoa(count+1))).Commit()
	cancel()
	if err != nil {
		return 0, err
	}
	return count + 1, nil
}
