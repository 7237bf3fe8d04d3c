package runner

// The etcdctl lines a lesson shows come from the requests its client
// actually sends: a gRPC interceptor on the lesson's client renders each
// request as the etcdctl command that sends the same request, with the full
// key as etcdctl must name it. Nothing is typed by hand beside the call, so
// nothing can drift from it.

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"etcdtour/runner/etcdctl"
)

// quietKey marks a context whose requests are the runner's own (keeping
// leases alive during a pause, say): they are not the lesson's and are not
// shown.
type quietKey struct{}

func quiet(ctx context.Context) context.Context { return context.WithValue(ctx, quietKey{}, true) }

// wire renders a lesson client's requests as etcdctl lines.
type wire struct {
	t *T
	// only is the one endpoint of a client of one member of the lesson's
	// own cluster (Cluster.Client): its lines name it, as a Status's do.
	only string
}

// interceptors returns the dial options that report the lesson's requests.
func (w wire) dialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithChainUnaryInterceptor(w.unary),
		grpc.WithChainStreamInterceptor(w.stream),
	}
}

func (w wire) unary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if ctx.Value(quietKey{}) != nil {
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	var line string
	var err error
	shown := false // the request's etcdctl line was shown
	w.observe(nil, req, true)
	defer func() {
		if err == nil {
			w.observe(nil, reply, false)
		}
	}()
	compound := w.t.calls.of(ctx, req)
	if etcdctl.ToOne(req) {
		// Status and Defragment go to one endpoint, which only the
		// connection knows.
		var p peer.Peer
		err = invoker(ctx, method, req, reply, cc, append(opts, grpc.Peer(&p))...)
		target := ""
		if p.Addr != nil {
			target = p.Addr.String()
		}
		line = etcdctl.Line(req, target)
		shown = w.report(line, method, compound)
	} else {
		line = etcdctl.Line(req, "")
		if line != "" && w.only != "" {
			line = "ETCDCTL_ENDPOINTS=" + etcdctl.Quote(w.only) + " " + line
		}
		if line != "" {
			shown = w.report(line, method, compound)
		}
		start := time.Now()
		err = invoker(ctx, method, req, reply, cc, opts...)
		if err == nil {
			w.t.timed(time.Since(start), method[strings.LastIndex(method, "/")+1:])
		}
	}
	if shown {
		// The etcdctl line shown has its answer: a console shows it
		// where the lesson says no result of its own.
		e, ok := w.t.replyOf(reply)
		if err != nil {
			e, ok = w.t.said(KindReply, "error: %s", []any{status.Convert(err).Message()}), true
		}
		if ok {
			e.Request = method[strings.LastIndex(method, "/")+1:]
			w.t.report(e)
		}
	}
	if line == "" {
		line = method
	}
	if err == nil {
		w.t.calls.answered(req, reply)
		w.t.sawTerm(reply)
	}
	if err != nil {
		msg := status.Convert(err).Message()
		w.t.mu.Lock()
		if w.t.failedCalls == nil {
			w.t.failedCalls = map[string]string{}
		}
		if prev, ok := w.t.failedCalls[msg]; ok && prev != line {
			line = "" // two requests failed so: which one the lesson returned is unknown
		}
		w.t.failedCalls[msg] = line
		w.t.mu.Unlock()
	}
	return err
}

// observe passes a message of the lesson's client to Config.Observer.
func (w wire) observe(stream, msg any, sent bool) {
	if w.t.obs != nil {
		w.t.obs.Wire(w.t.id, stream, msg, sent)
	}
}

// report shows line as the etcdctl equivalent of a request, unless the
// request is part of a compound call of the concurrency package (a Mutex's
// Lock, a Session: see compound): those show the one etcdctl command that
// does all of it, written by the lesson (T.Etcdctl), and their requests
// are recorded only. It reports whether the line was shown.
func (w wire) report(line, method string, compound bool) bool {
	kind := KindEtcdctl
	if compound {
		kind = KindRequest
	}
	if kind == KindEtcdctl && !w.t.showLine() {
		kind = KindRequest // a loop's: counted, and said once at the step's end
	}
	w.t.report(Event{Kind: kind, Text: line, Request: method[strings.LastIndex(method, "/")+1:]})
	return kind == KindEtcdctl
}

// maxEtcdctlPerStep is how many etcdctl lines of requests one step shows: a
// loop of a hundred increments shows its first lines, then how many more
// requests it made.
const maxEtcdctlPerStep = 12

// showLine reports whether the step may show one more etcdctl line.
func (t *T) showLine() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.lines < maxEtcdctlPerStep {
		t.lines++
		return true
	}
	t.hidden++
	return false
}

