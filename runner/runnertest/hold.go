package runnertest

import (
	"encoding/binary"
	"io"
	"net"
	"sync"
	"testing"

	"etcdtour/runner/loopback"
)

// HoldProxy forwards TCP connections to an etcd member, and can hold what
// clients send, as a member that stalled would hold it in its socket
// buffers, then hand it on: the requests a client gave up on reach etcd
// late and are applied. A SIGSTOPped member that resumes reads the client's
// cancel (an HTTP/2 RST_STREAM) right after the request, and mostly, not
// always, drops the request; the proxy drops the cancels, so that the
// late write the runner must make harmless always comes.
type HoldProxy struct {
	r *loopback.Relay

	mu    sync.Mutex
	held  bool
	conns []*heldConn
}

type heldConn struct {
	c, s   net.Conn
	mu     sync.Mutex
	frames [][]byte // held, in order
}

// NewHoldProxy starts a proxy to target on a free loopback port. t.Cleanup
// closes it and every connection through it.
func NewHoldProxy(t testing.TB, target string) *HoldProxy {
	t.Helper()
	p := &HoldProxy{}
	r, err := loopback.Listen(p.forward)
	if err != nil {
		t.Fatal(err)
	}
	r.SetTarget(target)
	p.r = r
	t.Cleanup(r.Close)
	return p
}

// Addr is the proxy's host:port, the endpoint to give the client.
func (p *HoldProxy) Addr() string { return p.r.Addr() }

// Hold holds, from now on, every frame clients send (but their cancels,
// RST_STREAM and GOAWAY, which are dropped), and drops what etcd sends.
func (p *HoldProxy) Hold() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.held = true
}

// Release hands etcd what was held, in order, and forwards again.
func (p *HoldProxy) Release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.held = false
	for _, hc := range p.conns {
		hc.mu.Lock()
		for _, f := range hc.frames {
			hc.s.Write(f)
		}
		hc.frames = nil
		hc.mu.Unlock()
	}
}

func (p *HoldProxy) isHeld() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.held
}

// forward is the relay's Forward: frame by frame from the client, as a
// whole from etcd.
func (p *HoldProxy) forward(c net.Conn, dial func() (net.Conn, error)) {
	s, err := dial()
	if err != nil {
		return
	}
	hc := &heldConn{c: c, s: s}
	p.mu.Lock()
	p.conns = append(p.conns, hc)
	p.mu.Unlock()
	var wg sync.WaitGroup
	wg.Go(func() { p.fromClient(hc) })
	p.fromServer(hc)
	wg.Wait()
}

// preface is what an HTTP/2 client sends first, before its frames.
const preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// fromClient forwards the client's bytes frame by frame, so that it can
// hold whole frames. A client that hangs up while held does not hang up on
// etcd: etcd would cancel what it reads before.
func (p *HoldProxy) fromClient(hc *heldConn) {
	var buf []byte
	b := make([]byte, 32<<10)
	sawPreface := false
	for {
		n, err := hc.c.Read(b)
		buf = append(buf, b[:n]...)
		if !sawPreface && len(buf) >= len(preface) {
			hc.s.Write(buf[:len(preface)])
			buf, sawPreface = buf[len(preface):], true
		}
		for sawPreface && len(buf) >= 9 {
			size := 9 + int(binary.BigEndian.Uint32(append([]byte{0}, buf[:3]...)))
			if len(buf) < size {
				break
			}
			frame := append([]byte(nil), buf[:size]...)
			buf = buf[size:]
			p.mu.Lock()
			held := p.held
			hc.mu.Lock()
			p.mu.Unlock()
			switch typ := frame[3]; {
			case !held:
				hc.s.Write(frame)
			case typ == 0x3 || typ == 0x7: // RST_STREAM, GOAWAY
			default:
				hc.frames = append(hc.frames, frame)
			}
			hc.mu.Unlock()
		}
		if err != nil {
			if !p.isHeld() && err == io.EOF {
				hc.s.Close()
			}
			return
		}
	}
}

// fromServer forwards etcd's bytes unless held.
func (p *HoldProxy) fromServer(hc *heldConn) {
	b := make([]byte, 32<<10)
	for {
		n, err := hc.s.Read(b)
		if n > 0 && !p.isHeld() {
			if _, werr := hc.c.Write(b[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			hc.c.Close()
			return
		}
	}
}
