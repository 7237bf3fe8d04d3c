package runner_test

// Fixture lessons: tiny lessons, each built for one thing the runner must
// handle, not copies of the course's. One way for a lesson to end each
// (pass, a failed check, an error, a panic, a hang, an interrupt), and one
// kind of request each, made in milliseconds, for the tests of auth, TLS,
// interrupts and concurrent runs: status, writes under the prefix, a watch,
// a lease left for the clean-up, a renewal, a lock another session waits
// for. (The course itself runs in the lessons package, on every kind of
// server.) Their keys are named as fill names the foreign keys: a fixture
// whose keys escaped its prefix would change them.

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

func lesson(id string, run func(context.Context, *runner.T) error) runner.Lesson {
	return runner.Lesson{ID: id, Title: "Fixture " + id, Doc: "A fixture lesson.", Run: run}
}

// fixtureCourse is one fixture for each kind of request.
func fixtureCourse() []runner.Lesson {
	return []runner.Lesson{
		lesson("status", statusLesson),
		lesson("kv", kvLesson),
		lesson("watch", watchLesson),
		lesson("lease", leaseLesson),
		lesson("keepalive", keepAliveLesson),
		lesson("lock", lockLesson),
	}
}

// call runs f with a context bounded by the lesson's timeout.
func call(ctx context.Context, t *runner.T, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, t.Timeout())
	defer cancel()
	return f(ctx)
}

// statusLesson asks every endpoint for its status, saying what each
// answered, and lists the members.
func statusLesson(ctx context.Context, t *runner.T) error {
	t.Step("Status of each endpoint")
	answered := 0
	for _, ep := range t.Client.Endpoints() {
		err := call(ctx, t, func(ctx context.Context) error {
			st, err := t.Client.Status(ctx, ep)
			if err == nil {
				t.Result("%s: version=%s leader=%x", ep, st.Version, st.Leader)
				answered++
			}
			return err
		})
		if err != nil {
			t.Result("%s: %v", ep, err)
		}
	}
	t.Check(answered > 0, "an endpoint answered")
	t.Step("Members")
	return call(ctx, t, func(ctx context.Context) error {
		_, err := t.Client.MemberList(ctx)
		return err
	})
}

// kvLesson writes under its prefix, a key and then three in a transaction,
// reads them back, and leaves them for the clean-up.
func kvLesson(ctx context.Context, t *runner.T) error {
	t.Step("Put")
	if err := call(ctx, t, func(ctx context.Context) error { _, err := t.Client.Put(ctx, "name", "a"); return err }); err != nil {
		return err
	}
	t.Step("Put three in a transaction")
	if err := call(ctx, t, func(ctx context.Context) error {
		_, err := t.Client.Txn(ctx).Then(clientv3.OpPut("dir/a", "1"), clientv3.OpPut("dir/b", "2"), clientv3.OpPut("dir/c", "3")).Commit()
		return err
	}); err != nil {
		return err
	}
	t.Step("Get them")
	return call(ctx, t, func(ctx context.Context) error {
		get, err := t.Client.Get(ctx, "dir/", clientv3.WithPrefix())
		if err == nil {
			t.Equal(len(get.Kvs), 3, "three keys under dir/")
		}
		return err
	})
}

// watchLesson watches a prefix while it writes under it and beside it.
func watchLesson(ctx context.Context, t *runner.T) error {
	t.Step("Watch a prefix")
	var rev int64
	if err := call(ctx, t, func(ctx context.Context) error {
		get, err := t.Client.Get(ctx, "dir/", clientv3.WithPrefix(), clientv3.WithCountOnly())
		if err == nil {
			rev = get.Header.Revision + 1
		}
		return err
	}); err != nil {
		return err
	}
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	wch := t.Client.Watch(wctx, "dir/", clientv3.WithPrefix(), clientv3.WithRev(rev))
	t.Step("Write; the watch sees what is under the prefix")
	for _, k := range []string{"dir/x", "other", "dir/y"} {
		if err := call(ctx, t, func(ctx context.Context) error { _, err := t.Client.Put(ctx, k, "1"); return err }); err != nil {
			return err
		}
	}
	var keys []string
	timeout := time.After(t.Timeout())
	for len(keys) < 2 {
		select {
		case resp := <-wch:
			if err := resp.Err(); err != nil {
				return err
			}
			for _, ev := range resp.Events {
				keys = append(keys, string(ev.Kv.Key))
			}
		case <-timeout:
			return fmt.Errorf("watch events %q, want two", keys)
		}
	}
	t.Equal(keys, []string{"dir/x", "dir/y"}, "the watch saw what is under the prefix")
	return nil
}

// leaseLesson grants a lease, says so, and puts a key with it; it leaves
// both for the clean-up.
func leaseLesson(ctx context.Context, t *runner.T) error {
	t.Step("Grant a lease")
	var id clientv3.LeaseID
	if err := call(ctx, t, func(ctx context.Context) error {
		grant, err := t.Client.Grant(ctx, 60)
		if err == nil {
			id = grant.ID
			t.Result("lease %x granted", grant.ID)
		}
		return err
	}); err != nil {
		return err
	}
	t.Step("Put a key with it")
	return call(ctx, t, func(ctx context.Context) error {
		_, err := t.Client.Put(ctx, "session", "alive", clientv3.WithLease(id))
		return err
	})
}

