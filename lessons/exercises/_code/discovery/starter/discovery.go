// Package discovery is etcdtour's discovery exercise: an instance of a
// service registers itself in etcd under a lease it keeps alive, and a
// gRPC client finds the instances through etcd's resolver; a crashed
// instance goes a TTL later, and a restarted one registers again.
//
// Read first: the discovery lesson (etcdtour run discovery,
// docs/discovery.md: step 1, Two instances start and register, each under
// a lease; step 3, Instance 2 crashes: renewals stop, its key goes a TTL
// later; step 4, Instance 2 finds its lease lost, and registers again) and
// the resolver lesson (etcdtour run resolver, docs/resolver.md: step 1,
// Two instances register with etcd's endpoints manager; step 2, A gRPC
// client resolves etcd:///services/health, round robin). Check your code
// with: etcdtour check discovery.
//
// What the checker does: it runs three instances, each with a client of
// its own (its process's) and a gRPC health server, calls Register for
// each (ttl 2 s, or the cluster's shortest) and waits until each is
// registered before it starts the next; it calls through a connection
// from your Dial until each instance served a call. Then it kills
// instance 3 (its client closes: its renewals stop, as when its process
// dies, while its server still answers, as a hung process's socket may)
// and kills instance 2 and restarts it at once, at the same address, while
// its old key is still there. Instance 2 must write its key again, under
// its new lease; within TTL + 1 s instance 3's key must go, and no live
// instance's; then calls must go to instances 1 and 2 only.
package discovery

import (
	"context"
	"errors"

	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc"
)

// Register registers an instance of service, at addr, with etcd's
// endpoints manager (endpoints.NewManager(cli, service)): the key
// service + "/" + addr, with the endpoint endpoints.Endpoint{Addr: addr},
// under a lease of ttl seconds kept alive (read every keep-alive
// response). It returns when ctx ends. cli is the instance's own client:
// when the instance's process dies, its renewals stop and its key goes a
// TTL later.
//
// Give every request a deadline of its own, as the lessons do; KeepAlive
// gets ctx itself, which ends when the instance stops.
func Register(ctx context.Context, cli *clientv3.Client, service, addr string, ttl int64) error {
	return errors.New("not implemented")
}

// Dial returns a gRPC client connection to the instances of service, found
// through etcd's resolver (resolver.NewBuilder(cli), the target
// "etcd:///" + service), with its calls spread round robin over them, and
// plain-text transport (insecure.NewCredentials()).
func Dial(cli *clientv3.Client, service string) (*grpc.ClientConn, error) {
	return nil, errors.New("not implemented")
}
