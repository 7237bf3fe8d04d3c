package lessons_test

// Each lesson's checks can fail: run against a client that lies in one way
// the lesson is about, the lesson must fail, and say so where the lie is.

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/mvccpb"
	"google.golang.org/grpc"

	"etcdtour/lessons"
	"etcdtour/runner"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/runnertest"
)

// unaryLie changes each reply of type R after the server sent it (or each
// request of type R before it is sent, if before).
func unaryLie[R any](before bool, lie func(R)) grpc.DialOption {
	return grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if r, ok := req.(R); ok && before {
			lie(r)
		}
		err := invoker(ctx, method, req, reply, cc, opts...)
		if r, ok := reply.(R); ok && !before && err == nil {
			lie(r)
		}
		return err
	})
}

// streamLie wraps every stream the client opens.
func streamLie(wrap func(ctx context.Context, method string, s grpc.ClientStream) grpc.ClientStream) grpc.DialOption {
	return grpc.WithChainStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		s, err := streamer(ctx, desc, cc, method, opts...)
		if err != nil {
			return s, err
		}
		return wrap(ctx, method, s), nil
	})
}

// dropEvents is a watch stream that drops the events drop says to.
type dropEvents struct {
	grpc.ClientStream
	drop func(*mvccpb.Event) bool
}

func (s dropEvents) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if w, ok := m.(*pb.WatchResponse); ok && err == nil {
		var kept []*mvccpb.Event
		for _, ev := range w.Events {
			if !s.drop(ev) {
				kept = append(kept, ev)
			}
		}
		w.Events = kept
	}
	return err
}

// silentKeepAlive is a keep-alive stream whose renewals never leave.
type silentKeepAlive struct{ grpc.ClientStream }

func (silentKeepAlive) SendMsg(any) error { return nil }

