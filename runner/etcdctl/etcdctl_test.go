package etcdctl

import (
	"strings"
	"testing"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
)

// TestLine renders each kind of request as the etcdctl line that sends
// it: lease IDs in hex as etcdctl takes them, ranges as --prefix or
// --from-key, values that start with '-' after "--", a Txn as etcdctl's own
// txn input.
func TestLine(t *testing.T) {
	t.Parallel()
	put := func(k, v string) *pb.RequestOp {
		return &pb.RequestOp{Request: &pb.RequestOp_RequestPut{RequestPut: &pb.PutRequest{Key: []byte(k), Value: []byte(v)}}}
	}
	for _, c := range []struct {
		req  any
		want string
	}{
		{&pb.PutRequest{Key: []byte("/p/a"), Value: []byte("x y")}, "etcdctl put /p/a 'x y'"},
		{&pb.PutRequest{Key: []byte("/p/a"), Value: []byte("-1"), Lease: 0x694d, PrevKv: true}, "etcdctl put --lease=694d --prev-kv -- /p/a -1"},
		{&pb.PutRequest{Key: []byte("/p/a"), Value: []byte(strings.Repeat("x", 16384))}, `etcdctl put /p/a "$(head -c 16384 /dev/zero | tr '\0' x)"`},
		{&pb.PutRequest{Key: []byte("/p/a"), Value: []byte(strings.Repeat("x", 63))}, "etcdctl put /p/a " + strings.Repeat("x", 63)},
		{&pb.PutRequest{Key: []byte("/p/a"), Value: []byte(strings.Repeat("x", 99) + "y")}, "etcdctl put /p/a " + strings.Repeat("x", 99) + "y"},
		{&pb.RangeRequest{Key: []byte("/p/")}, "etcdctl get /p/"},
		{&pb.RangeRequest{Key: []byte("/p/"), RangeEnd: []byte("/p0")}, "etcdctl get --prefix /p/"},
		{&pb.RangeRequest{Key: []byte("/p/a"), RangeEnd: []byte("/p/c"), Revision: 7}, "etcdctl get --rev=7 /p/a /p/c"},
		{&pb.RangeRequest{Key: []byte("a"), RangeEnd: []byte{0}, Limit: 2, KeysOnly: true}, "etcdctl get --from-key --limit=2 --keys-only a"},
		{&pb.RangeRequest{Key: []byte("/p/"), RangeEnd: []byte("/p0"), CountOnly: true}, `etcdctl get --prefix /p/ -w json   # see "count"; keys and values in it are base64`},
		{&pb.DeleteRangeRequest{Key: []byte("/p/"), RangeEnd: []byte("/p0"), PrevKv: true}, "etcdctl del --prefix --prev-kv /p/"},
		{&pb.LeaseGrantRequest{TTL: 5}, "etcdctl lease grant 5"},
		{&pb.LeaseRevokeRequest{ID: 0x694d}, "etcdctl lease revoke 694d"},
		{&pb.LeaseTimeToLiveRequest{ID: 0x694d, Keys: true}, "etcdctl lease timetolive --keys 694d"},
		{&pb.LeaseLeasesRequest{}, "etcdctl lease list"},
		{&pb.MemberListRequest{}, "etcdctl member list -w table"},
		{&pb.CompactionRequest{Revision: 42}, "etcdctl compaction 42"},
		{&pb.CompactionRequest{Revision: 42, Physical: true}, "etcdctl compaction --physical 42"},
		{&pb.DefragmentRequest{}, "etcdctl defrag"},
		{&pb.TxnRequest{
			Compare: []*pb.Compare{{Key: []byte("/p/a"), Target: pb.Compare_CREATE, Result: pb.Compare_EQUAL,
				TargetUnion: &pb.Compare_CreateRevision{CreateRevision: 0}}},
			Success: []*pb.RequestOp{put("/p/a", "1")},
			Failure: []*pb.RequestOp{{Request: &pb.RequestOp_RequestRange{RequestRange: &pb.RangeRequest{Key: []byte("/p/a")}}}},
		}, "etcdctl txn <<'EOF'\ncreate(\"/p/a\") = \"0\"\n\nput \"/p/a\" \"1\"\n\nget \"/p/a\"\n\nEOF"},
		{&pb.WatchCreateRequest{Key: []byte("/p/"), RangeEnd: []byte("/p0"), StartRevision: 12, PrevKv: true}, "etcdctl watch --prefix --rev=12 --prev-kv /p/"},
		{&pb.WatchCreateRequest{Key: []byte("-k")}, "etcdctl watch -- -k"},
		{&pb.HashKVRequest{}, ""}, // not rendered
	} {
		if got := Line(c.req, ""); got != c.want {
			t.Errorf("%T:\n got %s\nwant %s", c.req, got, c.want)
		}
	}
	// Status and Defragment go to one member: the line names it.
	for req, want := range map[any]string{
		&pb.StatusRequest{}:     "ETCDCTL_ENDPOINTS=127.0.0.1:2379 etcdctl endpoint status -w table",
		&pb.DefragmentRequest{}: "ETCDCTL_ENDPOINTS=127.0.0.1:2379 etcdctl defrag",
	} {
		if got := Line(req, "127.0.0.1:2379"); got != want {
			t.Errorf("%T to one endpoint:\n got %s\nwant %s", req, got, want)
		}
	}
}

// TestToOne: the requests whose line names the endpoint they went to.
func TestToOne(t *testing.T) {
	t.Parallel()
	for req, want := range map[any]bool{
		&pb.StatusRequest{}: true, &pb.DefragmentRequest{}: true,
		&pb.RangeRequest{}: false, &pb.MemberListRequest{}: false,
	} {
		if got := ToOne(req); got != want {
			t.Errorf("ToOne(%T) = %v, want %v", req, got, want)
		}
	}
}

// TestQuote quotes for a POSIX shell only what needs it, and sh reads the
// quoted word as the word.
func TestQuote(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]string{
		"/p/a":             "/p/a",
		"127.0.0.1:2379,x": "127.0.0.1:2379,x",
		"--lease=694d":     "--lease=694d",
		"":                 "''",
		"a b":              "'a b'",
		"it's":             `'it'\''s'`,
		"$HOME":            "'$HOME'",
		"中文":               "'中文'",
	} {
		if got := Quote(s); got != want {
			t.Errorf("Quote(%q) = %s, want %s", s, got, want)
		}
	}
}
