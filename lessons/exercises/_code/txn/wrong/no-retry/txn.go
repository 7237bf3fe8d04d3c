// Package txn: compare-and-swap, but a failed compare is returned as an
// error instead of read again and retried.
package txn

import (
	"context"
	"errors"
	"strconv"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Increment tries the swap once.
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
	resp, err := cli.Txn(ctx1).If(clientv3.Compare(clientv3.ModRevision(key), "=", rev)).
		Then(clientv3.OpPut(key, strconv.Itoa(count+1))).Commit()
	cancel()
	if err != nil {
		return 0, err
	}
	if !resp.Succeeded {
		return 0, errors.New("the key changed since it was read")
	}
	return count + 1, nil
}
