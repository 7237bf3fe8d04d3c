package runner

// The etcdctl lines a lesson shows come from the requests its client
// actually sends: a gRPC interceptor on the lesson's client renders each
// request as the etcdctl command that sends the same request, with the full
// key as etcdctl must name it. Nothing is typed by hand beside the call, so
// nothing can drift from it.

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/peer"
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
	if toOne(req) {
		// Status and Defragment go to one endpoint, which only the
		// connection knows.
		var p peer.Peer
		err = invoker(ctx, method, req, reply, cc, append(opts, grpc.Peer(&p))...)
		target := ""
		if p.Addr != nil {
			target = p.Addr.String()
		}
		line = Etcdctl(req, target)
		w.report(line, method)
	} else {
		line = Etcdctl(req, "")
		if line != "" && w.only != "" {
			line = "ETCDCTL_ENDPOINTS=" + shellQuote(w.only) + " " + line
		}
		if line != "" {
			w.report(line, method)
		}
		err = invoker(ctx, method, req, reply, cc, opts...)
	}
	if line == "" {
		line = method
	}
	w.t.mu.Lock()
	if err != nil {
		w.t.failedCall = line
	} else {
		w.t.failedCall = ""
	}
	w.t.mu.Unlock()
	return err
}

// report shows line as the etcdctl equivalent of a request, unless the
// request is part of a compound call of the concurrency package (a Mutex's
// Lock, a Session): those show the one etcdctl command that does all of it,
// written by the lesson (T.Etcdctl), and their requests are recorded only.
func (w wire) report(line, method string) {
	kind := KindEtcdctl
	if fromConcurrency() {
		kind = KindRequest
	}
	if kind == KindEtcdctl && !w.t.showLine() {
		kind = KindRequest // a loop's: counted, and said once at the step's end
	}
	w.t.report(Event{Kind: kind, Text: line, Request: method[strings.LastIndex(method, "/")+1:]})
}

// MaxEtcdctlPerStep is how many etcdctl lines of requests one step shows: a
// loop of a hundred increments shows its first lines, then how many more
// requests it made.
const MaxEtcdctlPerStep = 12

// showLine reports whether the step may show one more etcdctl line.
func (t *T) showLine() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.lines < MaxEtcdctlPerStep {
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
	t.mu.Unlock()
	if hidden > 0 {
		t.report(Event{Kind: KindSay, Text: t.lang.Msg("(and %d more requests like these: not shown)", hidden),
			Also: t.alt("(and %d more requests like these: not shown)", hidden)})
	}
}

// compound are the functions of the concurrency package whose requests
// are shown as one etcdctl command (lock, elect, elect --listen): the rest
// (Unlock's delete, a Session's revoke, an Election's Proclaim, Resign and
// Leader) are shown as they are. Observe's requests come from the goroutine
// it starts, (*Election).observe.
var compound = []string{"NewSession", "Mutex).Lock", "Mutex).TryLock", "Campaign", "Observe", "observe", "STM", "stm"}

func fromConcurrency() bool {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if fn, ok := strings.CutPrefix(f.Function, "go.etcd.io/etcd/client/v3/concurrency."); ok &&
			slices.ContainsFunc(compound, func(c string) bool { return strings.Contains(fn, c) }) {
			return true
		}
		if !more {
			return false
		}
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
	return &wireStream{ClientStream: s, w: w, method: method, concurrency: fromConcurrency()}, nil
}

type wireStream struct {
	grpc.ClientStream
	w           wire
	method      string
	concurrency bool

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
	switch r := m.(type) {
	case *pb.WatchRequest:
		if c := r.GetCreateRequest(); c != nil {
			s.w.t.report(Event{Kind: KindRequest, Text: watchLine(c), Request: "Watch"})
		}
	case *pb.LeaseKeepAliveRequest:
		if first {
			s.w.t.report(Event{Kind: KindRequest, Text: fmt.Sprintf("etcdctl lease keep-alive %x", r.ID), Request: "LeaseKeepAlive"})
		}
	}
	return s.ClientStream.SendMsg(m)
}

func (s *wireStream) CloseSend() error {
	s.mu.Lock()
	sent := s.sent
	s.mu.Unlock()
	if len(sent) == 1 && !s.concurrency {
		if r, ok := sent[0].(*pb.LeaseKeepAliveRequest); ok {
			s.w.t.report(Event{Kind: KindEtcdctl, Text: fmt.Sprintf("etcdctl lease keep-alive --once %x", r.ID), Request: "LeaseKeepAlive"})
		}
	}
	return s.ClientStream.CloseSend()
}