// lies has, for each lesson, a lie it must catch and the words its
// failure must contain. A nil lie is one with state of its own, made new
// for each run by freshLies.
var lies = map[string]struct {
	lie  grpc.DialOption
	want string
}{
	"install": {unaryLie(false, func(r *pb.StatusResponse) { r.Leader = 0 }), "the cluster has a leader"},
	"put-get": {unaryLie(false, func(r *pb.RangeResponse) {
		for _, kv := range r.Kvs {
			kv.Value = []byte("something else")
		}
	}), "the value is what we put"},
	// The watch loses the event of the second write.
	"watch": {streamLie(func(_ context.Context, _ string, s grpc.ClientStream) grpc.ClientStream {
		return dropEvents{s, func(ev *mvccpb.Event) bool { return string(ev.Kv.Value) == "b" }}
	}), "2 of 3 watch events"},
	// The lease is granted for a minute, and says one second.
	"lease": {grpc.WithChainUnaryInterceptor(
		func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			g, ok := req.(*pb.LeaseGrantRequest)
			if !ok {
				return invoker(ctx, method, req, reply, cc, opts...)
			}
			asked := g.TTL
			g.TTL = 60
			err := invoker(ctx, method, req, reply, cc, opts...)
			reply.(*pb.LeaseGrantResponse).TTL = asked
			return err
		}), "0 of 2 watch events"},
	// KeepAlive's stream sends nothing (KeepAliveOnce, with a deadline, works).
	"keepalive": {streamLie(func(ctx context.Context, method string, s grpc.ClientStream) grpc.ClientStream {
		if _, ok := ctx.Deadline(); ok || !strings.HasSuffix(method, "/LeaseKeepAlive") {
			return s
		}
		return silentKeepAlive{s}
	}), "the lease was renewed repeatedly (0 times)"},
	// Every transaction says its condition held.
	"txn": {unaryLie(false, func(r *pb.TxnResponse) { r.Succeeded = true }), "the first create succeeds, the second runs Else"},
	// A proxy drops the fence: a write to the resource ignores its condition.
	"lock-loss": {unaryLie(true, func(r *pb.TxnRequest) {
		for _, op := range r.Success {
			if p := op.GetRequestPut(); p != nil && strings.HasSuffix(string(p.Key), "/resource") {
				r.Compare = nil
			}
		}
	}), "session 1's fenced write is refused"},
	// The lock's owner looks free to every Mutex.
	"lock": {unaryLie(false, func(r *pb.TxnResponse) {
		if len(r.Responses) == 2 {
			if rr := r.Responses[1].GetResponseRange(); rr != nil {
				rr.Kvs = nil
			}
		}
	}), "returns ErrLocked"},
	// The leader's key is hidden from the candidates that wait for it:
	// Campaign's read of the keys created before its own comes back empty,
	// so candidate 2 wins at once; and the lesson sees candidate 2 queue
	// only once that read has been answered, so that the lie shows within
	// the lesson's hold however slow the machine (electionLie).
	"election": {nil, "candidate 2 was elected while candidate 1 led"},
	// A proxy drops the fence: the old leader's write ignores its condition.
	"leader-loss": {unaryLie(true, func(r *pb.TxnRequest) {
		for _, op := range r.Success {
			if p := op.GetRequestPut(); p != nil && strings.HasSuffix(string(p.Key), "/config") {
				r.Compare = nil
			}
		}
	}), "a write that requires candidate 1's key fails"},
	// Watches lose every DELETE: the client never learns that an instance
	// died, and would keep sending it calls.
	"discovery": {streamLie(func(_ context.Context, _ string, s grpc.ClientStream) grpc.ClientStream {
		return dropEvents{s, func(ev *mvccpb.Event) bool { return ev.Type == mvccpb.DELETE }}
	}), "0 of 1 watch events"},
	// Compact says it compacted, and sent nothing: the history is all there.
	"history": {grpc.WithChainUnaryInterceptor(
		func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			if _, ok := req.(*pb.CompactionRequest); ok {
				reply.(*pb.CompactionResponse).Header = &pb.ResponseHeader{}
				return nil
			}
			return invoker(ctx, method, req, reply, cc, opts...)
		}), "a Get at revision"},
	// The resolver's watch loses every DELETE: the client keeps calling
	// the instance whose lease was revoked.
	"resolver": {streamLie(func(_ context.Context, _ string, s grpc.ClientStream) grpc.ClientStream {
		return dropEvents{s, func(ev *mvccpb.Event) bool { return ev.Type == mvccpb.DELETE }}
	}), "context deadline exceeded"},
	// Compact says it compacted and sent nothing: the member that was away
	// resumes its watch, and the watch goes on.
	"watch-away": {grpc.WithChainUnaryInterceptor(
		func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			if _, ok := req.(*pb.CompactionRequest); ok {
				reply.(*pb.CompactionResponse).Header = &pb.ResponseHeader{}
				return nil
			}
			return invoker(ctx, method, req, reply, cc, opts...)
		}), "the watch ends with ErrCompacted"},
	// The watch starts from "now", whatever revision it asks for: the
	// write made between the list and the watch is never seen.
	"watch-resume": {streamLie(func(_ context.Context, _ string, s grpc.ClientStream) grpc.ClientStream {
		return fromNow{s}
	}), "0 of 1 watch events"},
	// The re-list is read from a member that lags: it has not seen the key
	// written while the program was away.
	"watch-relist": {unaryLie(false, func(r *pb.RangeResponse) {
		r.Kvs = slices.DeleteFunc(r.Kvs, func(kv *mvccpb.KeyValue) bool { return strings.HasSuffix(string(kv.Key), "/jobs/4") })
	}), "the re-list has jobs/4's last value"},
	// A proxy acknowledges the first write and never forwards it.
	"failover": {grpc.WithChainUnaryInterceptor(
		func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			if p, ok := req.(*pb.PutRequest); ok && strings.HasSuffix(string(p.Key), "/w/00") {
				reply.(*pb.PutResponse).Header = &pb.ResponseHeader{Revision: 4}
				return nil
			}
			return invoker(ctx, method, req, reply, cc, opts...)
		}), "no acknowledged write is lost"},
	// Every read is sent as a linearizable one: the survivor's
	// serializable Get waits for a quorum there is none of.
	"quorum": {unaryLie(true, func(r *pb.RangeRequest) { r.Serializable = false }), "deadline exceeded"},
}

// freshLies makes, for each run, the lies that keep state.
var freshLies = map[string]func() []grpc.DialOption{"election": electionLie}

