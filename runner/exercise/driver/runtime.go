//go:build ignore

// The runtime of an exercise's driver: the program that runs the learner's
// code in a process of its own, written into the workspace beside the
// exercise's calls.go (which maps each function the checker may call to the
// learner's). The checker talks to it over two pipes, JSON lines: commands
// come in on fd 3, events go out on fd 4, so that the learner's prints on
// stdout and stderr cannot garble them. This file is not built into
// etcdtour (the build tag above is taken off when it is written out).

package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/namespace"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// call runs one function of the learner's with the checker's arguments;
// emit hands what the learner's code reports through a callback to the
// checker as it happens.
type call func(ctx context.Context, cli *clientv3.Client, args json.RawMessage, emit func(any)) (any, error)

// config is the first line on fd 3: how to reach etcd, and the namespace
// every key of the learner's lives in.
type config struct {
	Endpoints   []string      `json:"endpoints"`
	Prefix      string        `json:"prefix"`
	DialTimeout time.Duration `json:"dialTimeout"`
	User        string        `json:"user,omitempty"`
	Password    string        `json:"password,omitempty"`
	CACert      string        `json:"cacert,omitempty"`
	Cert        string        `json:"cert,omitempty"`
	Key         string        `json:"key,omitempty"`
	Insecure    bool          `json:"insecure,omitempty"`
}

// command is a line from the checker.
type command struct {
	Op     string          `json:"op"` // call, cancel, pause, put-before, resume
	ID     int             `json:"id,omitempty"`
	Fn     string          `json:"fn,omitempty"`
	Args   json.RawMessage `json:"args,omitempty"`
	Method string          `json:"method,omitempty"` // for pause: a gRPC method's last element, such as Range
	Before bool            `json:"before,omitempty"` // for pause: before the request is sent, not after its response
	Drop   bool            `json:"drop,omitempty"`   // for resume: the paused call fails as if its connection broke
	Key    string          `json:"key,omitempty"`    // for put-before: the key, in the namespace
	Value  string          `json:"value,omitempty"`  // for put-before: its value
}

// event is a line to the checker.
type event struct {
	Ev     string `json:"ev"` // ready, return, emit, paused, lease, keepalive-call, keepalive, fatal
	ID     int    `json:"id,omitempty"`
	Result any    `json:"result,omitempty"`
	Err    string `json:"err,omitempty"`
	Panic  string `json:"panic,omitempty"`
	Stack  string `json:"stack,omitempty"`
	Method string `json:"method,omitempty"`
	Rev    int64  `json:"rev,omitempty"`
	Lease  int64  `json:"lease,omitempty"`
	Unread int    `json:"unread,omitempty"`
}

type driver struct {
	mu      sync.Mutex
	out     *json.Encoder
	pauseOn string    // the method whose next response pauses, "" none
	pauseIn string    // the method whose next request pauses before it is sent, "" none
	waiting chan bool // the pause going on: the checker's resume sends whether to drop
	putIn   *command  // a put-before waiting for its request, nil none
	prefix  string    // the namespace, for put-before's key
	cancels map[int]context.CancelFunc
	// closing is set once the checker is done with this process: no new
	// request is sent, and the ones in flight (inflight) are waited for,
	// so that a lease granted meanwhile is reported for the checker to
	// revoke.
	closing  bool
	inflight sync.WaitGroup
}

func (d *driver) send(e event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.out.Encode(e)
}

// matches reports whether the method name is one of methods, one name or
// several such as "Range|Txn" ("" matches none).
func matches(methods, name string) bool {
	for _, m := range strings.Split(methods, "|") {
		if m != "" && m == name {
			return true
		}
	}
	return false
}

