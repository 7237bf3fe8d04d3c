// Package lease is etcdtour's lease exercise: register a key that stays
// while your program runs and goes by itself when it stops.
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
	// Renew for as long as the program runs: not with ctx, which ends when
	// Register returns, nor with a request's deadline. When the program
	// stops, the renewals stop, and the lease expires within its TTL.
	ch, err := cli.KeepAlive(context.Background(), lease.ID)
	if err != nil {
		return 0, err
	}
	go func() {
		for range ch { // read every response: a channel nobody reads fills up
		}
	}()
	return lease.ID, nil
}
