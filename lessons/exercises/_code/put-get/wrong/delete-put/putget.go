// Package putget is etcdtour's put-get exercise: read a key, write it
// back changed, and know which revision your write got.
package putget

import (
	"context"
	"strconv"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Visit counts one visit under key and returns the new count and the
// revision of its write.
func Visit(ctx context.Context, cli *clientv3.Client, key string) (count int, rev int64, err error) {
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	get, err := cli.Get(ctx1, key)
	cancel()
	if err != nil {
		return 0, 0, err
	}
	if len(get.Kvs) > 0 { // a missing key counts as 0
		count, err = strconv.Atoi(string(get.Kvs[0].Value))
		if err != nil {
			return 0, 0, err
		}
	}
	count++
	// Start from a clean key: delete it, then write the new count.
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	_, err = cli.Delete(ctx1, key)
	cancel()
	if err != nil {
		return 0, 0, err
	}
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	put, err := cli.Put(ctx1, key, strconv.Itoa(count))
	cancel()
	if err != nil {
		return 0, 0, err
	}
	// The revision etcd gave the write: not the Get's, nor the Get's + 1,
	// which another client's write may have taken.
	return count, put.Header.Revision, nil
}
