package runnertest

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"etcdtour/runner/loopback"
)

// NewDelayProxy starts a proxy to target on a free loopback port that
// delays every byte by d each way, as a cluster far away does (a cloud
// cluster from a laptop: 100 ms each way). What passes keeps its order and
// flows on while earlier bytes are on their way: the delay is a line's,
// not a queue's. A new connection waits d before the proxy dials the
// target, as a SYN would. t.Cleanup closes it and every connection
// through it.
func NewDelayProxy(t testing.TB, target string, d time.Duration) (addr string) {
	t.Helper()
	addr, _ = NewVarDelayProxy(t, target, d)
	return addr
}

// NewVarDelayProxy is NewDelayProxy whose delay set changes, from then on:
// a cluster that becomes slow (crowded) in the middle of a run.
func NewVarDelayProxy(t testing.TB, target string, d time.Duration) (addr string, set func(time.Duration)) {
	t.Helper()
	var delay atomic.Int64
	delay.Store(int64(d))
	get := func() time.Duration { return time.Duration(delay.Load()) }
	r, err := loopback.Listen(func(c net.Conn, dial func() (net.Conn, error)) {
		time.Sleep(get())
		s, err := dial()
		if err != nil {
			return
		}
		var wg sync.WaitGroup
		wg.Go(func() { delayLine(s, c, get) })
		delayLine(c, s, get)
		wg.Wait()
	})
	if err != nil {
		t.Fatal(err)
	}
	r.SetTarget(target)
	t.Cleanup(r.Close)
	return r.Addr(), func(d time.Duration) { delay.Store(int64(d)) }
}

// delayLine copies src to dst, each chunk d() after it was read, until
// src ends or dst fails; then it closes both.
func delayLine(dst, src net.Conn, d func() time.Duration) {
	type chunk struct {
		b  []byte
		at time.Time
	}
	ch := make(chan chunk, 256)
	go func() {
		defer close(ch)
		for {
			b := make([]byte, 32<<10)
			n, err := src.Read(b)
			if n > 0 {
				ch <- chunk{b[:n], time.Now().Add(d())}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range ch {
		time.Sleep(time.Until(c.at))
		if _, err := dst.Write(c.b); err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
	for range ch { // the reader ends once src is closed
	}
}
