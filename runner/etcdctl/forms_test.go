package etcdctl

import (
	"testing"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
)

// TestCompareForms renders every comparison target with every operator:
// a renderer that writes one operator, or one target, for another fails.
func TestCompareForms(t *testing.T) {
	t.Parallel()
	targets := []struct {
		target pb.Compare_CompareTarget
		union  func() isCompareTarget
		word   string
		val    string
	}{
		{pb.Compare_VERSION, func() isCompareTarget { return &pb.Compare_Version{Version: 2} }, "ver", "2"},
		{pb.Compare_CREATE, func() isCompareTarget { return &pb.Compare_CreateRevision{CreateRevision: 3} }, "create", "3"},
		{pb.Compare_MOD, func() isCompareTarget { return &pb.Compare_ModRevision{ModRevision: 4} }, "mod", "4"},
		{pb.Compare_VALUE, func() isCompareTarget { return &pb.Compare_Value{Value: []byte("v 1")} }, "val", "v 1"},
		{pb.Compare_LEASE, func() isCompareTarget { return &pb.Compare_Lease{Lease: 0x694d} }, "lease", "694d"},
	}
	ops := map[pb.Compare_CompareResult]string{pb.Compare_EQUAL: "=", pb.Compare_GREATER: ">", pb.Compare_LESS: "<", pb.Compare_NOT_EQUAL: "!="}
	for _, tg := range targets {
		for result, op := range ops {
			c := &pb.Compare{Key: []byte("/p/k"), Target: tg.target, Result: result}
			setUnion(c, tg.union())
			want := tg.word + `("/p/k") ` + op + ` "` + tg.val + `"`
			if got := compareLine(c); got != want {
				t.Errorf("%s %s: got %s, want %s", c.Target, result, got, want)
			}
		}
	}
}

// TestRangeForms renders each form of a range (one key, a prefix, from a
// key, a key and an end) and each option, in a request and in a Txn.
func TestRangeForms(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		req  any
		want string
	}{
		// The four forms of a range, for get, del and watch.
		{&pb.RangeRequest{Key: []byte("/p/a")}, "etcdctl get /p/a"},
		{&pb.RangeRequest{Key: []byte("/p/"), RangeEnd: []byte("/p0")}, "etcdctl get --prefix /p/"},
		{&pb.RangeRequest{Key: []byte("/p/a"), RangeEnd: []byte{0}}, "etcdctl get --from-key /p/a"},
		{&pb.RangeRequest{Key: []byte("/p/a"), RangeEnd: []byte("/p/c")}, "etcdctl get /p/a /p/c"},
		{&pb.DeleteRangeRequest{Key: []byte("/p/a")}, "etcdctl del /p/a"},
		{&pb.DeleteRangeRequest{Key: []byte("/p/a"), RangeEnd: []byte{0}}, "etcdctl del --from-key /p/a"},
		{&pb.DeleteRangeRequest{Key: []byte("/p/a"), RangeEnd: []byte("/p/c")}, "etcdctl del /p/a /p/c"},
		{&pb.WatchCreateRequest{Key: []byte("/p/a")}, "etcdctl watch /p/a"},
		{&pb.WatchCreateRequest{Key: []byte("/p/a"), RangeEnd: []byte{0}}, "etcdctl watch --from-key /p/a"},
		{&pb.WatchCreateRequest{Key: []byte("/p/a"), RangeEnd: []byte("/p/c")}, "etcdctl watch /p/a /p/c"},
		// Each option of a get.
		{&pb.RangeRequest{Key: []byte("/p/"), RangeEnd: []byte("/p0"), SortOrder: pb.RangeRequest_ASCEND, SortTarget: pb.RangeRequest_CREATE, Limit: 1},
			"etcdctl get --prefix --limit=1 --order=ASCEND --sort-by=CREATE /p/"},
		{&pb.RangeRequest{Key: []byte("/p/"), RangeEnd: []byte("/p0"), SortOrder: pb.RangeRequest_DESCEND, SortTarget: pb.RangeRequest_MOD},
			"etcdctl get --prefix --order=DESCEND --sort-by=MODIFY /p/"},
		{&pb.RangeRequest{Key: []byte("/p/"), RangeEnd: []byte("/p0"), SortOrder: pb.RangeRequest_ASCEND, SortTarget: pb.RangeRequest_KEY},
			"etcdctl get --prefix --order=ASCEND --sort-by=KEY /p/"},
		{&pb.RangeRequest{Key: []byte("/p/"), RangeEnd: []byte("/p0"), SortOrder: pb.RangeRequest_ASCEND, SortTarget: pb.RangeRequest_VERSION},
			"etcdctl get --prefix --order=ASCEND --sort-by=VERSION /p/"},
		{&pb.RangeRequest{Key: []byte("/p/"), RangeEnd: []byte("/p0"), SortOrder: pb.RangeRequest_ASCEND, SortTarget: pb.RangeRequest_VALUE},
			"etcdctl get --prefix --order=ASCEND --sort-by=VALUE /p/"},
		{&pb.RangeRequest{Key: []byte("/p/a"), Serializable: true}, "etcdctl get --consistency=s /p/a"},
		// Each option of a put.
		{&pb.PutRequest{Key: []byte("/p/a"), IgnoreValue: true, Lease: 0x694d}, "etcdctl put --lease=694d --ignore-value /p/a"},
		{&pb.PutRequest{Key: []byte("/p/a"), Value: []byte("v"), IgnoreLease: true}, "etcdctl put --ignore-lease /p/a v"},
		// Operations in a Txn: each form and option.
		{&pb.TxnRequest{Success: []*pb.RequestOp{
			{Request: &pb.RequestOp_RequestPut{RequestPut: &pb.PutRequest{Key: []byte("/p/a"), Value: []byte("-v"), Lease: 0x694d, PrevKv: true}}},
			{Request: &pb.RequestOp_RequestRange{RequestRange: &pb.RangeRequest{Key: []byte("/p/"), RangeEnd: []byte("/p0"), Revision: 5, Limit: 2, KeysOnly: true}}},
			{Request: &pb.RequestOp_RequestRange{RequestRange: &pb.RangeRequest{Key: []byte("/p/a"), RangeEnd: []byte{0}}}},
			{Request: &pb.RequestOp_RequestDeleteRange{RequestDeleteRange: &pb.DeleteRangeRequest{Key: []byte("/p/a"), RangeEnd: []byte("/p/c"), PrevKv: true}}},
		}}, "etcdctl txn <<'EOF'\n\n" +
			`put --lease=694d --prev-kv -- "/p/a" "-v"` + "\n" +
			`get --prefix --rev=5 --limit=2 --keys-only "/p/"` + "\n" +
			`get --from-key "/p/a"` + "\n" +
			`del --prev-kv "/p/a" "/p/c"` + "\n\n\nEOF"},
	} {
		if got := Line(c.req, ""); got != c.want {
			t.Errorf("%T:\n got %s\nwant %s", c.req, got, c.want)
		}
	}
}

// isCompareTarget is one of the values a comparison compares with.
type isCompareTarget any

// setUnion sets c's value to compare with.
func setUnion(c *pb.Compare, u isCompareTarget) {
	switch u := u.(type) {
	case *pb.Compare_Version:
		c.TargetUnion = u
	case *pb.Compare_CreateRevision:
		c.TargetUnion = u
	case *pb.Compare_ModRevision:
		c.TargetUnion = u
	case *pb.Compare_Value:
		c.TargetUnion = u
	case *pb.Compare_Lease:
		c.TargetUnion = u
	}
}