// intercept reports each lease granted (the checker revokes them after the
// check) and, when the checker asked, pauses before a request is sent or
// after its response: it reports the pause (after a response, with the
// response's revision) and waits for the checker's go, which lets the
// checker write in the gap between two calls of the learner's; or
// for the checker's drop, which fails the call as a broken connection does.
func (d *driver) intercept(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	name := method[strings.LastIndex(method, "/")+1:]
	d.mu.Lock()
	if d.closing {
		d.mu.Unlock()
		return status.Error(codes.Canceled, "the checker stopped this program")
	}
	d.inflight.Add(1)
	defer d.inflight.Done()
	before := matches(d.pauseIn, name)
	var resume chan bool
	if before {
		d.pauseIn = ""
		resume = make(chan bool, 1)
		d.waiting = resume
	}
	d.mu.Unlock()
	if before {
		d.send(event{Ev: "paused", Method: name})
		select {
		case drop := <-resume:
			if drop {
				return errLost
			}
		case <-ctx.Done():
		}
	}
	d.mu.Lock()
	put := d.putIn
	if put != nil && matches(put.Method, name) {
		d.putIn = nil
	} else {
		put = nil
	}
	d.mu.Unlock()
	var err error
	if rr, ok := req.(*pb.RangeRequest); ok && put != nil {
		err = d.putThenRange(ctx, put, rr, reply.(*pb.RangeResponse), cc, invoker, opts...)
	} else {
		err = invoker(ctx, method, req, reply, cc, opts...)
	}
	if err != nil {
		return err
	}
	if r, ok := reply.(*pb.LeaseGrantResponse); ok {
		d.send(event{Ev: "lease", Lease: r.ID})
	}
	d.mu.Lock()
	pause := matches(d.pauseOn, name)
	if pause {
		d.pauseOn = ""
		resume = make(chan bool, 1)
		d.waiting = resume
	}
	d.mu.Unlock()
	if !pause {
		return nil
	}
	var rev int64
	if h, ok := reply.(interface{ GetHeader() *pb.ResponseHeader }); ok {
		rev = h.GetHeader().GetRevision()
	}
	d.send(event{Ev: "paused", Method: name, Rev: rev})
	select {
	case drop := <-resume:
		if drop {
			// Sent and applied, but the answer never comes: what a
			// client sees when its member dies before it answers.
			return errLost
		}
	case <-ctx.Done():
		// The answer was held past the call's deadline (a check that
		// never resumes: an answer that never comes): the call fails as
		// grpc fails it, though the request was applied.
		return status.FromContextError(ctx.Err()).Err()
	}
	return nil
}

// errLost is a call whose connection broke before its answer came (the
// checker's Drop), as grpc says it; clientv3 does not retry a write that
// fails so, as it may have been applied.
var errLost = status.Error(codes.Unavailable, "error reading from server: EOF")

// putThenRange sends the learner's Range in one Txn after a Put of the
// checker's: the Range's answer is at the Put's revision, whatever other
// clients write, and holds the key put, as a Get right after the write
// would.
func (d *driver) putThenRange(ctx context.Context, put *command, rr *pb.RangeRequest, out *pb.RangeResponse, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	treq := &pb.TxnRequest{Success: []*pb.RequestOp{
		{Request: &pb.RequestOp_RequestPut{RequestPut: &pb.PutRequest{Key: []byte(d.prefix + put.Key), Value: []byte(put.Value)}}},
		{Request: &pb.RequestOp_RequestRange{RequestRange: rr}},
	}}
	tresp := &pb.TxnResponse{}
	if err := invoker(ctx, "/etcdserverpb.KV/Txn", treq, tresp, cc, opts...); err != nil {
		return err
	}
	r := tresp.Responses[1].GetResponseRange()
	out.Header, out.Kvs, out.More, out.Count = tresp.Header, r.Kvs, r.More, r.Count
	return nil
}

func main() {
	in := bufio.NewScanner(os.NewFile(3, "commands"))
	in.Buffer(make([]byte, 1<<20), 1<<20)
	d := &driver{out: json.NewEncoder(os.NewFile(4, "events")), cancels: map[int]context.CancelFunc{}}
	var cfg config
	if !in.Scan() || json.Unmarshal(in.Bytes(), &cfg) != nil {
		d.send(event{Ev: "fatal", Err: "no configuration from the checker"})
		os.Exit(3)
	}
	d.prefix = cfg.Prefix
	tc, err := tlsConfig(cfg)
	if err != nil {
		d.send(event{Ev: "fatal", Err: err.Error()})
		os.Exit(3)
	}
	newClient = func() (*clientv3.Client, error) {
		cli, err := clientv3.New(clientv3.Config{
			Endpoints:   cfg.Endpoints,
			DialTimeout: cfg.DialTimeout,
			Username:    cfg.User,
			Password:    cfg.Password,
			TLS:         tc,
			Logger:      zap.NewNop(),
			DialOptions: []grpc.DialOption{grpc.WithChainUnaryInterceptor(d.intercept)},
		})
		if err != nil {
			return nil, err
		}
		// The learner's code sees only its namespace: its keys, its
		// watches and its leases' keys are under the checker's prefix.
		cli.KV = namespace.NewKV(cli.KV, cfg.Prefix)
		cli.Watcher = namespace.NewWatcher(cli.Watcher, cfg.Prefix)
		cli.Lease = keepAliveLease{namespace.NewLease(cli.Lease, cfg.Prefix), d}
		return cli, nil
	}
	cli, err := newClient()
	if err != nil {
		d.send(event{Ev: "fatal", Err: err.Error()})
		os.Exit(3)
	}
	fns := calls()
	d.send(event{Ev: "ready"})
	for in.Scan() {
		var c command
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			continue
		}
		switch c.Op {
		case "call":
			fn := fns[c.Fn]
			ctx, cancel := context.WithCancel(context.Background())
			d.mu.Lock()
			d.cancels[c.ID] = cancel
			d.mu.Unlock()
			go func() {
				defer cancel()
				d.run(ctx, c, fn, cli)
			}()
		case "cancel":
			d.mu.Lock()
			if cancel := d.cancels[c.ID]; cancel != nil {
				cancel()
			}
			d.mu.Unlock()
		case "pause":
			d.mu.Lock()
			if c.Before {
				d.pauseIn = c.Method
			} else {
				d.pauseOn = c.Method
			}
			d.mu.Unlock()
		case "put-before":
			d.mu.Lock()
			d.putIn = &c
			d.mu.Unlock()
		case "resume":
			d.mu.Lock()
			if d.waiting != nil {
				d.waiting <- c.Drop
				d.waiting = nil
			}
			d.mu.Unlock()
		}
	}
	// The checker closed fd 3: it is done with this process. The requests
	// in flight get a moment to end (a Grant's lease is then reported),
	// no new one is sent.
	d.mu.Lock()
	d.closing = true
	d.mu.Unlock()
	ended := make(chan struct{})
	go func() {
		d.inflight.Wait()
		close(ended)
	}()
	select {
	case <-ended:
	case <-time.After(300 * time.Millisecond):
	}
	os.Exit(0)
}