// electionLie hides, from each Campaign's wait, the keys created before
// its own: a candidate wins at once. And it holds back every watch event of
// a key created after the first Campaign's (candidate 2's, seen by Observe
// and by the lesson's watch) until a Campaign's wait has hidden a key
// (candidate 2's): when the lesson sees candidate 2 queue, candidate 2's
// Campaign has returned, or is returning, and the lesson's 100 ms hold
// catches it, on a machine as slow as it may be. (Without the hold-back, a
// loaded machine could answer candidate 2's read after the hold.) A hold
// ends after 5 s whatever happens, so that no lesson hangs on it.
func electionLie() []grpc.DialOption {
	hid := make(chan struct{})
	var once sync.Once
	// The revision of the first Campaign's key: its Txn puts the key if
	// its create revision is 0, and the Txn's revision is the key's.
	var first atomic.Int64
	hide := grpc.WithChainUnaryInterceptor(
		func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			err := invoker(ctx, method, req, reply, cc, opts...)
			if r, ok := req.(*pb.TxnRequest); ok && err == nil && len(r.Compare) == 1 && len(r.Success) == 1 &&
				r.Compare[0].Target == pb.Compare_CREATE && r.Compare[0].GetCreateRevision() == 0 && r.Success[0].GetRequestPut() != nil {
				if resp := reply.(*pb.TxnResponse); resp.Succeeded {
					first.CompareAndSwap(0, resp.Header.Revision)
				}
			}
			if r, ok := req.(*pb.RangeRequest); ok && r.MaxCreateRevision > 0 && err == nil {
				rr := reply.(*pb.RangeResponse)
				if len(rr.Kvs) > 0 {
					rr.Kvs = nil
					defer once.Do(func() { close(hid) })
				}
			}
			return err
		})
	holdBack := streamLie(func(_ context.Context, _ string, s grpc.ClientStream) grpc.ClientStream {
		return holdNew{s, &first, hid}
	})
	return []grpc.DialOption{hide, holdBack}
}

// holdNew is a watch stream that holds back a response with an event of a
// key created after first, until hid closes (or 5 s have passed).
type holdNew struct {
	grpc.ClientStream
	first *atomic.Int64
	hid   <-chan struct{}
}

func (s holdNew) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	w, ok := m.(*pb.WatchResponse)
	if !ok || err != nil {
		return err
	}
	for _, ev := range w.Events {
		if ev.Type != mvccpb.PUT || ev.Kv.Version != 1 {
			continue
		}
		if f := s.first.Load(); f == 0 || ev.Kv.CreateRevision <= f {
			continue
		}
		select {
		case <-s.hid:
		case <-time.After(5 * time.Second):
		}
		break
	}
	return err
}

// fromNow is a watch stream whose watches all start from the next revision.
type fromNow struct{ grpc.ClientStream }

func (s fromNow) SendMsg(m any) error {
	if w, ok := m.(*pb.WatchRequest); ok && w.GetCreateRequest() != nil {
		w.GetCreateRequest().StartRevision = 0
	}
	return s.ClientStream.SendMsg(m)
}

// runLying runs lesson l with a client that lies, and returns how it ended
// and what it said.
func runLying(t *testing.T, l runner.Lesson, lie []grpc.DialOption) (runner.Status, string, *runnertest.Recorder) {
	// One run decides: a request that takes longer than this without any
	// lie (a Put on a machine with a load of 19 took more than 1 s) would
	// fail the lesson for another reason than its lie.
	timeout := 3 * time.Second
	if l.Needs.Members > 1 {
		// A write through three members' raft, under -race, can take
		// longer than a second without any lie.
		timeout = 5 * time.Second
	}
	sum, rec := runnertest.Run(t, runner.Config{
		Conn:        etcdconn.Conn{CommandTimeout: timeout},
		DialOptions: lie,
	}, l)
	r := sum.Lessons[0]
	return r.Status, r.Error + " " + strings.Join(r.Failures, "; "), rec
}

// dialOptions are the lie of lesson id, made new if it keeps state.
func dialOptions(id string) []grpc.DialOption {
	if fresh := freshLies[id]; fresh != nil {
		return fresh()
	}
	return []grpc.DialOption{lies[id].lie}
}

func TestChecksCanFail(t *testing.T) {
	t.Parallel()
	for _, l := range lessons.Course {
		t.Run(l.ID, func(t *testing.T) {
			t.Parallel()
			lie, ok := lies[l.ID]
			if ok {
				status, said, rec := runLying(t, l, dialOptions(l.ID))
				if status != runner.StatusFailed || !strings.Contains(said, lie.want) {
					t.Errorf("%s with a lying client: %s %q, want failed with %q\n%s", l.ID, status, said, lie.want, rec.String())
				}
				return
			}
			// A new lesson without a lie of its own must be caught by one
			// of the others' (add one to lies to say which, and why).
			caught := make(chan string, len(lies))
			t.Run("any lie", func(t *testing.T) {
				for id := range lies {
					t.Run(id, func(t *testing.T) {
						t.Parallel()
						if status, said, _ := runLying(t, l, dialOptions(id)); status == runner.StatusFailed {
							caught <- id + "'s lie: " + said
						}
					})
				}
			})
			close(caught)
			if said, ok := <-caught; ok {
				t.Logf("%s fails against %s", l.ID, said)
			} else {
				t.Errorf("%s passes against every lying client: its checks cannot fail (add a lie to lies)", l.ID)
			}
		})
	}
}
