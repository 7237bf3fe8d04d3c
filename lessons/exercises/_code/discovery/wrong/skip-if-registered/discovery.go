// Package discovery: Register writes the key only if it is not there: an
// instance restarted before its old key expired finds the key its dead
// process left, keeps its own new lease alive for nothing, and is gone
// from etcd when the old lease expires.
package discovery

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/naming/endpoints"
	"go.etcd.io/etcd/client/v3/naming/resolver"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Register keeps this instance registered until ctx ends.
func Register(ctx context.Context, cli *clientv3.Client, service, addr string, ttl int64) error {
	em, err := endpoints.NewManager(cli, service)
	if err != nil {
		return err
	}
	for {
		ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
		lease, err := cli.Grant(ctx1, ttl)
		cancel()
		if err != nil {
			return err
		}
		key := service + "/" + addr
		ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
		get, err := cli.Get(ctx1, key)
		cancel()
		if err != nil {
			return err
		}
		if len(get.Kvs) == 0 { // already registered otherwise
			ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
			err = em.AddEndpoint(ctx1, key, endpoints.Endpoint{Addr: addr}, clientv3.WithLease(lease.ID))
			cancel()
			if err != nil {
				return err
			}
		}
		ch, err := cli.KeepAlive(ctx, lease.ID)
		if err != nil {
			return err
		}
		for range ch { // every renewal read; closed when ctx ends or the lease is lost
		}
		if ctx.Err() != nil {
			// A stop, not a crash: deregister at once.
			ctx1, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			cli.Revoke(ctx1, lease.ID)
			cancel()
			return nil
		}
		// The lease is lost while we run: register again.
	}
}

// Dial resolves service through etcd, round robin.
func Dial(cli *clientv3.Client, service string) (*grpc.ClientConn, error) {
	builder, err := resolver.NewBuilder(cli)
	if err != nil {
		return nil, err
	}
	return grpc.NewClient("etcd:///"+service,
		grpc.WithResolvers(builder),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultServiceConfig(`{"loadBalancingConfig":[{"round_robin":{}}]}`))
}
