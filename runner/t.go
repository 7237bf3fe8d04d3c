package runner

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner/embedded"
	"etcdtour/runner/i18n"

	"etcdtour/runner/etcdctl"
)

// T is a lesson's handle on the run: the client it works with and the
// narrator it talks through. Its methods are safe to call from several
// goroutines.
type T struct {
	// Client talks to etcd with every key under the lesson's own prefix: a
	// lesson writes "greeting" and etcd stores PREFIX+"greeting". The runner
	// closes it after the lesson, which cancels its watches and keep-alives.
	Client *clientv3.Client
	// Cluster is the lesson's own embedded cluster, if its Needs asked
	// for one; nil otherwise. Client then talks to all of its members.
	Cluster *embedded.Cluster

	id          string
	prefix      string
	etcdctlEnv  string
	timeout     time.Duration
	rep         Reporter
	dial        func(endpoints []string) (*clientv3.Client, error) // nil endpoints: the run's
	raw         *clientv3.Client                                   // the runner's own client, for the clean-up
	ctx         context.Context                                    // the lesson's context, for Pause
	interactive bool
	pause       func(ctx context.Context, lesson string, step int, title string) bool
	quit        context.CancelFunc
	cleaning    bool // set once Run returned: the runner's clean-up reports
	code        interface {
		Step(file string, line int) string
	} // Config.Code
	lang i18n.Lang // what the narration is translated into

	mu         sync.Mutex
	step       int
	stepTitle  string
	failedCall string // the etcdctl line of the last request that failed
	lines      int    // etcdctl lines shown in this step
	hidden     int    // and requests not shown
	failures   []string
	clients    []*clientv3.Client
	leases     *leaseSet
	fenceKey   string // the lesson's fence (fence.go), "" once it is gone
	fenceRev   int64  // the revision the fence was created at

	calls compound // which requests are the concurrency package's (concurrency.go)
}

// report passes a lesson's event on, unless the lesson was interrupted or
// timed out: what it says after that is about calls that will not run.
func (t *T) report(e Event) {
	t.mu.Lock()
	drop := t.ctx != nil && t.ctx.Err() != nil && !t.cleaning
	e.Step = t.step
	t.mu.Unlock()
	if drop {
		return
	}
	e.Lesson = t.id
	t.rep.Report(e)
}

// said is an event of kind k that says format with args: its Text in the
// run's language, its Format and Args as said.
func (t *T) said(k Kind, format string, args []any) Event {
	return Event{Kind: k, Text: t.lang.Msg(format, args...), Format: format, Args: args}
}

// Timeout is how long one request may take (--command-timeout). Every call a
// lesson makes gets a context with this timeout: the client waits forever for
// a server that does not answer.
func (t *T) Timeout() time.Duration { return t.timeout }

// Key is the full key etcd stores for the lesson's key k, as etcdctl must
// name it.
func (t *T) Key(k string) string { return t.prefix + k }

// EtcdctlEnv is what etcdctl needs, as variables for export, to reach the
// cluster as the course does: ETCDCTL_ENDPOINTS and, on a TLS or auth
// cluster, the rest (but the password: etcdctl asks for it).
func (t *T) EtcdctlEnv() string { return t.etcdctlEnv }

// Interactive reports whether the learner asked to drive the lesson with
// their own etcdctl commands (--interactive).
func (t *T) Interactive() bool { return t.interactive }

// Step, Say, Result, Wait, Check and Equal take a format in English, the
// key of its translation (package i18n): the runner narrates in the run's
// language (Config.Lang).

// Step starts a new numbered step. In step mode it first waits for the
// presenter; if they quit, the lesson's context is cancelled.
func (t *T) Step(format string, args ...any) {
	t.endStep()
	e := t.said(KindStep, format, args)
	title := e.Text
	src, code := "", ""
	if _, file, line, ok := runtime.Caller(1); ok {
		src = fmt.Sprintf("%s/%s:%d", filepath.Base(filepath.Dir(file)), filepath.Base(file), line)
		if t.code != nil {
			code = t.code.Step(file, line)
		}
	}
	t.mu.Lock()
	t.step++
	step := t.step
	t.stepTitle = title
	t.mu.Unlock()
	if t.pause != nil && t.ctx.Err() == nil {
		release := t.holdLeases()
		ok := t.pause(t.ctx, t.id, step, title)
		release()
		if !ok {
			t.quit()
			return
		}
	}
	e.Source, e.Code = src, code
	t.report(e)
}

