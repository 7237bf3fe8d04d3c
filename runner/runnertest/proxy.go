package runnertest

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"

	"etcdtour/runner/loopback"
)

// Proxy forwards TCP connections to an etcd, for tests of a server that
// stops answering. Freeze drops every byte from then on, both ways, on every
// connection, as a SIGSTOPped etcd would; Stall holds the connections
// accepted from then on, never answered, while the others go on working.
type Proxy struct {
	r       *loopback.Relay
	closing chan struct{} // closed when the test ends: stalled connections go

	frozen     chan struct{}
	freezeOnce sync.Once
	clientGone chan struct{}
	goneOnce   sync.Once
	sent       chan struct{}
	sentOnce   sync.Once

	mu              sync.Mutex
	stalled, marked bool
}

// NewProxy starts a proxy to target on a free loopback port. t.Cleanup
// closes it and every connection through it.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	p := &Proxy{closing: make(chan struct{}), frozen: make(chan struct{}),
		clientGone: make(chan struct{}), sent: make(chan struct{})}
	r, err := loopback.Listen(p.forward)
	if err != nil {
		t.Fatal(err)
	}
	r.SetTarget(target)
	p.r = r
	t.Cleanup(func() {
		close(p.closing)
		r.Close()
	})
	return p
}

// Addr is the proxy's host:port, the endpoint to give the client.
func (p *Proxy) Addr() string { return p.r.Addr() }

// Freeze drops everything from now on: no byte is forwarded again.
func (p *Proxy) Freeze() { p.freezeOnce.Do(func() { close(p.frozen) }) }

// Stall holds the connections accepted from now on: never forwarded,
// never answered. Those accepted before go on working.
func (p *Proxy) Stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stalled = true
}

// Mark says that the connections accepted from now on are marked: a
// runner's own client connects before its first event, the lesson's after.
func (p *Proxy) Mark() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.marked = true
}

// ClientGone is closed when, after the freeze, a client closes its
// connection: a lesson's client, closed as its clean-up begins.
func (p *Proxy) ClientGone() <-chan struct{} { return p.clientGone }

// UnmarkedSent is closed when, after the freeze, a client sends on a
// connection accepted before Mark: the runner's own, sending its clean-up.
func (p *Proxy) UnmarkedSent() <-chan struct{} { return p.sent }

// forward is the relay's Forward: a stalled connection is held, unread,
// until the test ends; the others are copied both ways until the freeze.
func (p *Proxy) forward(c net.Conn, dial func() (net.Conn, error)) {
	p.mu.Lock()
	stalled, unmarked := p.stalled, !p.marked
	p.mu.Unlock()
	if stalled {
		<-p.closing // held: never read, never answered
		return
	}
	s, err := dial()
	if err != nil {
		return
	}
	var wg sync.WaitGroup
	wg.Go(func() { p.pipe(s, c, true, unmarked) })
	p.pipe(c, s, false, false)
	wg.Wait()
}

// pipe copies src to dst until the freeze, then drops what comes.
func (p *Proxy) pipe(dst, src net.Conn, fromClient, unmarked bool) {
	b := make([]byte, 32<<10)
	for {
		n, err := src.Read(b)
		select {
		case <-p.frozen:
			if fromClient && unmarked && n > 0 {
				p.sentOnce.Do(func() { close(p.sent) })
			}
			if err != nil {
				if fromClient && errors.Is(err, io.EOF) {
					p.goneOnce.Do(func() { close(p.clientGone) })
				}
				return
			}
			continue
		default:
		}
		if n > 0 {
			if _, werr := dst.Write(b[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			dst.Close()
			return
		}
	}
}