// keepAliveLesson keeps a lease alive, waiting for its first renewal; it
// leaves the lease for the clean-up.
func keepAliveLesson(ctx context.Context, t *runner.T) error {
	t.Step("Keep a lease alive until it is renewed")
	var id clientv3.LeaseID
	if err := call(ctx, t, func(ctx context.Context) error {
		grant, err := t.Client.Grant(ctx, 60)
		if err == nil {
			id = grant.ID
		}
		return err
	}); err != nil {
		return err
	}
	kactx, stop := context.WithCancel(ctx)
	defer stop()
	ch, err := t.Client.KeepAlive(kactx, id)
	if err != nil {
		return err
	}
	t.Wait(0, "waiting for a renewal of lease %x", id)
	select {
	case ka, ok := <-ch:
		t.Check(ok && ka.ID == id, "the lease was renewed")
	case <-time.After(t.Timeout()):
		return errors.New("no renewal")
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// lockLesson holds a lock while a second session waits for it, then lets
// it go to the second.
func lockLesson(ctx context.Context, t *runner.T) error {
	t.Step("Session 1 locks; session 2 waits")
	var ms [2]*concurrency.Mutex
	for i := range ms {
		s, err := concurrency.NewSession(t.Client)
		if err != nil {
			return err
		}
		defer s.Close()
		ms[i] = concurrency.NewMutex(s, "lock")
	}
	if err := call(ctx, t, ms[0].Lock); err != nil {
		return err
	}
	locked := make(chan error, 1)
	go func() { locked <- call(ctx, t, ms[1].Lock) }()
	t.Wait(0, "session 2 waits for the lock")
	select {
	case err := <-locked:
		return errors.Join(errors.New("session 2 got the lock session 1 held"), err)
	default:
	}
	if err := call(ctx, t, ms[0].Unlock); err != nil {
		return err
	}
	if err := <-locked; err != nil {
		return err
	}
	return call(ctx, t, ms[1].Unlock)
}

// The fixtures of each way a lesson ends.

// writeLeased writes a key with a lease and one without, and says which
// lease it granted.
func writeLeased(ctx context.Context, t *runner.T) error {
	t.Step("write")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	defer cancel()
	lr, err := t.Client.Grant(ctx1, 60)
	if err != nil {
		return err
	}
	t.Result("lease %x", lr.ID)
	if _, err := t.Client.Put(ctx1, "k", "v", clientv3.WithLease(lr.ID)); err != nil {
		return err
	}
	if _, err := t.Client.Put(ctx1, "plain", "v"); err != nil {
		return err
	}
	t.Check(true, "wrote two keys")
	return nil
}

func failCheck(ctx context.Context, t *runner.T) error {
	t.Step("check")
	t.Check(false, "one is %d", 2)
	t.Check(true, "the lesson goes on after a failed check")
	return nil
}

func returnError(ctx context.Context, t *runner.T) error { return errors.New("boom") }

func blockUntilDone(ctx context.Context, t *runner.T) error {
	<-ctx.Done()
	return ctx.Err()
}

func panics(ctx context.Context, t *runner.T) error {
	var m map[string]int
	m["x"] = 1
	return nil
}

func passCheck(ctx context.Context, t *runner.T) error {
	t.Check(true, "later lessons still run")
	return nil
}

// putKey puts k.
func putKey(ctx context.Context, t *runner.T) error {
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	defer cancel()
	_, err := t.Client.Put(ctx1, "k", "v")
	return err
}

// writeThenBlock writes a key, then waits until the run is interrupted.
func writeThenBlock(ctx context.Context, t *runner.T) error {
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	_, err := t.Client.Put(ctx1, "half-done", "v")
	cancel()
	if err != nil {
		return err
	}
	t.Step("wait forever")
	<-ctx.Done()
	return ctx.Err()
}

// lockstep holds each of several runs at every lesson's start until every
// run still going has reached it, so that the same lesson of each run runs
// at the same time.
type lockstep struct {
	mu      sync.Mutex
	runs    int                   // runs not yet ended
	arrived map[int]int           // lesson index → runs that reached it
	gates   map[int]chan struct{} // closed once every run reached it
}

func newLockstep(runs int) *lockstep {
	return &lockstep{runs: runs, arrived: map[int]int{}, gates: map[int]chan struct{}{}}
}

// reporter passes every event on to rep, and waits at each lesson-start.
// Call done when the run ends.
func (l *lockstep) reporter(rep runner.Reporter) runner.Reporter {
	return reporterFunc(func(e runner.Event) {
		if e.Kind == runner.KindLessonStart {
			<-l.arrive(e.Index)
		}
		rep.Report(e)
	})
}

func (l *lockstep) arrive(i int) <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.gates[i] == nil {
		l.gates[i] = make(chan struct{})
	}
	l.arrived[i]++
	l.open()
	return l.gates[i]
}

// done says a run ended: the others no longer wait for it.
func (l *lockstep) done() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.runs--
	l.open()
}

// open closes the gate of every lesson that every run still going reached.
// Called with l.mu held.
func (l *lockstep) open() {
	for i, gate := range l.gates {
		if l.arrived[i] >= l.runs {
			select {
			case <-gate: // already open
			default:
				close(gate)
			}
		}
	}
}
