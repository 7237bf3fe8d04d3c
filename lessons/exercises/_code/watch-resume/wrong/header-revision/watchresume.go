// Package watchresume is etcdtour's watch-resume exercise: follow a
// prefix through a member's restart and a compaction, none missed and
// none twice, re-listing when the history you need is gone.
package watchresume

import (
	"context"
	"errors"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// A Change is one change of a key under the prefix, as etcd applied it.
type Change struct {
	Key      string
	Value    string
	Deleted  bool
	Revision int64
}

// Follow lists prefix, then follows its changes until ctx is cancelled,
// listing again when the history it needs was compacted.
func Follow(ctx context.Context, cli *clientv3.Client, prefix string, snapshot func(kvs map[string]string, rev int64), changed func(Change)) error {
	next, err := list(ctx, cli, prefix, snapshot)
	if err != nil {
		return err
	}
	for ctx.Err() == nil {
		// A watch of its own for each round: cancelled when the round
		// ends, whatever ended it.
		wctx, cancel := context.WithCancel(ctx)
		compacted := false
		for resp := range cli.Watch(wctx, prefix, clientv3.WithPrefix(), clientv3.WithRev(next)) {
			if errors.Is(resp.Err(), rpctypes.ErrCompacted) {
				next = resp.Header.Revision + 1 // resume from the last header's revision
				break
			}
			if resp.Err() != nil {
				break // watch again from next
			}
			for _, ev := range resp.Events {
				changed(Change{
					Key:      string(ev.Kv.Key),
					Value:    string(ev.Kv.Value),
					Deleted:  ev.Type == clientv3.EventTypeDelete,
					Revision: ev.Kv.ModRevision,
				})
				next = ev.Kv.ModRevision + 1 // the last event's, not the header's
			}
		}
		cancel()
		switch {
		case ctx.Err() != nil:
		case compacted:
		default:
			// The channel closed for another reason: watch again from
			// next, after a pause, not in a tight loop.
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	return nil
}

// list hands the keys under prefix to snapshot and returns the revision to
// watch from: the list's + 1.
func list(ctx context.Context, cli *clientv3.Client, prefix string, snapshot func(map[string]string, int64)) (int64, error) {
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	get, err := cli.Get(ctx1, prefix, clientv3.WithPrefix())
	cancel()
	if err != nil {
		return 0, err
	}
	kvs := map[string]string{}
	for _, kv := range get.Kvs {
		kvs[string(kv.Key)] = string(kv.Value)
	}
	snapshot(kvs, get.Header.Revision)
	return get.Header.Revision + 1, nil
}
