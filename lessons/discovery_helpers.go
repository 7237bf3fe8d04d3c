package lessons

// The discovery lesson's helpers: an instance registers, and deregisters.

import (
	"context"
	"errors"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// register announces an instance through its client cli: key = addr,
// attached to a new lease of ttl seconds that cli renews until ctx ends or
// cli is closed.
func register(ctx context.Context, t *runner.T, cli *clientv3.Client,
	key, addr string, ttl int64) (*clientv3.LeaseGrantResponse, error) {
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	grant, err := cli.Grant(ctx1, ttl)
	cancel()
	if err != nil {
		return nil, err
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	_, err = cli.Put(ctx1, key, addr, clientv3.WithLease(grant.ID))
	cancel()
	if err != nil {
		return nil, err
	}
	t.Etcdctl("lease", "keep-alive", fmt.Sprintf("%x", grant.ID))
	ka, err := cli.KeepAlive(ctx, grant.ID)
	if err != nil {
		return nil, err
	}
	// The first renewal: at once, as the client's first keep-alive.
	if _, ok := <-ka; !ok {
		return nil, errors.New("keep-alive channel closed: lease lost")
	}
	go func() {
		// read the renewals: a full channel drops them, warning
		for range ka {
		}
	}()
	t.Result("%s = %s, lease %x with TTL %ds", key, addr, grant.ID, grant.TTL)
	return grant, nil
}

// revoke deregisters an instance: its lease goes, and every key attached
// to it. A lease that already expired answers ErrLeaseNotFound: fine.
func revoke(ctx context.Context, t *runner.T, id clientv3.LeaseID) {
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	t.Client.Revoke(ctx1, id)
	cancel()
}
