package runnertest

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy forwards TCP connections to an etcd, for tests of a server that
// stops answering. Freeze drops every byte from then on, both ways, on every
// connection, as a SIGSTOPped etcd would; Stall holds the connections
// accepted from then on, never answered, while the others go on working.
type Proxy struct {
	l      net.Listener
	target string
	wg     sync.WaitGroup

	frozen     chan struct{}
	freezeOnce sync.Once
	clientGone chan struct{}
	goneOnce   sync.Once
	sent       chan struct{}
	sentOnce   sync.Once

	mu              sync.Mutex
	stalled, marked bool
	conns           []net.Conn
}

// NewProxy starts a proxy to target on a free loopback port. t.Cleanup
// closes it and every connection through it.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{l: l, target: target, frozen: make(chan struct{}),
		clientGone: make(chan struct{}), sent: make(chan struct{})}
	t.Cleanup(func() {
		l.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	p.wg.Go(p.accept)
	return p
}

// Addr is the proxy's host:port, the endpoint to give the client.
func (p *Proxy) Addr() string { return p.l.Addr().String() }

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

func (p *Proxy) accept() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.conns = append(p.conns, c)
		stalled, unmarked := p.stalled, !p.marked
		p.mu.Unlock()
		if stalled {
			continue // held: never read, never answered
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, s)
		p.mu.Unlock()
		p.wg.Go(func() { p.pipe(s, c, true, unmarked) })
		p.wg.Go(func() { p.pipe(c, s, false, false) })
	}
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
