// Package history is etcdtour's history exercise: read a key as it was
// at a revision, and say so when that revision is gone.
package history

import (
	"context"
	"errors"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// A Read is what ReadAt found.
type Read struct {
	Value       string
	Found       bool
	ModRevision int64
	Compacted   bool
}

// ReadAt reads key as it was at revision rev, or now if rev was
// compacted, and says which.
func ReadAt(ctx context.Context, cli *clientv3.Client, key string, rev int64) (Read, error) {
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	get, err := cli.Get(ctx1, key, clientv3.WithRev(rev))
	cancel()
	compacted := errors.Is(err, rpctypes.ErrCompacted)
	switch {
	case compacted:
		// The past is gone: the present, said as such.
		ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
		get, err = cli.Get(ctx1, key)
		cancel()
		if err != nil {
			return Read{}, err
		}
	case err != nil:
		return Read{}, err // a future revision, a timeout: not a compaction
	}
	r := Read{Compacted: compacted}
	if len(get.Kvs) == 0 && !compacted {
		return r, nil
	}
	kv := get.Kvs[0] // the key is there now, surely?
	r.Value, r.Found, r.ModRevision = string(kv.Value), true, kv.ModRevision
	return r, nil
}
