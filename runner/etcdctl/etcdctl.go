// Package etcdctl renders the requests of etcd's v3 API as the etcdctl
// command lines that send the same requests (etcdctl 3.4's syntax), and
// quotes words for a POSIX shell. It is pure: no connection, no etcd.
package etcdctl

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
)

// Line renders a request as the etcdctl command line that sends the
// same request, or "" for a request it does not render. target is the
// endpoint a call to one endpoint (Status, Defragment: see ToOne) went to,
// if known. A watch's create request renders as the etcdctl watch that
// makes the same watch; a Txn as etcdctl txn with its input in a
// here-document, on the lines after the first.
func Line(req any, target string) string {
	switch r := req.(type) {
	case *pb.WatchCreateRequest:
		return watchLine(r)
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
		return "ETCDCTL_ENDPOINTS=" + Quote(target) + " etcdctl endpoint status -w table"
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
		return "ETCDCTL_ENDPOINTS=" + Quote(target) + " etcdctl defrag"
	}
	return ""
}

// ToOne reports whether req is a request the client sends to one endpoint
// it names, not to any: its etcdctl line names the endpoint.
func ToOne(req any) bool {
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
		out = append(out, Quote(o))
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

// Quote quotes s for a POSIX shell when it needs it: a word of letters,
// digits and -_./:=,@%+ stays as it is, anything else is put in single
// quotes.
func Quote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,@%+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
