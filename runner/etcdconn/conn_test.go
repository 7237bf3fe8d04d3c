package etcdconn

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/goleak"
	"go.uber.org/zap"
	"golang.org/x/net/http2"

	"etcdtour/runner/embedded"
)

// TestMain fails the run if a probe's or a client's goroutine is left
// behind. (runnertest.Main cannot be used here: runnertest imports the
// runner, which imports this package.)
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDialTimeoutTooShort: when the dial timeout has passed and the
// cluster then answers, with a leader, the diagnosis says the timeout was
// too short, naming it. The deadline given to diagnose is generous, so
// that the late answer comes within it however loaded the machine: one run
// decides (the binary's 1 ms case, in TestConnFlags, has 300 ms for it).
func TestDialTimeoutTooShort(t *testing.T) {
	srv, err := embedded.StartServer(embedded.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := Conn{Endpoints: []string{srv.Endpoint()}, DialTimeout: time.Millisecond}
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	err = c.diagnose(time.Now().Add(10*time.Second), cli, nil)
	if err == nil || !strings.Contains(err.Error(), "only after --dial-timeout 1ms had passed: that is too short") {
		t.Errorf("diagnose of a healthy etcd after a 1ms dial timeout: %v, want it called too short", err)
	}
}

// TestSilentServerDiagnosis: a server that accepts connections and never
// answers is explained as one, and the diagnosis keeps its deadline: given
// one already past, it returns rather than wait for an answer that never
// comes. (runner.TestSilentServer holds the whole run to the dial timeout
// plus half a second.)
func TestSilentServerDiagnosis(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	held := make(chan net.Conn, 16)
	go func() {
		defer close(held)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held <- c // never read, never answered
		}
	}()
	defer func() {
		l.Close()
		for c := range held {
			c.Close()
		}
	}()
	c := Conn{Endpoints: []string{l.Addr().String()}, DialTimeout: 2 * time.Second}
	done := make(chan error, 1)
	go func() { done <- c.explain(context.DeadlineExceeded, time.Now().Add(-diagnoseBudget), nil, nil) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), l.Addr().String()) || strings.Contains(err.Error(), "\n") {
			t.Errorf("explain: %v, want one line naming %s", err, l.Addr())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the diagnosis of a silent server did not keep its deadline: still waiting after 10s")
	}
	// The promise (docs/cluster.md): the error within the dial timeout plus
	// half a second, process start and exit included.
	if diagnoseBudget > 300*time.Millisecond {
		t.Errorf("diagnoseBudget %v leaves less than 200ms of the promised 500ms for the process", diagnoseBudget)
	}
}

// TestNotEtcd: a web server (here one that answers every HTTP/2 request
// with 404, as a proxy did for a newcomer) is explained as not etcd, with
// its HTTP status, not as raw gRPC; nothing listening on this machine is
// said at once, long before the dial timeout.
func TestNotEtcd(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http2.Server{}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer l.Close()
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				srv.ServeConn(c, &http2.ServeConnOpts{Handler: http.NotFoundHandler()})
			})
		}
	})
	// A port that was free a moment ago: nothing listens there.
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := free.Addr().String()
	free.Close()
	for ep, want := range map[string]string{
		l.Addr().String(): l.Addr().String() + " answered with HTTP 404 (Not Found), not as etcd",
		refused:           "nothing listens at " + refused + " (connection refused)",
	} {
		// A dial timeout far longer than any test waits: the answer must
		// not come from the timeout.
		c := Conn{Endpoints: []string{ep}, DialTimeout: time.Hour}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		d, err := c.Dial(ctx)
		cancel()
		if err == nil {
			d.Stop()
			d.Client.Close()
			t.Fatalf("%s: Dial succeeded", ep)
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", ep, err, want)
		}
	}
}
