package lessons

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/naming/endpoints"
	"go.etcd.io/etcd/client/v3/naming/resolver"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"etcdtour/runner"
)

// Resolver registers gRPC servers with etcd's endpoints manager, and a
// gRPC client finds them with etcd's resolver.
var Resolver = runner.Lesson{
	ID:    "resolver",
	Title: "gRPC finds its servers in etcd",
	Doc: "etcd's endpoints manager registers two gRPC servers under leases; " +
		"a gRPC client resolves them with etcd's resolver, balances its " +
		"calls over both, and stops calling the one whose lease is revoked.",
	Run: resolve,
}

func resolve(ctx context.Context, t *runner.T) error {
	cli := t.Client

	t.Step("Two instances register with etcd's endpoints manager")
	t.Say(`naming/endpoints writes target/<id> with a JSON value that
its gRPC resolver reads, under the instance's lease (which a real
instance keeps alive, as in the discovery lesson).`)
	em, err := endpoints.NewManager(cli, "services/health")
	if err != nil {
		return err
	}
	var srvs []*server
	var leases []clientv3.LeaseID
	for i := 1; i <= 2; i++ {
		srv, err := startServer()
		if err != nil {
			return err
		}
		defer srv.Stop()
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		grant, err := cli.Grant(ctx1, 60)
		cancel()
		if err != nil {
			return err
		}
		defer revoke(ctx, t, grant.ID)
		key := fmt.Sprintf("services/health/%d", i)
		ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
		err = em.AddEndpoint(ctx1, key, endpoints.Endpoint{Addr: srv.addr},
			clientv3.WithLease(grant.ID))
		cancel()
		if err != nil {
			return err
		}
		t.Result("%s = %s, lease %x", key, srv.addr, grant.ID)
		srvs, leases = append(srvs, srv), append(leases, grant.ID)
	}
	srv1, srv2, lease2 := srvs[0], srvs[1], leases[1]

	t.Step("A gRPC client resolves etcd:///services/health, round robin")
	builder, err := resolver.NewBuilder(cli)
	if err != nil {
		return err
	}
	conn, err := grpc.NewClient("etcd:///services/health",
		grpc.WithResolvers(builder),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultServiceConfig(
			`{"loadBalancingConfig":[{"round_robin":{}}]}`))
	if err != nil {
		return err
	}
	defer conn.Close()
	t.Say(`The resolver does what the discovery lesson's client did:
Get the prefix, then watch it from the Get's revision + 1.
The balancer connects to each address.`)
	// Nothing says when both are connected: call in rounds of two until
	// one reaches both (once cctx times out, a call fails, and so do we).
	cctx, cancel := context.WithTimeout(ctx, t.Timeout())
	defer cancel()
	for got1, got2 := 0, 0; got1 == 0 || got2 == 0; {
		if got1, got2, err = calls(cctx, conn, 2, srv1, srv2); err != nil {
			return err
		}
	}
	got1, got2, err := calls(cctx, conn, 10, srv1, srv2)
	if err != nil {
		return err
	}
	t.Result("10 calls: %d to instance 1, %d to instance 2", got1, got2)
	t.Check(got1 == 5 && got2 == 5, "round robin: 5 calls to each instance")

	t.Step("Instance 2 leaves: revoke its lease, and its calls stop")
	t.Say(`To stop cleanly, deregister first: revoke the lease, and
its keys go at once, with no TTL to wait; then drain and stop the
server. Here its server stays up: only what etcd lists changes.`)
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	_, err = cli.Revoke(ctx1, lease2)
	cancel()
	if err != nil {
		return err
	}
	// The resolver applies the DELETE on its own goroutine, and nothing
	// says when: call in rounds of four until one misses instance 2.
	cctx, cancel = context.WithTimeout(ctx, t.Timeout())
	defer cancel()
	for missed := false; !missed; {
		_, got2, err := calls(cctx, conn, 4, srv1, srv2)
		if err != nil {
			return err
		}
		missed = got2 == 0
	}
	got1, got2, err = calls(cctx, conn, 10, srv1, srv2)
	if err != nil {
		return err
	}
	t.Result("10 calls: %d to instance 1, %d to instance 2", got1, got2)
	t.Check(got1 == 10 && got2 == 0,
		"every call goes to instance 1, none to instance 2")
	return nil
}

// server is an instance: a gRPC server with the standard health service
// on a loopback port, counting the calls it serves.
type server struct {
	*grpc.Server
	addr   string
	served atomic.Int64
}

// startServer starts an instance, on a loopback port of its own.
func startServer() (*server, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &server{addr: lis.Addr().String()}
	s.Server = grpc.NewServer(grpc.UnaryInterceptor(
		func(ctx context.Context, req any, _ *grpc.UnaryServerInfo,
			handle grpc.UnaryHandler) (any, error) {
			s.served.Add(1)
			return handle(ctx, req)
		}))
	healthpb.RegisterHealthServer(s.Server, health.NewServer())
	go s.Serve(lis)
	return s, nil
}

// calls sends n health checks through conn, one after the other, and
// returns how many of them each server served.
func calls(ctx context.Context, conn *grpc.ClientConn, n int, srv1,
	srv2 *server) (int, int, error) {
	srv1.served.Store(0)
	srv2.served.Store(0)
	client := healthpb.NewHealthClient(conn)
	for range n {
		if _, err := client.Check(ctx,
			&healthpb.HealthCheckRequest{}); err != nil {
			return 0, 0, err
		}
	}
	return int(srv1.served.Load()), int(srv2.served.Load()), nil
}
