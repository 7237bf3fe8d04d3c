package lessons

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"etcdtour/runner"
)

// Lock shows two sessions taking turns on one distributed lock.
var Lock = runner.Lesson{
	ID:     "lock",
	Title:  "Distributed lock",
	Doc:    "Two sessions contend for one lock: the second waits until the first unlocks, and each lock key's revision is a fencing token.",
	Source: "lessons/lock.go",
	Run:    lock,
}

func lock(ctx context.Context, t *runner.T) error {
	t.Say(`The article created its client with Endpoints: []string{"/name"},
which is a key, not an address; an endpoint is host:port, such as
127.0.0.1:2379.`)

	t.Step("Open two sessions, each a lease kept alive in the background")
	s1, err := newSession(ctx, t, 2)
	if err != nil {
		return fmt.Errorf("session 1: %w", err)
	}
	defer s1.Close()
	s2, err := newSession(ctx, t, 2)
	if err != nil {
		return fmt.Errorf("session 2: %w", err)
	}
	defer s2.Close()
	t.Result("session 1 lease %x, session 2 lease %x", s1.Lease(), s2.Lease())
	m1 := concurrency.NewMutex(s1, "lock")
	m2 := concurrency.NewMutex(s2, "lock")

	t.Step("Session 1 locks")
	t.Etcdctl("lock", t.Key("lock"))
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	err = m1.Lock(ctx1)
	cancel()
	if err != nil {
		return fmt.Errorf("lock 1: %w", err)
	}
	rev1, err := createRevision(ctx, t, m1.Key())
	if err != nil {
		return err
	}
	t.Result("holder key %q, create_revision=%d", m1.Key(), rev1)

	t.Step("Session 2 tries without waiting")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = m2.TryLock(ctx1)
	cancel()
	t.Result("TryLock: %v", err)
	t.Check(errors.Is(err, concurrency.ErrLocked), "TryLock on a held lock returns ErrLocked")

	t.Step("Session 2 waits for the lock; session 1 unlocks")
	var mu sync.Mutex
	var order []string
	record := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	record("1 locked")
	// Watch the lock prefix to see session 2's waiter key appear.
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	wch := t.Client.Watch(wctx, "lock/", clientv3.WithPrefix(), clientv3.WithCreatedNotify())
	if _, err := nextResponse(ctx, wch, t.Timeout()); err != nil {
		return fmt.Errorf("watch %q: %w", "lock/", err)
	}
	const hold = time.Second
	locked2 := make(chan error, 1)
	go func() {
		// Lock blocks until session 1 lets go, after its hold below: allow
		// the hold and one request's time.
		ctx1, cancel := context.WithTimeout(ctx, hold+t.Timeout())
		defer cancel()
		err := m2.Lock(ctx1)
		if err == nil {
			record("2 locked")
		}
		locked2 <- err
	}()
	if _, err := nextResponse(ctx, wch, t.Timeout()); err != nil {
		return fmt.Errorf("waiting for session 2 to queue: %w", err)
	}
	rev2, err := createRevision(ctx, t, m2.Key())
	if err != nil {
		return err
	}
	t.Result("session 2 queued as %q, create_revision=%d", m2.Key(), rev2)
	// Session 1 keeps the lock a while: session 2 must not get it meanwhile.
	t.Wait(hold, "session 1 holds the lock; session 2 waits")
	select {
	case <-time.After(hold):
	case <-ctx.Done():
		return ctx.Err()
	}
	record("1 unlocking")
	t.Etcdctl("del", t.Key(m1.Key())) // what Unlock does
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = m1.Unlock(ctx1)
	cancel()
	if err != nil {
		return fmt.Errorf("unlock 1: %w", err)
	}
	if err := <-locked2; err != nil {
		return fmt.Errorf("lock 2: %w", err)
	}
	t.Result("session 2 holds the lock")
	t.Check(fmt.Sprint(order) == "[1 locked 1 unlocking 2 locked]", "mutual exclusion: %v", order)

	t.Step("The fencing token")
	t.Say(`The lock key's create_revision only grows: a resource guarded by the
lock should refuse writes carrying a lower revision than the last it saw.
A holder whose session lease expired has lost the lock, and the Mutex does
not tell it: only session.Done() closes, possibly after another holder
took over (Jepsen, etcd 3.4.3).`)
	t.Check(rev2 > rev1, "session 2's token %d is greater than session 1's %d", rev2, rev1)
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = m2.Unlock(ctx1)
	cancel()
	if err != nil {
		return fmt.Errorf("unlock 2: %w", err)
	}
	return nil
}

// newSession grants the lease with a timeout of its own. NewSession would
// call Grant with ctx, which has no deadline under --step or --interactive.
func newSession(ctx context.Context, t *runner.T, ttl int64) (*concurrency.Session, error) {
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	grant, err := t.Client.Grant(ctx1, ttl)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("grant: %w", err)
	}
	// The session lives as long as ctx: its keep-alive stops when the lesson
	// ends. With WithLease, WithTTL only bounds the Revoke in Close.
	return concurrency.NewSession(t.Client, concurrency.WithLease(grant.ID),
		concurrency.WithTTL(int(grant.TTL)), concurrency.WithContext(ctx))
}

func createRevision(ctx context.Context, t *runner.T, key string) (int64, error) {
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	resp, err := t.Client.Get(ctx1, key)
	cancel()
	if err != nil {
		return 0, fmt.Errorf("get %q: %w", key, err)
	}
	if len(resp.Kvs) == 0 {
		return 0, fmt.Errorf("get %q: no such key", key)
	}
	return resp.Kvs[0].CreateRevision, nil
}
