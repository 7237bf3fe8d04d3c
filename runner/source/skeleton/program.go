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
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/namespace"
	"go.uber.org/zap"
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
	})
	if err != nil {
		return nil, err
	}
	cli.KV = namespace.NewKV(cli.KV, prefix)
	cli.Watcher = namespace.NewWatcher(cli.Watcher, prefix)
	cli.Lease = namespace.NewLease(cli.Lease, prefix)
	return cli, nil
}

/*{{.Body}}*/
