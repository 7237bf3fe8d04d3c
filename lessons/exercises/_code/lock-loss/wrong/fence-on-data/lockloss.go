// Package lockloss: a Txn, but one that compares the data key's
// mod_revision (compare-and-swap), not the lock key: it refuses the write
// only if the next holder has written already, and says nothing about
// the lock.
package lockloss

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
)

// Guarded writes value to key after Lock, if key is unchanged since it
// read it.
func Guarded(ctx context.Context, s *concurrency.Session, lock, key, value string) (bool, error) {
	m := concurrency.NewMutex(s, lock)
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	err := m.Lock(ctx1)
	cancel()
	if err != nil {
		return false, err
	}
	defer func() {
		ctx1, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		m.Unlock(ctx1)
		cancel()
	}()
	cli := s.Client()
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	get, err := cli.Get(ctx1, key)
	cancel()
	if err != nil {
		return false, err
	}
	var rev int64
	if len(get.Kvs) > 0 {
		rev = get.Kvs[0].ModRevision
	}
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	resp, err := cli.Txn(ctx1).
		If(clientv3.Compare(clientv3.ModRevision(key), "=", rev)).
		Then(clientv3.OpPut(key, value)).
		Commit()
	cancel()
	if err != nil {
		return false, err
	}
	return resp.Succeeded, nil
}
