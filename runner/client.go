package runner

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// lessonClient is the run's side of a lesson's clients, beside T, the
// narrator: how they are dialled (namespace, guards, tracked leases, the
// fence, the wire hook: runLesson's dial), the clients opened, the leases
// they granted, the lesson's fence, and the runner's own client. The
// clean-up undoes what it holds.
type lessonClient struct {
	prefix  string                                             // the lesson's keys, PREFIX+RUNID+"/"+ID+"/"
	timeout time.Duration                                      // --command-timeout
	dial    func(endpoints []string) (*clientv3.Client, error) // nil endpoints: the run's
	leases  *leaseSet

	mu       sync.Mutex
	raw      *clientv3.Client // the runner's own client, for the clean-up
	clients  []*clientv3.Client
	fenceKey string // the lesson's fence (fence.go), "" when there is none
	fenceRev int64  // the revision the fence was created at
}

// open opens a lesson client to endpoints (nil: the run's), which the
// runner closes after the lesson.
func (c *lessonClient) open(endpoints []string) (*clientv3.Client, error) {
	cli, err := c.dial(endpoints)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.clients = append(c.clients, cli)
	c.mu.Unlock()
	return cli, nil
}

// take returns the lesson's clients, for the clean-up to close, and
// forgets them.
func (c *lessonClient) take() []*clientv3.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	clients := c.clients
	c.clients = nil
	return clients
}

// fence returns the lesson's fence key and the revision it was created at,
// or "" when there is none.
func (c *lessonClient) fence() (string, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fenceKey, c.fenceRev
}

// hold renews the lesson's leases until release is called, so that a
// presenter's pause does not expire a one-second lease before the step that
// shows it: time stands still while the course is paused. It also keeps
// every client's auth token in use: after a pause longer than the server's
// --auth-token-ttl the client would send the stale token until its
// deadline (etcd-io/etcd#12549), failing the lesson and its clean-up.
func (c *lessonClient) hold(ctx context.Context, lesson *clientv3.Client) (release func()) {
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			for _, id := range c.leases.list() {
				rctx, cancel := context.WithTimeout(quiet(ctx), c.timeout)
				lesson.KeepAliveOnce(rctx, id) // fails for revoked leases: fine
				cancel()
			}
			c.mu.Lock()
			clients, raw := slices.Clone(c.clients), c.raw
			c.mu.Unlock()
			for _, cli := range clients { // namespaced: counts the lesson's keys
				rctx, cancel := context.WithTimeout(quiet(ctx), c.timeout)
				cli.Get(rctx, "", clientv3.WithPrefix(), clientv3.WithCountOnly())
				cancel()
			}
			rctx, cancel := context.WithTimeout(ctx, c.timeout)
			raw.Get(rctx, c.prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
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
