package lessons

import (
	"context"
	"errors"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"etcdtour/runner"
)

// LockLoss shows a lock lost with its lease, and the fenced write that
// keeps the old holder from doing harm.
var LockLoss = runner.Lesson{
	ID:    "lock-loss",
	Title: "A lock is only as good as its lease",
	Doc: "Session 1 holds a lock and loses its lease: session 2 gets " +
		"the lock while session 1's Mutex says nothing, " +
		"and only a fenced write stops session 1.",
	Run: lockLoss,
}

func lockLoss(ctx context.Context, t *runner.T) error {
	cli := t.Client

	t.Step("Session 1 takes the lock and writes, fenced by it")
	// TTL 1 s asked, the shortest: the server may grant more.
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	lease1, err := cli.Grant(ctx1, 1)
	cancel()
	if err != nil {
		return err
	}
	t.Result("session 1's lease %x: TTL %d s granted, 1 s asked",
		lease1.ID, lease1.TTL)
	s1, err := concurrency.NewSession(cli, concurrency.WithLease(lease1.ID))
	if err != nil {
		return err
	}
	defer s1.Close()
	m1 := concurrency.NewMutex(s1, "lock")
	t.Etcdctl("lock", t.Key("lock"))
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = m1.Lock(ctx1)
	cancel()
	if err != nil {
		return err
	}
	t.Result("session 1 holds %q", m1.Key())
	// The write goes through only while m1's key is the lock's oldest.
	ok, err := fencedPut(ctx, t, m1, "resource", "from session 1")
	if err != nil {
		return err
	}
	t.Check(ok, "session 1's fenced write is accepted while it holds the lock")

	t.Step("Session 2 waits; session 1's lease is lost")
	t.Say(`As if session 1's process stalled past its TTL, its lease
goes (here revoked, the way expiry revokes it). Its key goes with it.`)
	s2, err := concurrency.NewSession(cli, concurrency.WithTTL(2))
	if err != nil {
		return err
	}
	defer s2.Close()
	m2 := concurrency.NewMutex(s2, "lock")
	locked2 := make(chan error, 1)
	go func() {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		defer cancel()
		locked2 <- m2.Lock(ctx1)
	}()
	lost := time.Now()
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	_, err = cli.Revoke(ctx1, s1.Lease())
	cancel()
	if err != nil {
		return err
	}
	var got2, done1 time.Duration
	// The client renews on its first 500 ms tick at or after TTL/3 since
	// the last renewal: Done() closes by then, when that one is refused.
	within := time.Duration(lease1.TTL)*time.Second/3 + 500*time.Millisecond
	t.Wait(0, "waiting for session 2 to get the "+
		"lock and session 1's Done() to close")
	deadline := time.After(within + t.Timeout())
	done := s1.Done()
	for got2 == 0 || done1 == 0 {
		select {
		case err := <-locked2:
			if err != nil {
				return err
			}
			got2 = time.Since(lost)
			t.Result("session 2 holds the lock, %v after the loss",
				got2.Round(time.Millisecond))
		case <-done:
			done = nil // closed, it would be ready on every turn
			done1 = time.Since(lost)
			t.Result("session 1's Done() closed, %v after the loss",
				done1.Round(time.Millisecond))
		case <-deadline:
			return errors.New("no lock for session 2, " +
				"or no Done() for session 1")
		}
	}
	t.Say(`Which comes first is a race: Done() closes when the next
renewal is refused, at most TTL/3 + 500 ms after the loss
(TTL %d s: %v), or later still if the process itself stalled. Code that
checks Done() before it writes may write after the loss.`, lease1.TTL,
		within.Round(time.Millisecond))

	t.Step("Session 1 still thinks it holds the lock")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	get, err := cli.Get(ctx1, m1.Key())
	cancel()
	if err != nil {
		return err
	}
	t.Result("m1.Key() = %q, in etcd: %d key(s)", m1.Key(), len(get.Kvs))
	t.Check(m1.Key() != "" && len(get.Kvs) == 0,
		"session 1's Mutex names a key that is gone, and says nothing")

	t.Step("Fenced writes: refused for session 1, accepted for session 2")
	ok1, err := fencedPut(ctx, t, m1, "resource", "late, from session 1")
	if err != nil {
		return err
	}
	ok2, err := fencedPut(ctx, t, m2, "resource", "from session 2")
	if err != nil {
		return err
	}
	t.Check(!ok1, "session 1's fenced write is refused")
	select {
	case <-s2.Done(): // the fence then refuses session 2 too, rightly
		t.Result("session 2's lease is lost too: its Done() is closed")
	default:
	}
	t.Check(ok2, "session 2's fenced write is accepted")
	t.Say(`Where the resource is not in etcd, send the lock key's
create_revision as a token and have the resource refuse any token lower
than the last it saw (etcd-io/etcd#11490). And Lock(ctx) on a stalled
connection can block long after ctx's deadline: it cleans up with the
client's context. A waiter whose own session expires while it queues
stays blocked until the holder lets go, then gets ErrSessionExpired.`)
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = m2.Unlock(ctx1)
	cancel()
	return err
}

// fencedPut writes key only if m still holds the lock, in one transaction:
// IsOwner compares the create_revision of m's key with the one it had when
// m locked. A key that is gone has create_revision 0.
func fencedPut(ctx context.Context, t *runner.T, m *concurrency.Mutex, key,
	value string) (bool, error) {
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	resp, err := t.Client.Txn(ctx1).If(m.IsOwner()).
		Then(clientv3.OpPut(key, value)).Commit()
	cancel()
	if err != nil {
		return false, err
	}
	t.Result("fenced write %q: succeeded=%v", value, resp.Succeeded)
	return resp.Succeeded, nil
}
