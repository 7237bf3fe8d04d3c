// Package lease: KeepAlive with Register's ctx, and a goroutine that
// reads its channel with <-ch and no ok: when Register returns the
// channel closes, <-ch gives nil, and resp.TTL panics in the goroutine,
// which ends the whole program.
package lease

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Register puts key under a lease of ttl seconds kept alive as long as
// the program runs.
func Register(ctx context.Context, cli *clientv3.Client, key, value string, ttl int64) (clientv3.LeaseID, error) {
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	lease, err := cli.Grant(ctx1, ttl)
	cancel()
	if err != nil {
		return 0, err
	}
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	_, err = cli.Put(ctx1, key, value, clientv3.WithLease(lease.ID))
	cancel()
	if err != nil {
		return 0, err
	}
	ch, err := cli.KeepAlive(ctx, lease.ID)
	if err != nil {
		return 0, err
	}
	go func() {
		for {
			resp := <-ch
			if resp.TTL <= 0 {
				return
			}
		}
	}()
	return lease.ID, nil
}
