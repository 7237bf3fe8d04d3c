// Package lessons is the etcdtour curriculum: each lesson is a runner.Lesson
// value, and Course lists them in the order they are taught.
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

// Course is the curriculum, in order. The order follows the seed article:
// install, put/get, watch, lease, keepalive, lock.
var Course = []runner.Lesson{
	Install,
	PutGet,
	Watch,
	Lease,
	KeepAlive,
	Lock,
}

// errNoResponse is nextResponse's error when the time was up.
var errNoResponse = errors.New("no watch response")

// nextResponse waits up to d for the next watch response, reading the
// channel with the ok check: a closed channel means the watch ended.
func nextResponse(ctx context.Context, wch clientv3.WatchChan, d time.Duration) (clientv3.WatchResponse, error) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case resp, ok := <-wch:
		if !ok {
			return resp, errors.New("watch channel closed")
		}
		return resp, resp.Err()
	case <-timer.C:
		return clientv3.WatchResponse{}, fmt.Errorf("%w within %v", errNoResponse, d.Round(100*time.Millisecond))
	case <-ctx.Done():
		return clientv3.WatchResponse{}, ctx.Err()
	}
}

func prevValue(kvs []*mvccpb.KeyValue) string {
	if len(kvs) == 0 {
		return ""
	}
	return string(kvs[0].Value)
}

// drain reads ch until the client closes it, which it does once the watch's
// or keep-alive's context is cancelled. It gives up after d.
func drain[R any](ch <-chan R, d time.Duration) bool {
	timer := time.NewTimer(d)
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
