// Package discovery: the key is put under a lease, but nothing renews it:
// a TTL later the instance is gone from etcd, though it runs.
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

// Register registers this instance under a lease, and waits until ctx
// ends.
func Register(ctx context.Context, cli *clientv3.Client, service, addr string, ttl int64) error {
	em, err := endpoints.NewManager(cli, service)
	if err != nil {
		return err
	}
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	lease, err := cli.Grant(ctx1, ttl)
	cancel()
	if err != nil {
		return err
	}
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	err = em.AddEndpoint(ctx1, service+"/"+addr, endpoints.Endpoint{Addr: addr}, clientv3.WithLease(lease.ID))
	cancel()
	if err != nil {
		return err
	}
	<-ctx.Done()
	return nil
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