// endStep says how many of the step's requests were not shown, if any.
func (t *T) endStep() {
	t.mu.Lock()
	hidden := t.hidden
	t.lines, t.hidden = 0, 0
	slow, isSlow := t.slowSaid()
	t.mu.Unlock()
	if hidden > 0 {
		t.report(t.said(KindSay, "(and %d more requests like these, not shown: the lines do not replay)", []any{hidden}))
	}
	if isSlow {
		t.report(slow)
	}
}

// stream records the requests of streams: a watch's create request and
// keep-alives. A stream that sends exactly one keep-alive and closes is
// KeepAliveOnce, shown as "etcdctl lease keep-alive --once"; the rest is
// recorded only, for the lesson's own etcdctl line to be checked against.
func (w wire) stream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	s, err := streamer(ctx, desc, cc, method, opts...)
	if err != nil || ctx.Value(quietKey{}) != nil {
		return s, err
	}
	return &wireStream{ClientStream: s, w: w, method: method}, nil
}

type wireStream struct {
	grpc.ClientStream
	w      wire
	method string

	mu   sync.Mutex
	sent []any
	seen map[int64]bool // leases whose keep-alive was recorded
}

func (s *wireStream) SendMsg(m any) error {
	s.mu.Lock()
	if len(s.sent) < 2 { // enough to tell KeepAliveOnce
		s.sent = append(s.sent, m)
	}
	first := false
	if r, ok := m.(*pb.LeaseKeepAliveRequest); ok && !s.seen[r.ID] {
		if s.seen == nil {
			s.seen = map[int64]bool{}
		}
		s.seen[r.ID], first = true, true
	}
	s.mu.Unlock()
	s.w.observe(s, m, true)
	switch r := m.(type) {
	case *pb.WatchRequest:
		if c := r.GetCreateRequest(); c != nil {
			s.w.t.report(Event{Kind: KindRequest, Text: etcdctl.Line(c, ""), Request: "Watch"})
		}
	case *pb.LeaseKeepAliveRequest:
		if first {
			s.w.t.report(Event{Kind: KindRequest, Text: fmt.Sprintf("etcdctl lease keep-alive %x", r.ID), Request: "LeaseKeepAlive"})
		}
	}
	return s.ClientStream.SendMsg(m)
}

func (s *wireStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if err == nil {
		s.w.observe(s, m, false)
		s.w.t.sawTerm(m)
	}
	return err
}

func (s *wireStream) CloseSend() error {
	s.mu.Lock()
	sent := s.sent
	s.mu.Unlock()
	if len(sent) == 1 { // the concurrency package sends none
		if r, ok := sent[0].(*pb.LeaseKeepAliveRequest); ok {
			s.w.t.report(Event{Kind: KindEtcdctl, Text: fmt.Sprintf("etcdctl lease keep-alive --once %x", r.ID), Request: "LeaseKeepAlive"})
		}
	}
	return s.ClientStream.CloseSend()
}

// replyOf says in brief what etcd answered a request etcdctl.Line renders: the
// revision a write made, how many keys a read found, whether a Txn
// succeeded, a lease's ID and TTL, as a reply event (its words are the
// fields of etcd's answer, as etcdctl -w fields names them); false for an
// answer it does not say.
func (t *T) replyOf(reply any) (Event, bool) {
	switch r := reply.(type) {
	case *pb.PutResponse:
		return t.said(KindReply, "revision=%d", []any{r.GetHeader().GetRevision()}), true
	case *pb.RangeResponse:
		return t.said(KindReply, "count=%d, revision=%d", []any{r.Count, r.GetHeader().GetRevision()}), true
	case *pb.DeleteRangeResponse:
		return t.said(KindReply, "deleted=%d, revision=%d", []any{r.Deleted, r.GetHeader().GetRevision()}), true
	case *pb.TxnResponse:
		return t.said(KindReply, "succeeded=%v, revision=%d", []any{r.Succeeded, r.GetHeader().GetRevision()}), true
	case *pb.LeaseGrantResponse:
		return t.said(KindReply, "ID=%x, TTL=%d", []any{r.ID, r.TTL}), true
	case *pb.LeaseRevokeResponse:
		return t.said(KindReply, "revoked, revision=%d", []any{r.GetHeader().GetRevision()}), true
	case *pb.LeaseTimeToLiveResponse:
		return t.said(KindReply, "TTL=%d, keys=%d", []any{r.TTL, len(r.Keys)}), true
	case *pb.LeaseLeasesResponse:
		return t.said(KindReply, "leases=%d", []any{len(r.Leases)}), true
	case *pb.StatusResponse:
		return t.said(KindReply, "version=%s, leader=%x", []any{r.Version, r.Leader}), true
	case *pb.MemberListResponse:
		return t.said(KindReply, "members=%d", []any{len(r.Members)}), true
	case *pb.CompactionResponse:
		return t.said(KindReply, "compacted, revision=%d", []any{r.GetHeader().GetRevision()}), true
	case *pb.DefragmentResponse:
		return t.said(KindReply, "defragmented", nil), true
	}
	return Event{}, false
}
