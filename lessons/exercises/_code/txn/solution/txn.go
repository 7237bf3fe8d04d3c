// Package txn is etcdtour's txn exercise: add one to a counter that many
// clients share, with compare-and-swap and no lock, and lose no update.
package txn

import (
	"context"
	"strconv"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Increment adds one to the count under key with compare-and-swap and
// returns the new count.
func Increment(ctx context.Context, cli *clientv3.Client, key string) (int, error) {
	for {
		ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
		get, err := cli.Get(ctx1, key)
		cancel()
		if err != nil {
			return 0, err
		}
		count, rev := 0, int64(0) // mod_revision 0: no such key yet
		if len(get.Kvs) > 0 {
			if count, err = strconv.Atoi(string(get.Kvs[0].Value)); err != nil {
				return 0, err
			}
			rev = get.Kvs[0].ModRevision
		}
		// Write only if nobody wrote the key since the Get.
		unchanged := clientv3.Compare(clientv3.ModRevision(key), "=", rev)
		ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
		resp, err := cli.Txn(ctx1).If(unchanged).Then(clientv3.OpPut(key, strconv.Itoa(count+1))).Commit()
		cancel()
		if err != nil {
			return 0, err
		}
		if resp.Succeeded {
			return count + 1, nil
		}
		// Someone wrote first: read again and retry.
	}
}
