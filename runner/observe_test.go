package runner_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/runnertest"
)

// observer records what an Observer is shown: its own watch's events on
// the lesson's keys, and the lesson's watch requests on the wire.
type observer struct {
	mu      sync.Mutex
	prefix  string
	events  []string // "PUT a", "DELETE a"
	left    int      // keys a List found once the observer's ctx ended
	watches []string // the lesson's watch create requests: full key
	got     int      // events delivered to the lesson's watches
	ended   bool
}

func (o *observer) Lesson(ctx context.Context, v runner.View) func() {
	o.mu.Lock()
	o.prefix = v.Prefix
	o.mu.Unlock()
	// List before returning, so the watch starts before the lesson's
	// first write (the runner calls Lesson before it runs the lesson).
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	list, err := v.List(lctx)
	cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err != nil {
			return
		}
		for ev := range v.Watcher.Watch(ctx, "", clientv3.WithPrefix(), clientv3.WithRev(list.Header.Revision+1)) {
			o.mu.Lock()
			for _, e := range ev.Events {
				o.events = append(o.events, e.Type.String()+" "+string(e.Kv.Key))
			}
			o.mu.Unlock()
		}
	}()
	return func() {
		<-done
		// The watch may not have delivered the clean-up's delete: a last
		// List says what is left.
		lctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		list, err := v.List(lctx)
		o.mu.Lock()
		defer o.mu.Unlock()
		o.ended, o.left = err == nil, -1
		if err == nil {
			o.left = len(list.Kvs)
		}
	}
}

func (o *observer) Wire(lesson string, stream, msg any, sent bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch m := msg.(type) {
	case *pb.WatchRequest:
		if c := m.GetCreateRequest(); c != nil {
			o.watches = append(o.watches, string(c.Key))
		}
	case *pb.WatchResponse:
		o.got += len(m.Events)
	}
}

// TestObserver: an Observer sees the lesson's keys change through its own
// watch, the clean-up's delete included, and the lesson's watch on the
// wire with its full key; its watch ends when the runner ends it.
func TestObserver(t *testing.T) {
	t.Parallel()
	srv := runnertest.Server(t)
	o := &observer{}
	sum, rec := runnertest.Run(t, runner.Config{
		Conn: etcdconn.Conn{Endpoints: []string{srv.Endpoint()}}, RunID: "observed", Observer: o,
	}, lesson("seen", func(ctx context.Context, t *runner.T) error {
		cli := t.Client
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		put, err := cli.Put(ctx1, "a", "1")
		cancel()
		if err != nil {
			return err
		}
		wctx, wcancel := context.WithCancel(ctx)
		defer wcancel()
		wch := cli.Watch(wctx, "a", clientv3.WithRev(put.Header.Revision))
		select {
		case <-wch:
		case <-ctx.Done():
			return ctx.Err()
		}
		ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
		_, err = cli.Put(ctx1, "a", "2")
		cancel()
		return err
	}))
	runnertest.MustPass(t, sum, rec)
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.ended || o.left != 0 {
		t.Errorf("the observer's wait: called %v, its last List found %d keys, want 0", o.ended, o.left)
	}
	if o.prefix != "/etcdtour/observed/seen/" {
		t.Errorf("prefix %q", o.prefix)
	}
	want := []string{mvccpb.PUT.String() + " a", "PUT a", "DELETE a"}
	if len(o.events) == 2 {
		want = want[:2] // the delete came after the observer's ctx ended
	}
	if !slices.Equal(o.events, want) {
		t.Errorf("observer's watch saw %q, want %q", o.events, want)
	}
	if !slices.Equal(o.watches, []string{"/etcdtour/observed/seen/a"}) {
		t.Errorf("lesson's watches on the wire: %q", o.watches)
	}
	if o.got < 1 {
		t.Errorf("the lesson's watch delivered %d events to the observer, want at least 1", o.got)
	}
}

// statusObserver asks each member of the lesson's own cluster how it is.
type statusObserver struct {
	mu      sync.Mutex
	names   []string
	leaders []uint64 // each member's answer: its leader's ID
}

func (o *statusObserver) Lesson(ctx context.Context, v runner.View) func() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.names = v.Names
	for _, ep := range v.Members {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		st, err := v.Status(sctx, ep)
		cancel()
		if err == nil {
			o.leaders = append(o.leaders, st.Leader)
		}
	}
	return func() {}
}

func (o *statusObserver) Wire(string, any, any, bool) {}

// TestObserverOwnCluster: an Observer of a lesson with a cluster of its own
// gets its members, and their Status.
func TestObserverOwnCluster(t *testing.T) {
	t.Parallel()
	srv := runnertest.Server(t)
	o := &statusObserver{}
	sum, rec := runnertest.Run(t, runner.Config{
		Conn: etcdconn.Conn{Endpoints: []string{srv.Endpoint()}}, OwnServers: true, TempDir: t.TempDir(), Observer: o,
	}, ownLesson("own", 1, func(ctx context.Context, t *runner.T) error { return nil }))
	runnertest.MustPass(t, sum, rec)
	o.mu.Lock()
	defer o.mu.Unlock()
	if !slices.Equal(o.names, []string{"m1"}) || len(o.leaders) != 1 || o.leaders[0] == 0 {
		t.Errorf("members %q, their leaders %x: want m1, which knows its leader", o.names, o.leaders)
	}
}