// Etcdctl renders a request as the etcdctl command line that sends the
// same request, or "" for a request it does not render. target is the
// endpoint a call to one endpoint (Status) went to, if known.
func Etcdctl(req any, target string) string {
	switch r := req.(type) {
	case *pb.PutRequest:
		return "etcdctl " + putArgs(r)
	case *pb.RangeRequest:
		return "etcdctl " + rangeArgs(r)
	case *pb.DeleteRangeRequest:
		return "etcdctl " + delArgs(r)
	case *pb.TxnRequest:
		return txnLine(r)
	case *pb.LeaseGrantRequest:
		return fmt.Sprintf("etcdctl lease grant %d", r.TTL)
	case *pb.LeaseRevokeRequest:
		return fmt.Sprintf("etcdctl lease revoke %x", r.ID)
	case *pb.LeaseTimeToLiveRequest:
		if r.Keys {
			return fmt.Sprintf("etcdctl lease timetolive --keys %x", r.ID)
		}
		return fmt.Sprintf("etcdctl lease timetolive %x", r.ID)
	case *pb.LeaseLeasesRequest:
		return "etcdctl lease list"
	case *pb.StatusRequest:
		if target == "" {
			return "etcdctl endpoint status -w table"
		}
		return "ETCDCTL_ENDPOINTS=" + shellQuote(target) + " etcdctl endpoint status -w table"
	case *pb.MemberListRequest:
		return "etcdctl member list -w table"
	case *pb.CompactionRequest:
		if r.Physical {
			return fmt.Sprintf("etcdctl compaction --physical %d", r.Revision)
		}
		return fmt.Sprintf("etcdctl compaction %d", r.Revision)
	case *pb.DefragmentRequest:
		if target == "" {
			return "etcdctl defrag"
		}
		return "ETCDCTL_ENDPOINTS=" + shellQuote(target) + " etcdctl defrag"
	}
	return ""
}

// toOne reports whether req is a request the client sends to one endpoint
// it names, not to any: its etcdctl line names the endpoint.
func toOne(req any) bool {
	switch req.(type) {
	case *pb.StatusRequest, *pb.DefragmentRequest:
		return true
	}
	return false
}

// args joins etcdctl arguments, quoted for a POSIX shell as needed; a key
// or value that starts with '-' comes after "--", as etcdctl requires.
func args(flags []string, operands ...string) string {
	out := flags
	for _, o := range operands {
		if strings.HasPrefix(o, "-") {
			out = append(out, "--")
			break
		}
	}
	for _, o := range operands {
		out = append(out, shellQuote(o))
	}
	return strings.Join(out, " ")
}

func putArgs(r *pb.PutRequest) string {
	flags := []string{"put"}
	if r.Lease != 0 {
		flags = append(flags, fmt.Sprintf("--lease=%x", r.Lease))
	}
	if r.PrevKv {
		flags = append(flags, "--prev-kv")
	}
	if r.IgnoreLease {
		flags = append(flags, "--ignore-lease")
	}
	if r.IgnoreValue {
		flags = append(flags, "--ignore-value")
		return args(flags, string(r.Key))
	}
	if v, ok := repeated(r.Value); ok {
		return args(flags, string(r.Key)) + " " + v
	}
	return args(flags, string(r.Key), string(r.Value))
}

// repeated writes a long value of one letter or digit repeated, such as
// 16 KiB of "x", as the shell command that makes it: the same request, on
// one line a person can read.
func repeated(v []byte) (string, bool) {
	if len(v) < 64 || strings.Trim(string(v), string(v[:1])) != "" ||
		!(v[0] >= 'a' && v[0] <= 'z' || v[0] >= 'A' && v[0] <= 'Z' || v[0] >= '0' && v[0] <= '9') {
		return "", false
	}
	return fmt.Sprintf(`"$(head -c %d /dev/zero | tr '\0' %c)"`, len(v), v[0]), true
}

// keyRange gives the flags and operands of a key range as etcdctl names it:
// one key, --prefix, --from-key, or a key and a range end.
func keyRange(flags []string, key, end []byte) (f []string, operands []string) {
	switch {
	case len(end) == 0:
		return flags, []string{string(key)}
	case string(end) == "\x00":
		return append(flags, "--from-key"), []string{string(key)}
	case string(end) == prefixEnd(key):
		return append(flags, "--prefix"), []string{string(key)}
	}
	return flags, []string{string(key), string(end)}
}

// prefixEnd is the range end that covers every key starting with key, as
// clientv3.GetPrefixRangeEnd computes it.
func prefixEnd(key []byte) string {
	end := []byte(string(key))
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return string(end[:i+1])
		}
	}
	return "\x00"
}

func rangeArgs(r *pb.RangeRequest) string {
	flags, ops := keyRange([]string{"get"}, r.Key, r.RangeEnd)
	if r.Revision > 0 {
		flags = append(flags, fmt.Sprintf("--rev=%d", r.Revision))
	}
	if r.Limit > 0 {
		flags = append(flags, fmt.Sprintf("--limit=%d", r.Limit))
	}
	if r.SortOrder != pb.RangeRequest_NONE {
		flags = append(flags, "--order="+r.SortOrder.String(), "--sort-by="+sortTarget(r.SortTarget))
	}
	if r.Serializable {
		flags = append(flags, "--consistency=s")
	}
	if r.KeysOnly {
		flags = append(flags, "--keys-only")
	}
	line := args(flags, ops...)
	if r.CountOnly {
		// etcdctl 3.4 has no --count-only: its JSON output has the count.
		line += ` -w json   # see "count"; keys and values in it are base64`
	}
	return line
}

