// Package keepalive: reads its channel, and returns when it closes: a
// lost lease is never replaced, and the key stays gone.
package keepalive

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Keep registers once and renews until the channel closes.
func Keep(ctx context.Context, cli *clientv3.Client, key, value string, ttl int64) error {
	ch, err := register(ctx, cli, key, value, ttl)
	if err != nil {
		return err
	}
	for range ch {
	}
	return nil
}

// register puts key under a new lease and keeps it alive until ctx ends.
func register(ctx context.Context, cli *clientv3.Client, key, value string, ttl int64) (<-chan *clientv3.LeaseKeepAliveResponse, error) {
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	lease, err := cli.Grant(ctx1, ttl)
	cancel()
	if err != nil {
		return nil, err
	}
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	_, err = cli.Put(ctx1, key, value, clientv3.WithLease(lease.ID))
	cancel()
	if err != nil {
		return nil, err
	}
	return cli.KeepAlive(ctx, lease.ID)
}
