// Package putget is etcdtour's put-get exercise: read a key, write it
// back changed, and know which revision your write got.
package putget

import (
	"context"
	"strconv"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

var (
	mu     sync.Mutex
	counts = map[string]int{}
)

// Visit counts one visit under key, in memory, and writes the count to
// etcd: it never reads what is there.
func Visit(ctx context.Context, cli *clientv3.Client, key string) (count int, rev int64, err error) {
	mu.Lock()
	counts[key]++
	count = counts[key]
	mu.Unlock()
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	put, err := cli.Put(ctx1, key, strconv.Itoa(count))
	cancel()
	if err != nil {
		return 0, 0, err
	}
	return count, put.Header.Revision, nil
}
