package lessons

// The discovery lesson's helpers: an instance registers, a list follows the
// events, an instance is a gRPC server.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"

	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

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

// update applies a watch's events to the client's view, key -> address.
func update(live map[string]string, evs []*clientv3.Event) {
	for _, ev := range evs {
		if ev.Type == clientv3.EventTypeDelete {
			delete(live, string(ev.Kv.Key))
		} else {
			live[string(ev.Kv.Key)] = string(ev.Kv.Value)
		}
	}
}

// server is an instance: a gRPC server with the standard health service
// on a loopback port, counting the calls it serves.
type server struct {
	*grpc.Server
	addr   string
	served atomic.Int64
}

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

// revoke deregisters an instance: its lease goes, and every key attached
// to it. A lease that already expired answers ErrLeaseNotFound: fine.
func revoke(ctx context.Context, t *runner.T, id clientv3.LeaseID) {
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	t.Client.Revoke(ctx1, id)
	cancel()
}
