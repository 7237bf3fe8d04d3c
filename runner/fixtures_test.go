package runner_test

// Fixture lessons. Each makes, in milliseconds, the kinds of request one of
// the course's lessons makes in seconds: it revokes a lease where the lesson
// waits for it to expire, and waits for one renewal where the lesson keeps a
// lease alive past its TTL. The tests of auth, TLS, interrupts and
// concurrent runs use them; the whole course runs once per kind of server
// (TestCourseExternalTCP, TestCourseDebianEtcd).
//
// Their keys are named as the course names its own, and as fill names the
// foreign keys: a fixture whose keys escaped its prefix would change them.
// Like lessons, they narrate and check through t, so that they can fail.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"etcdtour/runner"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/runnertest"
)

func lesson(id string, run func(context.Context, *runner.T) error) runner.Lesson {
	return runner.Lesson{ID: id, Title: "Fixture " + id, Doc: "A fixture lesson.", Run: run}
}

// fixtureCourse is one fixture for each lesson of the course, in its order.
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

// statusLesson asks every endpoint for its status and lists the members, as
// the install lesson does.
func statusLesson(ctx context.Context, t *runner.T) error {
	cli := t.Client
	t.Step("Ask each endpoint for its status")
	answered := 0
	for _, ep := range cli.Endpoints() {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		st, err := cli.Status(ctx1, ep)
		cancel()
		if err != nil {
			t.Result("%s: %v", ep, err)
			continue
		}
		answered++
		t.Result("%s: version=%s leader=%x", ep, st.Version, st.Leader)
		t.Check(st.Leader != 0, "%s knows a leader", ep)
	}
	t.Check(answered > 0, "an endpoint of %v answered", cli.Endpoints())

	t.Step("List the members")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	ml, err := cli.MemberList(ctx1)
	cancel()
	if err != nil {
		return err
	}
	t.Check(len(ml.Members) > 0, "the cluster has %d member(s)", len(ml.Members))
	return nil
}