// Say explains something to the learner.
func (t *T) Say(format string, args ...any) {
	t.report(t.said(KindSay, format, args))
}

// Etcdctl shows the etcdctl command that does what the next call does, for
// the calls whose requests do not render as one: a watch, a lock, a
// keep-alive. (The etcdctl lines of unary calls come from the requests
// themselves.) Pass each argument separately; they are quoted for a POSIX
// shell as needed.
func (t *T) Etcdctl(args ...string) {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = etcdctl.Quote(a)
	}
	t.calls.listen(args)
	t.report(Event{Kind: KindEtcdctl, Text: "etcdctl " + strings.Join(q, " ")})
}

// Result shows what a call returned.
func (t *T) Result(format string, args ...any) {
	t.report(t.said(KindResult, format, args))
}

// Wait says that the lesson now waits for something, for about d if d > 0.
// The wait lasts until the lesson's next request, check, step or wait: what
// it reports with Result or Say meanwhile (each renewal, a lock acquired, an
// expiry) is part of the wait, and should be reported when it happens, not
// after the wait, so that a console shows it under the wait's line as it
// comes.
func (t *T) Wait(d time.Duration, format string, args ...any) {
	e := t.said(KindWait, format, args)
	e.Seconds = d.Seconds()
	t.report(e)
}

// holdLeases renews the lesson's leases until release is called, so that a
// presenter's pause does not expire a one-second lease before the step that
// shows it: time stands still while the course is paused. It also keeps
// every client's auth token in use: after a pause longer than the server's
// --auth-token-ttl the client would send the stale token until its
// deadline (etcd-io/etcd#12549), failing the lesson and its clean-up.
func (t *T) holdLeases() (release func()) {
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			for _, id := range t.leases.list() {
				ctx, cancel := context.WithTimeout(quiet(t.ctx), t.timeout)
				t.Client.KeepAliveOnce(ctx, id) // fails for revoked leases: fine
				cancel()
			}
			t.mu.Lock()
			clients := slices.Clone(t.clients)
			t.mu.Unlock()
			for _, c := range clients { // namespaced: counts the lesson's keys
				ctx, cancel := context.WithTimeout(quiet(t.ctx), t.timeout)
				c.Get(ctx, "", clientv3.WithPrefix(), clientv3.WithCountOnly())
				cancel()
			}
			ctx, cancel := context.WithTimeout(t.ctx, t.timeout)
			t.raw.Get(ctx, t.prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
			cancel()
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(stop); <-done }
}

// Check records whether ok holds. A false check fails the lesson, like
// testing.T.Errorf, and the lesson goes on. Check returns ok.
func (t *T) Check(ok bool, format string, args ...any) bool {
	e := t.said(KindCheck, format, args)
	e.OK = boolp(ok)
	if !ok {
		t.mu.Lock()
		t.failures = append(t.failures, e.Text)
		t.mu.Unlock()
	}
	t.report(e)
	return ok
}

// Equal checks that got equals want, like Check, and shows both when they
// differ. got and want compare as a program made from the lesson compares
// them: numbers of different integer types by value, so that
// t.Equal(resp.Count, 3, ...) works; slices element by element, as
// slices.Equal does (nil and empty are equal); maps entry by entry, as
// maps.Equal does; other values of one type with ==, or with
// reflect.DeepEqual where == cannot compare them.
func (t *T) Equal(got, want any, format string, args ...any) bool {
	e := t.said(KindCheck, format, args)
	ok := equal(got, want)
	e.OK, e.Got, e.Want = boolp(ok), shown(got), shown(want)
	if !ok {
		t.mu.Lock()
		t.failures = append(t.failures, t.lang.Msg("%s: got %v, want %v", e.Text, e.Got, e.Want))
		t.mu.Unlock()
	}
	t.report(e)
	return ok
}

