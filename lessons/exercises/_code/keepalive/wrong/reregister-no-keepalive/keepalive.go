// Package keepalive: registers again when the lease is lost, but keeps
// only the first lease alive: the new one expires after its TTL.
package keepalive

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Keep registers, and once more when the first lease is lost.
func Keep(ctx context.Context, cli *clientv3.Client, key, value string, ttl int64) error {
	ch, err := register(ctx, cli, key, value, ttl)
	if err != nil {
		return err
	}
	for range ch {
	}
	if ctx.Err() != nil {
		return nil
	}
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	lease, err := cli.Grant(ctx1, ttl)
	cancel()
	if err != nil {
		return err
	}
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	_, err = cli.Put(ctx1, key, value, clientv3.WithLease(lease.ID))
	cancel()
	if err != nil {
		return err
	}
	<-ctx.Done()
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
