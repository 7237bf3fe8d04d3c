package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	learner "exercises/discovery"
)

// calls are the learner's functions the checker calls: Register runs one
// instance's registration (a client of its own), Kill crashes it, Send
// makes calls through the learner's Dial and says which instance served
// each.
func calls() map[string]call {
	// An instance is one of the service's: a gRPC server with the standard
	// health service on a loopback port, counting the calls it serves, and
	// the etcd client of its process, which Kill closes (its renewals stop)
	// while its server goes on answering, as a hung process's socket may.
	type instance struct {
		srv    *grpc.Server
		addr   string
		served atomic.Int64
		cli    *clientv3.Client
		stop   context.CancelFunc
	}

	var mu sync.Mutex
	insts := map[int]*instance{}
	var conn *grpc.ClientConn
	type args struct {
		Instance int
		Service  string
		TTL      int64
		N        int
	}
	return map[string]call{
		// Register starts instance Instance (its server once, at the same
		// address at each restart) with a new client, reports its
		// address, and runs the learner's Register until Kill.
		"Register": func(ctx context.Context, _ *clientv3.Client, raw json.RawMessage, emit func(any)) (any, error) {
			var a args
			if err := json.Unmarshal(raw, &a); err != nil {
				return nil, err
			}
			mu.Lock()
			in := insts[a.Instance]
			if in == nil {
				lis, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					mu.Unlock()
					return nil, err
				}
				in = &instance{addr: lis.Addr().String()}
				in.srv = grpc.NewServer(grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handle grpc.UnaryHandler) (any, error) {
					in.served.Add(1)
					return handle(ctx, req)
				}))
				healthpb.RegisterHealthServer(in.srv, health.NewServer())
				go in.srv.Serve(lis)
				insts[a.Instance] = in
			}
			cli, err := newClient()
			if err != nil {
				mu.Unlock()
				return nil, err
			}
			ctx, stop := context.WithCancel(ctx)
			defer stop()
			in.cli, in.stop = cli, stop
			mu.Unlock()
			emit(in.addr)
			return nil, learner.Register(ctx, cli, a.Service, in.addr, a.TTL)
		},
		// Kill closes the instance's client, as its process's death
		// would, and then ends its Register.
		"Kill": func(ctx context.Context, _ *clientv3.Client, raw json.RawMessage, emit func(any)) (any, error) {
			var a args
			if err := json.Unmarshal(raw, &a); err != nil {
				return nil, err
			}
			mu.Lock()
			in := insts[a.Instance]
			mu.Unlock()
			if in == nil || in.cli == nil {
				return nil, errors.New("no such instance")
			}
			in.cli.Close()
			in.stop()
			return nil, nil
		},
		// Send makes N health checks through the learner's Dial (made at
		// the first Send), one after the other, each with a deadline of
		// its own, and returns how many each instance served and how
		// many failed, with the last failure.
		"Send": func(ctx context.Context, cli *clientv3.Client, raw json.RawMessage, emit func(any)) (any, error) {
			var a args
			if err := json.Unmarshal(raw, &a); err != nil {
				return nil, err
			}
			mu.Lock()
			if conn == nil {
				c, err := learner.Dial(cli, a.Service)
				if err != nil {
					mu.Unlock()
					return nil, err
				}
				if c == nil {
					mu.Unlock()
					return nil, errors.New("Dial returned a nil *grpc.ClientConn and no error")
				}
				conn = c
			}
			c := conn
			for _, in := range insts {
				in.served.Store(0)
			}
			mu.Unlock()
			var res struct {
				Served map[int]int
				Failed int
				Err    string
			}
			client := healthpb.NewHealthClient(c)
			for range a.N {
				ctx1, cancel := context.WithTimeout(ctx, time.Second)
				_, err := client.Check(ctx1, &healthpb.HealthCheckRequest{})
				cancel()
				if err != nil {
					res.Failed++
					res.Err = err.Error()
				}
			}
			mu.Lock()
			res.Served = map[int]int{}
			for i, in := range insts {
				res.Served[i] = int(in.served.Load())
			}
			mu.Unlock()
			return res, nil
		},
	}
}
