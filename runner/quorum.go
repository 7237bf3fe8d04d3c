package runner

// The runner's own requests (the clean-up, the fences, the run's lease)
// must succeed whenever a majority of members does, even when the member
// the client happens to use has stalled: a SIGSTOPped member keeps its
// connections open and answers nothing, and the client's balancer goes on
// sending it every third request. So the runner has one client per
// endpoint, and sends each of its requests through them all, one after
// another until one answers (members.do).

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"etcdtour/runner/etcdconn"
	"etcdtour/runner/i18n"
)

// members holds a client for each endpoint, for the runner's own requests.
type members struct {
	eps   []string
	clis  []*clientv3.Client
	ready []chan struct{} // closed once clis[i] is set (or could not be)
	next  atomic.Uint32   // which endpoint goes first, in turn
	rtt   time.Duration   // the cluster's round trip, measured at start
	hedge time.Duration   // hedgeFor(rtt)
}

// newMembers opens a client per endpoint. With one endpoint it is raw.
// The clients are opened in the background: with auth, opening one
// authenticates, and a member that does not answer would hold up the run.
func newMembers(c etcdconn.Conn, raw *clientv3.Client) *members {
	m := &members{eps: c.Endpoints} // hedged at once until connect sets it
	for range c.Endpoints {
		m.clis = append(m.clis, nil)
		m.ready = append(m.ready, make(chan struct{}))
	}
	if len(c.Endpoints) == 1 {
		m.clis[0] = raw
		close(m.ready[0])
		return m
	}
	for i, ep := range c.Endpoints {
		go func() {
			defer close(m.ready[i])
			one := c
			one.Endpoints = []string{ep}
			if cli, err := one.Client(); err == nil {
				m.clis[i] = cli
			}
		}()
	}
	return m
}

// close closes the clients newMembers opened, once they are open.
func (m *members) close() {
	if len(m.eps) == 1 {
		return
	}
	for i := range m.eps {
		<-m.ready[i]
		if m.clis[i] != nil {
			m.clis[i].Close()
		}
	}
}

// hedgeBase is how long a request to one member may go unanswered before
// it is sent through the next one too, on a cluster close by.
const hedgeBase = 300 * time.Millisecond

// hedgeFor is the hedge on a cluster whose round trip is rtt. A request
// through a member's client that has not connected yet takes three round
// trips (TCP's, HTTP/2's settings, the request's): hedged sooner, a
// cluster 100 ms away got every Grant of the run's lease twice, and the
// run ended with a false "may still grant it later".
func hedgeFor(rtt time.Duration) time.Duration { return hedgeBase + 4*rtt }

// budget is how long one of the run's own requests (the run's lease, a
// fence, a clean-up) may take: --command-timeout and at least 5 s, and 4
// of the cluster's round trips more, for a connection it may open.
func (m *members) budget(c etcdconn.Conn) time.Duration {
	return max(c.CommandTimeout, 5*time.Second) + 4*m.rtt
}