// kvLesson puts, overwrites, gets, writes in a transaction, deletes and
// reads history, as the put-get lesson does. It leaves "name" behind for the
// clean-up.
func kvLesson(ctx context.Context, t *runner.T) error {
	cli := t.Client
	t.Step("Put a key twice, get it back")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	first, err := cli.Put(ctx1, "name", "a")
	cancel()
	if err != nil {
		return err
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	put, err := cli.Put(ctx1, "name", "b", clientv3.WithPrevKV())
	cancel()
	if err != nil {
		return err
	}
	t.Check(put.PrevKv != nil && string(put.PrevKv.Value) == "a", "WithPrevKV returns the old value")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	get, err := cli.Get(ctx1, "name")
	cancel()
	if err != nil {
		return err
	}
	if len(get.Kvs) != 1 {
		return fmt.Errorf("get %q: %d keys, want 1", "name", len(get.Kvs))
	}
	kv := get.Kvs[0]
	t.Result("%s", runner.KV(kv))
	t.Equal(string(kv.Value), "b", "the value is the last one put")
	t.Equal(kv.CreateRevision, first.Header.Revision, "create_revision is the first put's revision")
	t.Equal(kv.Version, 2, "version counts the puts")

	t.Step("Put three keys in one transaction, get them by prefix")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	txn, err := cli.Txn(ctx1).Then(
		clientv3.OpPut("dir/a", "1"),
		clientv3.OpPut("dir/b", "2"),
		clientv3.OpPut("dir/c", "3"),
	).Commit()
	cancel()
	if err != nil {
		return err
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	get, err = cli.Get(ctx1, "dir/", clientv3.WithPrefix())
	cancel()
	if err != nil {
		return err
	}
	keys := ""
	for _, kv := range get.Kvs {
		keys += fmt.Sprintf("%s@%d ", kv.Key, kv.ModRevision)
	}
	rev := txn.Header.Revision
	t.Equal(keys, fmt.Sprintf("dir/a@%d dir/b@%d dir/c@%d ", rev, rev, rev), "three keys at the transaction's revision")

	t.Step("Delete the prefix, then read it one revision before")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	del, err := cli.Delete(ctx1, "dir/", clientv3.WithPrefix())
	cancel()
	if err != nil {
		return err
	}
	t.Equal(del.Deleted, 3, "the prefix delete removed all three")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	before, err := cli.Get(ctx1, "dir/", clientv3.WithPrefix(), clientv3.WithRev(del.Header.Revision-1))
	cancel()
	if err != nil {
		return err
	}
	t.Equal(len(before.Kvs), 3, "one revision before the delete, all three keys exist")
	return nil
}

// watchLesson watches a prefix while a second client writes, as the watch
// lesson does.
func watchLesson(ctx context.Context, t *runner.T) error {
	cli := t.Client
	writer, err := t.NewClient()
	if err != nil {
		return err
	}

	t.Step("Watch a prefix from the next revision")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	get, err := cli.Get(ctx1, "dir/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	cancel()
	if err != nil {
		return err
	}
	start := get.Header.Revision + 1
	t.Etcdctl("watch", "--prefix", fmt.Sprintf("--rev=%d", start), t.Key("dir/"))
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	wch := cli.Watch(wctx, "dir/", clientv3.WithPrefix(), clientv3.WithRev(start))

	t.Step("A second client writes; the watch sees what is under the prefix")
	for _, k := range []string{"dir/x", "other", "dir/y"} {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		_, err := writer.Put(ctx1, k, "1")
		cancel()
		if err != nil {
			return err
		}
	}
	evs, err := nextEvents(ctx, wch, 2, t.Timeout())
	if err != nil {
		return err
	}
	var got []string
	for _, ev := range evs {
		t.Result("%s", runner.Ev(ev))
		got = append(got, fmt.Sprintf("%s %s", ev.Type, ev.Kv.Key))
	}
	t.Equal(strings.Join(got, ", "), "PUT dir/x, PUT dir/y", `dir/x and dir/y seen, "other" filtered out`)

	t.Step("Cancel the watch")
	stop()
	t.Check(closed(wch, t.Timeout()), "the watch channel closes after cancel")
	return nil
}

// leaseLesson attaches two keys to a lease and sees them go with it, as the
// lease lesson does, but by revoking the lease instead of waiting for it to
// expire.
func leaseLesson(ctx context.Context, t *runner.T) error {
	cli := t.Client
	t.Step("Grant a lease")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	grant, err := cli.Grant(ctx1, 60)
	cancel()
	if err != nil {
		return err
	}
	t.Result("lease %x granted with TTL %ds", grant.ID, grant.TTL)
	t.Equal(grant.TTL, 60, "the granted TTL is the one asked for")

	t.Step("Put two keys with the lease")
	var rev int64
	for _, key := range []string{"session", "session/cart"} {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		put, err := cli.Put(ctx1, key, "alive", clientv3.WithLease(grant.ID))
		cancel()
		if err != nil {
			return err
		}
		rev = put.Header.Revision
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	ttl, err := cli.TimeToLive(ctx1, grant.ID, clientv3.WithAttachedKeys())
	cancel()
	if err != nil {
		return err
	}
	var keys []string
	for _, k := range ttl.Keys {
		keys = append(keys, string(k))
	}
	slices.Sort(keys)
	t.Equal(strings.Join(keys, " "), "session session/cart", "the lease holds both keys")

	t.Step("Revoke the lease: its keys go with it")
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	wch := cli.Watch(wctx, "session", clientv3.WithPrefix(), clientv3.WithRev(rev+1))
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	_, err = cli.Revoke(ctx1, grant.ID)
	cancel()
	if err != nil {
		return err
	}
	evs, err := nextEvents(ctx, wch, 2, t.Timeout())
	if err != nil {
		return err
	}
	var deleted []string
	for _, ev := range evs {
		deleted = append(deleted, fmt.Sprintf("%s %s", ev.Type, ev.Kv.Key))
	}
	slices.Sort(deleted)
	t.Equal(strings.Join(deleted, ", "), "DELETE session, DELETE session/cart", "a DELETE event for each key")
	t.Equal(evs[0].Kv.ModRevision, evs[1].Kv.ModRevision, "both keys went in one revision")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	gone, err := cli.TimeToLive(ctx1, grant.ID)
	cancel()
	if err != nil {
		return err
	}
	t.Equal(gone.TTL, -1, "the lease is gone")
	return nil
}

// keepAliveLesson renews a lease once, then keeps it alive until its first
// renewal, as the keepalive lesson does for longer. It leaves the lease and
// its key for the clean-up to revoke and delete.
func keepAliveLesson(ctx context.Context, t *runner.T) error {
	cli := t.Client
	t.Step("Grant a lease and put a key with it")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	grant, err := cli.Grant(ctx1, 60)
	cancel()
	if err != nil {
		return err
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	_, err = cli.Put(ctx1, "worker", "busy", clientv3.WithLease(grant.ID))
	cancel()
	if err != nil {
		return err
	}

	t.Step("Renew it once")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	once, err := cli.KeepAliveOnce(ctx1, grant.ID)
	cancel()
	if err != nil {
		return err
	}
	t.Equal(once.TTL, grant.TTL, "a renewal sets the TTL back to the granted one")

	t.Step("Keep it alive until a renewal comes back")
	t.Etcdctl("lease", "keep-alive", fmt.Sprintf("%x", grant.ID))
	kactx, stopKeepAlive := context.WithCancel(ctx)
	defer stopKeepAlive()
	ch, err := cli.KeepAlive(kactx, grant.ID)
	if err != nil {
		return err
	}
	t.Wait(0, "waiting for a renewal of lease %x", grant.ID)
	wctx, cancel := context.WithTimeout(ctx, t.Timeout())
	defer cancel()
	select {
	case ka, ok := <-ch:
		if !ok {
			return errors.New("the keep-alive channel closed before a renewal")
		}
		t.Equal(ka.TTL, grant.TTL, "the keep-alive renewed the lease")
	case <-wctx.Done():
		return fmt.Errorf("no renewal: %w", wctx.Err())
	}
	stopKeepAlive()
	t.Check(closed(ch, t.Timeout()), "the keep-alive channel closes after cancel")
	return nil
}

// lockLesson has two sessions take turns on one lock, as the lock lesson
// does, without holding it for a while.
func lockLesson(ctx context.Context, t *runner.T) error {
	cli := t.Client
	t.Step("Open two sessions")
	s1, err := concurrency.NewSession(cli)
	if err != nil {
		return err
	}
	defer s1.Close()
	s2, err := concurrency.NewSession(cli)
	if err != nil {
		return err
	}
	defer s2.Close()
	m1 := concurrency.NewMutex(s1, "lock")
	m2 := concurrency.NewMutex(s2, "lock")

	t.Step("Session 1 locks; session 2 cannot without waiting")
	t.Etcdctl("lock", t.Key("lock"))
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	err = m1.Lock(ctx1)
	cancel()
	if err != nil {
		return err
	}
	rev1 := m1.Header().Revision
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = m2.TryLock(ctx1)
	cancel()
	t.Check(errors.Is(err, concurrency.ErrLocked), "TryLock on a lock another session holds: %v", err)

	t.Step("Session 2 waits until session 1 unlocks")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	get, err := cli.Get(ctx1, "lock/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	cancel()
	if err != nil {
		return err
	}
	// Session 2's key is the lock's prefix and its lease: watch for it.
	key2 := fmt.Sprintf("lock/%x", s2.Lease())
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	wch := cli.Watch(wctx, key2, clientv3.WithRev(get.Header.Revision+1))
	locked2 := make(chan error, 1)
	go func() {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		defer cancel()
		locked2 <- m2.Lock(ctx1)
	}()
	evs, err := nextEvents(ctx, wch, 1, t.Timeout())
	if err != nil {
		return err
	}
	t.Result("session 2 queued: %s", runner.Ev(evs[0]))
	t.Wait(0, "session 2 waits for the lock session 1 holds")
	select {
	case err := <-locked2:
		return errors.Join(errors.New("session 2 got the lock while session 1 held it"), err)
	default:
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
	t.Equal(m2.Key(), key2, "session 2 holds the lock with the key it queued")
	t.Check(evs[0].Kv.CreateRevision > rev1, "session 2's key is newer than session 1's")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = m2.Unlock(ctx1)
	cancel()
	return err
}

// nextEvents reads a watch channel until it has n events, or gives up after
// timeout.
func nextEvents(ctx context.Context, wch clientv3.WatchChan, n int, timeout time.Duration) ([]*clientv3.Event, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var evs []*clientv3.Event
	for len(evs) < n {
		select {
		case resp, ok := <-wch:
			if err := resp.Err(); err != nil {
				return evs, err
			}
			if !ok {
				return evs, errors.New("the watch channel closed")
			}
			evs = append(evs, resp.Events...)
		case <-ctx.Done():
			return evs, fmt.Errorf("%d of %d watch events: %w", len(evs), n, ctx.Err())
		}
	}
	return evs, nil
}

// closed reports whether ch closes within timeout, dropping what is still
// in it.
func closed[R any](ch <-chan R, timeout time.Duration) bool {
	timer := time.NewTimer(timeout)
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

// mustPass runs course against conn and fails t unless every lesson passed
// (or, needing an etcd of its own, was skipped).
func mustPass(t *testing.T, conn etcdconn.Conn, course []runner.Lesson) {
	t.Helper()
	rec := &runnertest.Recorder{}
	start := time.Now()
	sum, err := runner.Run(context.Background(), runner.Config{Conn: conn, Reporter: rec}, course)
	if err != nil {
		t.Fatalf("runner.Run: %v", err)
	}
	var times []string
	for _, r := range sum.Lessons {
		times = append(times, fmt.Sprintf("%s %.2fs", r.ID, r.Seconds))
	}
	t.Logf("%d lessons against %s in %v: %s", len(course), strings.Join(conn.Endpoints, ","),
		time.Since(start).Round(10*time.Millisecond), strings.Join(times, ", "))
	if len(sum.Lessons) != len(course) {
		t.Errorf("%d lessons in the summary, want %d", len(sum.Lessons), len(course))
	}
	for i, r := range sum.Lessons {
		// On a cluster the test names, as on a user's, a lesson that
		// needs an etcd of its own is skipped, and must be.
		want := runner.StatusPassed
		if i < len(course) && course[i].Needs.Members > 0 {
			want = runner.StatusSkipped
		}
		if r.Status != want {
			t.Errorf("lesson %s %s, want %s: %s %q", r.ID, r.Status, want, r.Error, r.Failures)
		}
	}
	if !sum.OK() {
		t.Errorf("the run was not OK:\n%s", rec.String())
	}
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
