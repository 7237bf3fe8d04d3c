// Package loopback owns the TCP plumbing of servers on 127.0.0.1: a free
// port to listen on, and a Relay that forwards connections from an address
// of its own to a target that may move, and cuts them on cue.
//
// A lesson's own cluster puts a Relay in front of each member, so that
// stopping a member cuts its clients off at once, as a crash does; the tests'
// proxies (runnertest) are Relays whose Forward stalls, freezes or holds
// what passes.
package loopback

import (
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// FreeAddr returns a host:port on 127.0.0.1 that was free a moment ago.
// Another program may bind it before the caller does: a caller that binds
// it later must be ready to take another (errors.Is(err,
// syscall.EADDRINUSE)).
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("no free port on 127.0.0.1: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// Forward carries one connection a Relay accepted. dial connects to the
// relay's target; the relay closes client, and what dial returned, on Cut
// and Close, and when Forward returns. Forward returns once it is done
// with both.
type Forward func(client net.Conn, dial func() (net.Conn, error))

// Pipe is the plain Forward: it copies both ways until either side ends,
// and then ends both.
func Pipe(client net.Conn, dial func() (net.Conn, error)) {
	target, err := dial()
	if err != nil {
		return
	}
	var wg sync.WaitGroup
	copy := func(dst, src net.Conn) {
		io.Copy(dst, src)
		dst.Close()
		src.Close()
	}
	wg.Go(func() { copy(target, client) })
	copy(client, target)
	wg.Wait()
}

// A Relay accepts connections on an address of its own, fixed for its
// life, and forwards each to its target. While it is down it closes each
// connection as soon as it accepts it, as a crashed server's host refuses
// it; it keeps its port, so that no other program can take the address.
type Relay struct {
	addr    string
	forward Forward

	mu     sync.Mutex
	target string // host:port; empty until SetTarget
	down   bool   // close what comes in
	ln     net.Listener
	conns  map[net.Conn]bool
	wg     sync.WaitGroup
}

// Listen starts a relay on a free port of 127.0.0.1, up, with no target
// yet (a connection is closed as soon as it is accepted until SetTarget).
// Each accepted connection is handed to forward (nil means Pipe) in a
// goroutine of its own.
func Listen(forward Forward) (*Relay, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("no free port on 127.0.0.1: %w", err)
	}
	if forward == nil {
		forward = Pipe
	}
	r := &Relay{addr: ln.Addr().String(), forward: forward, ln: ln, conns: map[net.Conn]bool{}}
	r.wg.Go(func() { r.accept(ln) })
	return r, nil
}

// Addr is the relay's own host:port, for clients.
func (r *Relay) Addr() string { return r.addr }

// SetTarget says where to forward the connections accepted from now on.
func (r *Relay) SetTarget(hostport string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.target = hostport
}

// Open forwards again after Cut. It fails once the relay is closed.
func (r *Relay) Open() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ln == nil {
		return fmt.Errorf("address %s: the relay is closed", r.addr)
	}
	r.down = false
	return nil
}

// Cut drops every connection, and closes those that come in until Open.
func (r *Relay) Cut() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = true
	for c := range r.conns {
		c.Close()
	}
}

// Close stops accepting, drops every connection, and waits until every
// Forward has returned. The port is free again after it.
func (r *Relay) Close() {
	r.mu.Lock()
	if r.ln != nil {
		r.ln.Close()
		r.ln = nil
	}
	r.down = true
	for c := range r.conns {
		c.Close()
	}
	r.mu.Unlock()
	r.wg.Wait()
}

func (r *Relay) accept(ln net.Listener) {
	for {
		in, err := ln.Accept()
		if err != nil {
			return
		}
		if !r.track(ln, in) {
			in.Close()
			continue
		}
		r.wg.Go(func() {
			var out net.Conn
			r.forward(in, func() (net.Conn, error) {
				r.mu.Lock()
				target := r.target
				r.mu.Unlock()
				c, err := net.DialTimeout("tcp", target, time.Second)
				if err != nil {
					return nil, err
				}
				if !r.track(ln, c) { // cut or closed meanwhile
					c.Close()
					return nil, fmt.Errorf("address %s: the relay was cut", r.addr)
				}
				out = c
				return c, nil
			})
			r.untrack(in)
			if out != nil {
				r.untrack(out)
			}
		})
	}
}

// track adds c to the connections Cut and Close drop, unless the relay
// (listening on ln) is down or closed.
func (r *Relay) track(ln net.Listener, c net.Conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ln != ln || r.down {
		return false
	}
	r.conns[c] = true
	return true
}

// untrack closes c and forgets it.
func (r *Relay) untrack(c net.Conn) {
	c.Close()
	r.mu.Lock()
	delete(r.conns, c)
	r.mu.Unlock()
}