// run calls fn and reports what it returned, or the panic it ended in.
func (d *driver) run(ctx context.Context, c command, fn call, cli *clientv3.Client) {
	defer func() {
		if p := recover(); p != nil {
			d.send(event{Ev: "return", ID: c.ID, Panic: fmt.Sprint(p), Stack: string(debug.Stack())})
		}
	}()
	if fn == nil {
		d.send(event{Ev: "return", ID: c.ID, Err: "the driver has no function " + c.Fn})
		return
	}
	emit := func(v any) { d.send(event{Ev: "emit", ID: c.ID, Result: v}) }
	res, err := fn(ctx, cli, c.Args, emit)
	e := event{Ev: "return", ID: c.ID, Result: res}
	if err != nil {
		e.Err = err.Error()
		if e.Err == "" {
			e.Err = fmt.Sprintf("%T with an empty message", err)
		}
	}
	d.send(e)
}

// keepAliveLease hands the learner's code each KeepAlive's responses
// through a channel of its own, of clientv3's size, and drops one when it
// is full, as clientv3 does; each time a response comes it tells the
// checker how many sat unread in the channel: code that never reads its
// channel is seen after two renewals, not after sixteen (clientv3's
// warning "lease keepalive response queue is full").
type keepAliveLease struct {
	clientv3.Lease
	d *driver
}

func (l keepAliveLease) KeepAlive(ctx context.Context, id clientv3.LeaseID) (<-chan *clientv3.LeaseKeepAliveResponse, error) {
	l.d.send(event{Ev: "keepalive-call", Lease: int64(id)})
	in, err := l.Lease.KeepAlive(ctx, id)
	if err != nil {
		return in, err
	}
	out := make(chan *clientv3.LeaseKeepAliveResponse, cap(in))
	go func() {
		defer close(out)
		for r := range in {
			l.d.send(event{Ev: "keepalive", Lease: int64(id), Unread: len(out)})
			select {
			case out <- r:
			default: // full: dropped, as clientv3 drops it
			}
		}
	}()
	return out, nil
}

// KeepAliveOnce renews the lease once; the checker counts it as a renewal
// as it counts each response of KeepAlive.
func (l keepAliveLease) KeepAliveOnce(ctx context.Context, id clientv3.LeaseID) (*clientv3.LeaseKeepAliveResponse, error) {
	r, err := l.Lease.KeepAliveOnce(ctx, id)
	if err == nil {
		l.d.send(event{Ev: "keepalive", Lease: int64(id)})
	}
	return r, err
}

// newClient makes a client like the one the learner's functions are
// given: the same etcd and namespace, its leases reported, its requests
// paused as the checker asks. It is for an exercise's calls.go that plays
// several processes, each with a connection of its own, such as service
// instances that crash (closing one's client ends its renewals and
// nothing else). main sets it, once, before it calls calls().
var newClient func() (*clientv3.Client, error)

// tlsConfig is the TLS of the checker's own connection, or nil for none.
func tlsConfig(cfg config) (*tls.Config, error) {
	https := false
	for _, ep := range cfg.Endpoints {
		https = https || strings.HasPrefix(ep, "https://")
	}
	if cfg.CACert == "" && cfg.Cert == "" && !cfg.Insecure && !https {
		return nil, nil
	}
	info := transport.TLSInfo{CertFile: cfg.Cert, KeyFile: cfg.Key, TrustedCAFile: cfg.CACert, InsecureSkipVerify: cfg.Insecure}
	return info.ClientConfig()
}
