//go:build ignore

// Command /*{{.ID}}*/ is the etcdtour lesson "/*{{.Title}}*/" as a program of its own.
//
/*{{.Doc}}*/
//
/*{{if .Members -}}*/
// It needs an etcd of its own, which it stops and restarts: it starts
// /*{{.Members}}*/ etcd process(es) on loopback ports (the etcd binary must be on
// PATH), and kills them and removes their data before it exits. It does
// not use $ETCDCTL_ENDPOINTS: never point a lesson like this one at an etcd
// that anyone else uses. Its keys are under "/*{{.Prefix}}*/".
/*{{else -}}*/
// It talks to the etcd at $ETCDCTL_ENDPOINTS (default 127.0.0.1:2379),
// keeps its keys under "/*{{.Prefix}}*/" and deletes them before it exits.
/*{{- if .Own}}*/
//
// It needs an etcd of its own: it may compact and defragment it, which
// drops the history of every key there, not only of its own. Give it a
// throw-away one (etcdtour serve, or etcd --data-dir "$(mktemp -d)"),
// never a shared one. etcdtour runs the lesson on an etcd it starts for
// it alone.
/*{{- end}}*/
/*{{end -}}*/
// Made by "etcdtour show --program /*{{.ID}}*/".
package main

// This file is the skeleton of every lesson's program (see Code.Program),
// a template whose actions are in /*{{ }}*/ comments, so that it also
// builds as Go: go vet skeleton/program.go skeleton/endpoints.go
// skeleton/stub.go (TestSkeletonBuilds). Its imports, and this comment,
// are left out of the program; the program's own are added.

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/namespace"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// requestTimeout bounds each call: the client waits, it does not fail,
// when no server answers.
const requestTimeout = 5 * time.Second

// prefix is where this program's keys live.
const prefix = "/*{{.Prefix}}*/"

/*{{if .Members}}*/
/*{{template "own.go" .}}*/
/*{{template "cluster.go" .}}*/
/*{{else}}*/
/*{{template "endpoints.go" .}}*/
/*{{end}}*/

// newClientTo connects to endpoints with every key under prefix: it writes
// "name" and etcd stores prefix+"name".
func newClientTo(endpoints []string) (*clientv3.Client, error) {
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   endpoints,
		DialTimeout: 5 * time.Second,
		Logger:      zap.NewNop(), // no JSON log lines between ours
		// Which request failed how, for the error the lesson returns.
		DialOptions: []grpc.DialOption{
			grpc.WithChainUnaryInterceptor(failures.record),
		},
	})
	if err != nil {
		return nil, err
	}
	cli.KV = namespace.NewKV(cli.KV, prefix)
	cli.Watcher = namespace.NewWatcher(cli.Watcher, prefix)
	cli.Lease = namespace.NewLease(cli.Lease, prefix)
	return cli, nil
}

// failures remembers which request got each error: a lesson returns an
// error as the client gave it ("context deadline exceeded"), and
// failures.named adds the request it came from, if one alone failed so.
var failures = &failedRequests{by: map[string]failedRequest{}}

type failedRequests struct {
	mu sync.Mutex
	by map[string]failedRequest // by the error's text
}

type failedRequest struct {
	request string // "Put \"/etcdtour/program/lock/k\" to 127.0.0.1:2379"
	how     string // ", which did not answer within 5s"
	several bool   // other requests failed with the same error
}

// record is a gRPC interceptor that notes each failed request.
func (f *failedRequests) record(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoke grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	// A request sent after its context ended did not fail: the lesson
	// had already; a Revoke is mostly a clean-up's (a session's Close),
	// after the error the lesson returns.
	if ctx.Err() != nil || strings.HasSuffix(method, "/LeaseRevoke") {
		return invoke(ctx, method, req, reply, cc, opts...)
	}
	var p peer.Peer
	start := time.Now()
	err := invoke(ctx, method, req, reply, cc, append(opts, grpc.Peer(&p))...)
	if err == nil {
		return nil
	}
	r := failedRequest{request: method[strings.LastIndex(method, "/")+1:]}
	if k, ok := req.(interface{ GetKey() []byte }); ok && len(k.GetKey()) > 0 {
		r.request += fmt.Sprintf(" %q", k.GetKey())
	}
	if p.Addr != nil {
		r.request += " to " + p.Addr.String()
	}
	took := time.Since(start).Round(100 * time.Millisecond)
	if status.Code(err) == codes.DeadlineExceeded {
		if end, ok := ctx.Deadline(); ok {
			took = end.Sub(start).Round(100 * time.Millisecond) // its budget
		}
		r.how = fmt.Sprintf(", which did not answer within %v", took)
	} else {
		r.how = fmt.Sprintf(", after %v", took)
	}
	msg := status.Convert(err).Message()
	f.mu.Lock()
	if prev, ok := f.by[msg]; ok && (prev.several || prev.request != r.request) {
		r.several = true
	}
	f.by[msg] = r
	f.mu.Unlock()
	return err
}

// named is err's text with the request it came from, when one request
// alone failed with what err says: never another one's.
func (f *failedRequests) named(err error) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var found []failedRequest
	for msg, r := range f.by {
		if msg != "" && strings.Contains(err.Error(), msg) {
			found = append(found, r)
		}
	}
	if len(found) != 1 || found[0].several {
		return err.Error()
	}
	return fmt.Sprintf("%v (the request: %s%s)", err, found[0].request, found[0].how)
}

/*{{.Body}}*/