// shown is v as Equal shows it: with fmt.Sprint, but the strings of a
// slice or array quoted, so that ["a b" "c"] differs from ["a" "b c"].
func shown(v any) string {
	if r := reflect.ValueOf(v); (r.Kind() == reflect.Slice || r.Kind() == reflect.Array) && r.Type().Elem().Kind() == reflect.String {
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprint(v)
}

func equal(got, want any) bool {
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	if !g.IsValid() || !w.IsValid() {
		return g.IsValid() == w.IsValid()
	}
	switch {
	case g.CanInt() && w.CanInt():
		return g.Int() == w.Int()
	case g.CanUint() && w.CanUint():
		return g.Uint() == w.Uint()
	case g.CanInt() && w.CanUint():
		return g.Int() >= 0 && uint64(g.Int()) == w.Uint()
	case g.CanUint() && w.CanInt():
		return w.Int() >= 0 && uint64(w.Int()) == g.Uint()
	}
	if g.Type() != w.Type() {
		return false
	}
	switch g.Kind() {
	case reflect.Slice:
		if !g.Type().Elem().Comparable() {
			break
		}
		if g.Len() != w.Len() {
			return false
		}
		for i := 0; i < g.Len(); i++ {
			if !g.Index(i).Equal(w.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if !g.Type().Elem().Comparable() {
			break
		}
		if g.Len() != w.Len() {
			return false
		}
		for it := g.MapRange(); it.Next(); {
			v := w.MapIndex(it.Key())
			if !v.IsValid() || !it.Value().Equal(v) {
				return false
			}
		}
		return true
	}
	if g.Comparable() {
		return g.Equal(w)
	}
	return reflect.DeepEqual(got, want)
}

// NewClient opens another client under the lesson's prefix, as a second
// program would. The runner closes it after the lesson.
func (t *T) NewClient() (*clientv3.Client, error) { return t.newClient(nil) }

// newClient opens a lesson client to endpoints (nil: the run's), which the
// runner closes after the lesson.
func (t *T) newClient(endpoints []string) (*clientv3.Client, error) {
	c, err := t.dial(endpoints)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	t.clients = append(t.clients, c)
	t.mu.Unlock()
	return c, nil
}

// leaseSet remembers every lease granted through a lesson's clients, so the
// runner revokes exactly those after the lesson and no other; and the
// leases whose Grant got no answer, which the server may have granted, or
// may grant later.
type leaseSet struct {
	mu      sync.Mutex
	ids     map[clientv3.LeaseID]bool
	unknown map[clientv3.LeaseID]int64 // ID → TTL of a Grant with no answer
	pending map[clientv3.LeaseID]int64 // ID → TTL of a Grant on its way
}

// asked records that a Grant for id leaves.
func (s *leaseSet) asked(id clientv3.LeaseID, ttl int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending == nil {
		s.pending = map[clientv3.LeaseID]int64{}
	}
	s.pending[id] = ttl
}

// answered records how the Grant for id ended: granted, refused, or with no
// answer (a timeout, a cancel, a lost connection), when it may still be
// granted, now or later.
func (s *leaseSet) answered(id clientv3.LeaseID, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ttl := s.pending[id]
	delete(s.pending, id)
	switch {
	case err == nil:
		s.ids[id] = true
	case transient(err):
		if s.unknown == nil {
			s.unknown = map[clientv3.LeaseID]int64{}
		}
		s.unknown[id] = ttl
	}
}

// unanswered returns the leases whose Grant got no answer, or has none yet,
// with their TTLs.
func (s *leaseSet) unanswered() map[clientv3.LeaseID]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[clientv3.LeaseID]int64{}
	for id, ttl := range s.unknown {
		out[id] = ttl
	}
	for id, ttl := range s.pending {
		out[id] = ttl
	}
	return out
}

func (s *leaseSet) list() []clientv3.LeaseID {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []clientv3.LeaseID
	for id := range s.ids {
		ids = append(ids, id)
	}
	return ids
}

// trackedLease records the leases it grants in a leaseSet.
type trackedLease struct {
	clientv3.Lease
	set     *leaseSet
	timeout time.Duration // --command-timeout, the longest a Grant may take
	// own is the client's own context (Client.Ctx): a Grant made with it
	// is a Session's, not the lesson's (compound).
	own context.Context
}

func (l trackedLease) ours(id clientv3.LeaseID) bool {
	l.set.mu.Lock()
	defer l.set.mu.Unlock()
	return l.set.ids[id]
}

// errForeignLease is returned for a call on a lease the lesson did not grant.
var errForeignLease = errors.New("etcdtour: lessons may only use leases they granted")

// Revoke refuses a lease the lesson did not grant: it may be someone else's.
// So do KeepAlive, KeepAliveOnce (which would keep someone else's keys
// alive) and TimeToLive (which would show someone else's keys).
func (l trackedLease) Revoke(ctx context.Context, id clientv3.LeaseID) (*clientv3.LeaseRevokeResponse, error) {
	if !l.ours(id) {
		return nil, fmt.Errorf("revoke lease %x: %w", id, errForeignLease)
	}
	return l.Lease.Revoke(ctx, id)
}

func (l trackedLease) KeepAlive(ctx context.Context, id clientv3.LeaseID) (<-chan *clientv3.LeaseKeepAliveResponse, error) {
	if !l.ours(id) {
		return nil, fmt.Errorf("keepalive lease %x: %w", id, errForeignLease)
	}
	return l.Lease.KeepAlive(ctx, id)
}

func (l trackedLease) KeepAliveOnce(ctx context.Context, id clientv3.LeaseID) (*clientv3.LeaseKeepAliveResponse, error) {
	if !l.ours(id) {
		return nil, fmt.Errorf("keepalive lease %x: %w", id, errForeignLease)
	}
	return l.Lease.KeepAliveOnce(ctx, id)
}

func (l trackedLease) TimeToLive(ctx context.Context, id clientv3.LeaseID, opts ...clientv3.LeaseOption) (*clientv3.LeaseTimeToLiveResponse, error) {
	if !l.ours(id) {
		return nil, fmt.Errorf("timetolive lease %x: %w", id, errForeignLease)
	}
	return l.Lease.TimeToLive(ctx, id, opts...)
}

// Leases lists only the lesson's own leases among the cluster's.
func (l trackedLease) Leases(ctx context.Context) (*clientv3.LeaseLeasesResponse, error) {
	resp, err := l.Lease.Leases(ctx)
	if err != nil {
		return nil, err
	}
	resp.Leases = slices.DeleteFunc(resp.Leases, func(s clientv3.LeaseStatus) bool { return !l.ours(s.ID) })
	return resp, nil
}

// grantGrace is how long a Grant may go on after the lesson was
// interrupted: the request may already be on its way, and a lease the server
// grants must be known to the clean-up, which revokes it.
const grantGrace = 500 * time.Millisecond

func (l trackedLease) Grant(ctx context.Context, ttl int64) (*clientv3.LeaseGrantResponse, error) {
	if ctx == l.own {
		ctx = context.WithValue(ctx, sessionKey{}, true)
	}
	gctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.timeout)
	defer cancel()
	if dl, ok := ctx.Deadline(); ok {
		gctx, cancel = context.WithDeadline(gctx, dl)
		defer cancel()
	}
	stop := context.AfterFunc(ctx, func() {
		if ctx.Err() == context.Canceled {
			time.AfterFunc(grantGrace, cancel)
		}
	})
	defer stop()
	resp, err := l.Lease.Grant(gctx, ttl)
	if err == nil {
		l.set.mu.Lock()
		l.set.ids[resp.ID] = true
		l.set.mu.Unlock()
	}
	return resp, err
}

// Ping asks etcd whether it still answers, with the runner's own request:
// it is not shown as the lesson's.
func (t *T) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(quiet(ctx), t.timeout)
	defer cancel()
	// The lesson's prefix: a Get of "" alone is refused (no key given).
	_, err := t.Client.Get(ctx, "", clientv3.WithPrefix(), clientv3.WithCountOnly())
	return err
}
