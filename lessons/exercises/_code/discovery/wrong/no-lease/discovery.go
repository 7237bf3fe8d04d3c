// Package discovery: the key is put with no lease: nothing takes it away
// when the instance dies, and clients go on calling a dead instance.
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

// Register registers this instance, and waits until ctx ends.
func Register(ctx context.Context, cli *clientv3.Client, service, addr string, ttl int64) error {
	em, err := endpoints.NewManager(cli, service)
	if err != nil {
		return err
	}
	key := service + "/" + addr
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	err = em.AddEndpoint(ctx1, key, endpoints.Endpoint{Addr: addr})
	cancel()
	if err != nil {
		return err
	}
	<-ctx.Done()
	// A stop: deregister.
	ctx1, cancel = context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return em.DeleteEndpoint(ctx1, key)
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
