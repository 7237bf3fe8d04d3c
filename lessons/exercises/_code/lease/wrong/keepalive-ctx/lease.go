// Package lease: KeepAlive with Register's ctx, which ends when Register
// returns: the renewals stop then, and the key goes after its TTL.
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
		for range ch { // read every response: a channel nobody reads fills up
		}
	}()
	return lease.ID, nil
}
