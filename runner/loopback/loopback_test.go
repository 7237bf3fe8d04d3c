package loopback

import (
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// echo serves one echo server on a free port until the test ends.
func echo(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { l.Close(); <-done })
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	return l.Addr().String()
}

// roundTrip sends a byte through c and reads it back.
func roundTrip(c net.Conn) error {
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte{42}); err != nil {
		return err
	}
	b := make([]byte, 1)
	_, err := io.ReadFull(c, b)
	return err
}

// TestRelay: a relay forwards to its target; Cut drops what it carries and
// closes what comes in while keeping its port; Open forwards again; Close
// frees the port.
func TestRelay(t *testing.T) {
	r, err := Listen(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.SetTarget(echo(t))
	c, err := net.Dial("tcp", r.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := roundTrip(c); err != nil {
		t.Fatalf("through the relay: %v", err)
	}
	r.Cut()
	if err := roundTrip(c); err == nil {
		t.Error("a connection carried on after Cut")
	}
	if l, err := net.Listen("tcp", r.Addr()); err == nil {
		l.Close()
		t.Errorf("the port %s was free to take after Cut", r.Addr())
	} else if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("taking %s after Cut: %v, want EADDRINUSE", r.Addr(), err)
	}
	if c2, err := net.Dial("tcp", r.Addr()); err == nil {
		if roundTrip(c2) == nil {
			t.Error("a connection made after Cut was forwarded")
		}
		c2.Close()
	}
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	c3, err := net.Dial("tcp", r.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c3.Close()
	if err := roundTrip(c3); err != nil {
		t.Fatalf("after Open: %v", err)
	}
	r.Close()
	if err := r.Open(); err == nil {
		t.Error("Open after Close succeeded")
	}
	l, err := net.Listen("tcp", r.Addr())
	if err != nil {
		t.Fatalf("the port after Close: %v", err)
	}
	l.Close()
}
