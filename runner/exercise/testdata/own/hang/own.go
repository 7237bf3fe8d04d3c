// Package own hangs: a fixture for the checker's own cluster.
package own

import (
	"context"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Put never returns, and never lets its ctx end it.
func Put(ctx context.Context, cli *clientv3.Client, key, value string) (int64, error) {
	select {}
}

// PutOnce never returns either.
func PutOnce(ctx context.Context, cli *clientv3.Client, key, value string) (int64, error) {
	select {}
}
