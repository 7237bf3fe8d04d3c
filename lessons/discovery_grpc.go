package lessons

import (
	"context"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/naming/endpoints"
	"go.etcd.io/etcd/client/v3/naming/resolver"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"etcdtour/runner"
)

// discoveryGRPC is the discovery lesson's second half: etcd's endpoints
// manager registers the instances, and its resolver finds them for gRPC.
func discoveryGRPC(ctx context.Context, t *runner.T, srv1, srv2 *server, lease1,
	lease2 clientv3.LeaseID) error {
	cli := t.Client

	t.Step("The same with etcd's endpoints manager")
	t.Say(`naming/endpoints writes the same keys, target/<id>, with a
JSON value that its gRPC resolver reads. Each instance rewrites its key
that way, under the lease it keeps alive.`)
	em, err := endpoints.NewManager(cli, "services/health")
	if err != nil {
		return err
	}
	for _, inst := range []struct {
		key, addr string
		lease     clientv3.LeaseID
	}{{"services/health/1", srv1.addr, lease1},
		{"services/health/2", srv2.addr, lease2}} {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		err := em.AddEndpoint(ctx1, inst.key,
			endpoints.Endpoint{Addr: inst.addr},
			clientv3.WithLease(inst.lease))
		cancel()
		if err != nil {
			return err
		}
	}

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
	t.Say(`The resolver does what our client did: Get the prefix, then
watch it from the Get's revision + 1. The balancer connects to each
address.`)
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