// do runs f through the members' clients until one call succeeds or answers
// for good, and returns that answer; or, when ctx ends first, the first
// error. It starts with one member, in turn, and adds the next after hedge,
// or at once when a call fails for a reason another member may not have
// (no answer, no leader, a timeout). A failing member is tried again every
// 100 ms. f must be safe to repeat: the calls that did not answer may still
// be applied later.
func (m *members) do(ctx context.Context, f func(context.Context, *clientv3.Client) error) error {
	var wg sync.WaitGroup
	defer wg.Wait() // after cancel
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := len(m.eps)
	first := int(m.next.Add(1)) % n
	results := make(chan error, n) // a success or a final answer
	failed := make(chan error, n)  // a member's first failure
	start := func(i int) {
		wg.Go(func() {
			select {
			case <-m.ready[i]:
			case <-ctx.Done():
				return
			}
			cli := m.clis[i]
			if cli == nil {
				failed <- fmt.Errorf("no client for %s", m.eps[i])
				return
			}
			for tries := 0; ; tries++ {
				err := f(ctx, cli)
				if ctx.Err() != nil {
					return
				}
				if !transient(err) {
					results <- err
					return
				}
				if tries == 0 {
					failed <- err
				}
				select {
				case <-ctx.Done():
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		})
	}
	started := 1
	start(first)
	next := func() {
		if started < n {
			start((first + started) % n)
			started++
		}
	}
	var firstErr error
	timer := time.NewTimer(m.hedge)
	defer timer.Stop()
	for {
		select {
		case err := <-results:
			return err
		case err := <-failed:
			if firstErr == nil {
				firstErr = err
			}
			next()
		case <-timer.C:
			next()
			if started < n {
				timer.Reset(m.hedge)
			}
		case <-ctx.Done():
			if firstErr == nil {
				firstErr = ctx.Err()
			}
			return firstErr
		}
	}
}

// transient reports whether err may not be the cluster's final answer:
// no answer in time, no connection, no leader, a leader change, too many
// requests. Another member, or the same one a moment later, may answer. A
// refusal for a raised alarm (a full database) is an answer.
func transient(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	if refused(err) {
		return false // a raised alarm: the cluster's answer (alarm.go)
	}
	switch grpcCode(err) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled, codes.ResourceExhausted:
		return true
	}
	return false
}

// grpcCode is the gRPC code of a client error, whether the client turned it
// into an rpctypes.EtcdError or not.
func grpcCode(err error) codes.Code {
	var ee rpctypes.EtcdError
	if errors.As(err, &ee) {
		return ee.Code()
	}
	return status.Code(err)
}

// health finds out, within d, whether the cluster can still serve the run:
// some member serves a linearizable read (which needs a leader and a
// majority), or at least knows a leader. If none does, it returns one line
// saying which members answer and that none knows a leader.
func (m *members) health(ctx context.Context, lang i18n.Lang, raw *clientv3.Client, prefix string, d time.Duration) (ok bool, why string) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	type seen struct {
		answered bool
		leader   uint64
	}
	var mu sync.Mutex
	last := make([]seen, len(m.eps))
	var wg sync.WaitGroup
	// What each member says of itself, until the read succeeds or d ends.
	for i, ep := range m.eps {
		wg.Go(func() {
			for ctx.Err() == nil {
				sctx, scancel := context.WithTimeout(ctx, time.Second)
				st, err := raw.Status(sctx, ep)
				scancel()
				if err == nil {
					mu.Lock()
					last[i] = seen{answered: true, leader: st.Leader}
					mu.Unlock()
				}
				select {
				case <-ctx.Done():
				case <-time.After(200 * time.Millisecond):
				}
			}
		})
	}
	err := m.do(ctx, func(ctx context.Context, cli *clientv3.Client) error {
		_, err := cli.Get(ctx, prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
		return err
	})
	readOK := err == nil
	if !readOK && !transient(err) {
		readOK = true // an answer all the same: the cluster works
	}
	cancel()
	wg.Wait()
	if readOK {
		return true, ""
	}
	var answer, noLeader, silent []string
	for i, s := range last {
		switch {
		case !s.answered:
			silent = append(silent, m.eps[i])
		case s.leader == 0:
			noLeader = append(noLeader, m.eps[i])
		default:
			answer = append(answer, m.eps[i])
		}
	}
	if len(answer) > 0 {
		// A member that answers and knows a leader: the reads failed for
		// another reason (a slow or stale sign-in, an overloaded member),
		// not for want of a leader. (A member cut off from the others
		// forgets its leader within etcd's election timeout.)
		return true, ""
	}
	if len(noLeader) == 0 {
		return false, lang.Msg("etcd at %s no longer answers (no endpoint within %v)", strings.Join(m.eps, ","), d)
	}
	var parts []string
	if len(noLeader) > 0 {
		parts = append(parts, lang.Msg("%s: answers, knows no leader", strings.Join(noLeader, ", ")))
	}
	if len(silent) > 0 {
		parts = append(parts, lang.Msg("%s: no answer", strings.Join(silent, ", ")))
	}
	return false, lang.Msg("the etcd cluster has no leader (%s): nothing can be read or written until most of its members are back", strings.Join(parts, "; "))
}