func sortTarget(t pb.RangeRequest_SortTarget) string {
	if t == pb.RangeRequest_MOD {
		return "MODIFY"
	}
	return t.String()
}

func delArgs(r *pb.DeleteRangeRequest) string {
	flags, ops := keyRange([]string{"del"}, r.Key, r.RangeEnd)
	if r.PrevKv {
		flags = append(flags, "--prev-kv")
	}
	return args(flags, ops...)
}

func watchLine(r *pb.WatchCreateRequest) string {
	flags, ops := keyRange([]string{"watch"}, r.Key, r.RangeEnd)
	if r.StartRevision > 0 {
		flags = append(flags, fmt.Sprintf("--rev=%d", r.StartRevision))
	}
	if r.PrevKv {
		flags = append(flags, "--prev-kv")
	}
	return "etcdctl " + args(flags, ops...)
}

// txnLine renders a Txn as etcdctl's own txn input, on standard input:
// the comparisons, a blank line, the operations on success, a blank line,
// the operations on failure, a blank line.
func txnLine(r *pb.TxnRequest) string {
	var b strings.Builder
	b.WriteString("etcdctl txn <<'EOF'\n")
	for _, c := range r.Compare {
		b.WriteString(compareLine(c) + "\n")
	}
	b.WriteString("\n")
	for _, op := range r.Success {
		b.WriteString(opLine(op) + "\n")
	}
	b.WriteString("\n")
	for _, op := range r.Failure {
		b.WriteString(opLine(op) + "\n")
	}
	b.WriteString("\nEOF")
	return b.String()
}

func compareLine(c *pb.Compare) string {
	var target, value string
	switch c.Target {
	case pb.Compare_VERSION:
		target, value = "ver", strconv.FormatInt(c.GetVersion(), 10)
	case pb.Compare_CREATE:
		target, value = "create", strconv.FormatInt(c.GetCreateRevision(), 10)
	case pb.Compare_MOD:
		target, value = "mod", strconv.FormatInt(c.GetModRevision(), 10)
	case pb.Compare_VALUE:
		target, value = "val", string(c.GetValue())
	case pb.Compare_LEASE:
		target, value = "lease", strconv.FormatInt(c.GetLease(), 16)
	}
	op := map[pb.Compare_CompareResult]string{pb.Compare_EQUAL: "=", pb.Compare_GREATER: ">",
		pb.Compare_LESS: "<", pb.Compare_NOT_EQUAL: "!="}[c.Result]
	return fmt.Sprintf("%s(%q) %s %q", target, c.Key, op, value)
}

// opLine renders one operation of a Txn as etcdctl's txn reads it: the
// words of put, get or del, with Go-quoted keys and values.
func opLine(op *pb.RequestOp) string {
	q := func(flags []string, ops ...string) string {
		if slices.ContainsFunc(ops, func(o string) bool { return strings.HasPrefix(o, "-") }) {
			flags = append(flags, "--")
		}
		for _, o := range ops {
			flags = append(flags, strconv.Quote(o))
		}
		return strings.Join(flags, " ")
	}
	switch r := op.Request.(type) {
	case *pb.RequestOp_RequestPut:
		p := r.RequestPut
		flags := []string{"put"}
		if p.Lease != 0 {
			flags = append(flags, fmt.Sprintf("--lease=%x", p.Lease))
		}
		if p.PrevKv {
			flags = append(flags, "--prev-kv")
		}
		return q(flags, string(p.Key), string(p.Value))
	case *pb.RequestOp_RequestRange:
		g := r.RequestRange
		flags, ops := keyRange([]string{"get"}, g.Key, g.RangeEnd)
		if g.Revision > 0 {
			flags = append(flags, fmt.Sprintf("--rev=%d", g.Revision))
		}
		if g.Limit > 0 {
			flags = append(flags, fmt.Sprintf("--limit=%d", g.Limit))
		}
		if g.KeysOnly {
			flags = append(flags, "--keys-only")
		}
		return q(flags, ops...)
	case *pb.RequestOp_RequestDeleteRange:
		d := r.RequestDeleteRange
		flags, ops := keyRange([]string{"del"}, d.Key, d.RangeEnd)
		if d.PrevKv {
			flags = append(flags, "--prev-kv")
		}
		return q(flags, ops...)
	case *pb.RequestOp_RequestTxn:
		return "# a nested txn: etcdctl txn cannot send one"
	}
	return ""
}
