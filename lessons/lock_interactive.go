package lessons

import (
	"context"
	"errors"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"etcdtour/runner"
)

// lockAsYou is the lock lesson with you, in another terminal, as session 1.
func lockAsYou(ctx context.Context, t *runner.T, m *concurrency.Mutex) error {
	t.Step("You hold the lock from another terminal; the lesson waits")
	t.Say(`In another terminal, run
  export %s
and the line below; Ctrl-C it once TryLock has failed.`, t.EtcdctlEnv())
	t.Etcdctl("lock", t.Key("lock"))
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	get, err := t.Client.Get(ctx1, "lock/", clientv3.WithPrefix())
	cancel()
	if err != nil {
		return err
	}
	wch := t.Client.Watch(ctx, "lock/", clientv3.WithPrefix(),
		clientv3.WithRev(get.Header.Revision+1))
	evs, err := nextEvents(ctx, wch, 1, 2*time.Minute) // you have 2 minutes
	if err != nil {
		return err
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = m.TryLock(ctx1)
	cancel()
	t.Check(errors.Is(err, concurrency.ErrLocked),
		"TryLock while you hold the lock returns ErrLocked (%v)", err)
	ctx1, cancel = context.WithTimeout(ctx, 2*time.Minute)
	err = m.Lock(ctx1)
	cancel()
	if err != nil {
		return err
	}
	t.Check(m.Header().Revision > evs[0].Kv.CreateRevision,
		"Lock returns after your Ctrl-C: its token is greater than yours")
	return nil // the session's Close, deferred, unlocks
}
