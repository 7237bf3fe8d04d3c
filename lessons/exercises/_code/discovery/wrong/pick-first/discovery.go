// Package discovery: Dial sets no balancer: gRPC's default, pick_first,
// sends every call to one instance while the others idle.
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
		// Put, not put-if-absent: a key left by this instance's previous
		// process is under a dead lease, and goes with it.
		ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
		err = em.AddEndpoint(ctx1, service+"/"+addr, endpoints.Endpoint{Addr: addr}, clientv3.WithLease(lease.ID))
		cancel()
		if err != nil {
			return err
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

// Dial resolves service through etcd.
func Dial(cli *clientv3.Client, service string) (*grpc.ClientConn, error) {
	builder, err := resolver.NewBuilder(cli)
	if err != nil {
		return nil, err
	}
	return grpc.NewClient("etcd:///"+service,
		grpc.WithResolvers(builder),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
}
