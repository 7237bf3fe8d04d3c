// Package keepalive: renews and registers again, but with
// context.Background(): the channel never closes when ctx ends, and Keep
// never returns.
package keepalive

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Keep keeps the key registered, whatever ctx says.
func Keep(ctx context.Context, cli *clientv3.Client, key, value string, ttl int64) error {
	for {
		ch, err := register(context.Background(), cli, key, value, ttl)
		if err != nil {
			return err
		}
		for range ch {
		}
	}
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
