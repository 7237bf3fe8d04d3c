package lessons

import (
	"context"
	"errors"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"etcdtour/runner"
)

// Lock shows two sessions taking turns on one distributed lock.
var Lock = runner.Lesson{
	ID:    "lock",
	Title: "Distributed lock",
	Doc: "Two sessions contend for one lock: the second waits until " +
		"the first unlocks, and each lock " +
		"key's revision is a fencing token.",
	Run: lock,
}

func lock(ctx context.Context, t *runner.T) error {
	cli := t.Client
	t.Say(`The article created its client with Endpoints:
[]string{"/name"}, which is a key, not an address; an endpoint is
host:port, such as 127.0.0.1:2379.`)

	t.Step("Open two sessions, each a lease kept alive in the background")
	s1, err := concurrency.NewSession(cli, concurrency.WithTTL(2))
	if err != nil {
		return err
	}
	defer s1.Close()
	s2, err := concurrency.NewSession(cli, concurrency.WithTTL(2))
	if err != nil {
		return err
	}
	defer s2.Close()
	t.Result("session 1 lease %x, session 2 lease %x", s1.Lease(), s2.Lease())
	m1 := concurrency.NewMutex(s1, "lock")
	m2 := concurrency.NewMutex(s2, "lock")
	if t.Interactive() {
		return lockAsYou(ctx, t, m2)
	}

	t.Step("Session 1 locks")
	t.Etcdctl("lock", t.Key("lock"))
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	err = m1.Lock(ctx1)
	cancel()
	if err != nil {
		return err
	}
	rev1 := m1.Header().Revision
	t.Result("session 1 holds %q, created at revision %d", m1.Key(), rev1)

	t.Step("Session 2 tries without waiting")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = m2.TryLock(ctx1)
	cancel()
	t.Result("TryLock: %v", err)
	t.Check(errors.Is(err, concurrency.ErrLocked),
		"TryLock on a lock another session holds returns ErrLocked")
	t.Say(`Only another session's key makes it fail: a second Mutex on
session 1 would "acquire" the same key, and either's Unlock frees both.`)

	t.Step("Session 2 waits for the lock; session 1 unlocks")
	// Watch the lock's keys from after a read of session 1's key (TryLock's
	// came and went before it) to see session 2's key queue behind it.
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	held, err := cli.Get(ctx1, m1.Key())
	cancel()
	if err != nil {
		return err
	}
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	t.Etcdctl("watch", "--prefix",
		fmt.Sprintf("--rev=%d", held.Header.Revision+1), t.Key("lock/"))
	wch := cli.Watch(wctx, "lock/", clientv3.WithPrefix(),
		clientv3.WithRev(held.Header.Revision+1))
	const hold = 100 * time.Millisecond // long enough to see session 2 wait
	t.Etcdctl("lock", t.Key("lock"))
	locked2 := make(chan error, 1)
	go func() {
		// Lock blocks until session 1 lets go: allow the hold and a
		// request's time.
		ctx1, cancel := context.WithTimeout(ctx, hold+t.Timeout())
		defer cancel()
		locked2 <- m2.Lock(ctx1)
	}()
	evs, err := nextEvents(ctx, wch, 1, t.Timeout())
	if err != nil {
		return err
	}
	t.Result("session 2 queued: %s", evString(evs[0]))
	t.Wait(hold, "session 1 holds the lock; session 2 waits")
	select {
	case err := <-locked2:
		return errors.Join(errors.New("session 2 got the lock while "+
			"session 1 held it"), err)
	case <-time.After(hold):
	case <-ctx.Done():
		return ctx.Err()
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = m1.Unlock(ctx1)
	cancel()
	if err != nil {
		return err
	}
	if err := <-locked2; err != nil {
		return err
	}
	rev2 := evs[0].Kv.CreateRevision
	t.Result("session 2 holds %q, created at revision %d", m2.Key(), rev2)
	t.Equal(string(evs[0].Kv.Key), m2.Key(),
		"session 2 got the lock with the key it queued")

	t.Step("The fencing token")
	t.Say(`A lock is only as good as its lease: when session 1's lease
expires (a stalled process), session 2 gets the lock, and session 1's
Mutex says nothing; only s1.Done() closes, maybe later. So a resource
guarded by the lock should refuse writes with a lower revision than the
last it saw (etcd's notes on lock and lease usage, etcd-io/etcd#11490).
IsOwner compares the key's create_revision only.`)
	t.Check(rev2 > rev1,
		"session 2's token %d is greater than session 1's %d", rev2,
		rev1)
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = m2.Unlock(ctx1)
	cancel()
	return err
}
