// Package keepalive is etcdtour's keepalive exercise: keep a registration
// alive for as long as you run, and register again when its lease is lost.
package keepalive

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Keep keeps key registered under a lease of ttl seconds until ctx ends.
func Keep(ctx context.Context, cli *clientv3.Client, key, value string, ttl int64) error {
	for ctx.Err() == nil {
		ch, err := register(ctx, cli, key, value, ttl)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		// Read every response; the channel closes when the lease is lost
		// or ctx ends. Lost: the loop registers again under a new lease.
		for range ch {
		}
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
