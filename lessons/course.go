// Package lessons is the etcdtour curriculum: each lesson is a runner.Lesson
// value, and Course lists them in the order they are taught.
//
// Lesson code is teaching material, shaped like etcd's own examples: a
// context with a timeout per call and cancel() right after, errors
// returned. The runner shows each step's code, renders the etcdctl line of
// every request from the request itself, and turns each lesson into a
// program ("etcdtour show --program ID"). A lesson's *runner.T is named t.
package lessons

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// Course is the curriculum, in order. The first six follow the seed
// article: install, put/get, watch, lease, keepalive, lock. Then where etcd
// users get hurt: transactions, a lock lost with its lease, election,
// service discovery.
var Course = []runner.Lesson{
	Install,
	PutGet,
	Watch,
	Lease,
	KeepAlive,
	Lock,
	Txn,
	LockLoss,
	Election,
	LeaderLoss,
	Discovery,
	Resolver,
	History,
	WatchAway,
	WatchResume,
	WatchRelist,
	Failover,
	Quorum,
}

// kvString shows a key-value pair with its revisions.
func kvString(kv *mvccpb.KeyValue) string {
	s := fmt.Sprintf(
		"%q = %q  create_revision=%d mod_revision=%d version=%d",
		kv.Key, kv.Value, kv.CreateRevision, kv.ModRevision, kv.Version)
	if kv.Lease != 0 {
		s += fmt.Sprintf(" lease=%x", kv.Lease)
	}
	return s
}

// evString shows a watch event.
func evString(ev *clientv3.Event) string {
	if ev.Type == clientv3.EventTypeDelete {
		return fmt.Sprintf("DELETE %q  mod_revision=%d", ev.Kv.Key,
			ev.Kv.ModRevision)
	}
	return fmt.Sprintf("PUT %q = %q  mod_revision=%d", ev.Kv.Key,
		ev.Kv.Value, ev.Kv.ModRevision)
}

// nextEvents reads a watch channel until it has n events, or gives up after
// timeout. A channel that closes means the watch ended: its error (such as
// ErrCompacted) is in the last response.
func nextEvents(ctx context.Context, wch clientv3.WatchChan, n int,
	timeout time.Duration) ([]*clientv3.Event, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var evs []*clientv3.Event
	for len(evs) < n {
		select {
		case resp, ok := <-wch:
			if err := resp.Err(); err != nil {
				return evs, err
			}
			if !ok {
				return evs, errors.New("watch channel closed")
			}
			evs = append(evs, resp.Events...)
		case <-ctx.Done():
			return evs, fmt.Errorf("%d of %d watch events: %w",
				len(evs), n, ctx.Err())
		}
	}
	return evs, nil
}

// closed reports whether ch closes within timeout, reading and dropping
// what is still in it: the client closes a watch's or a keep-alive's
// channel once its context is cancelled.
func closed[R any](ch <-chan R, timeout time.Duration) bool {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return true
			}
		case <-timer.C:
			return false
		}
	}
}
