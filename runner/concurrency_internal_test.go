package runner

import (
	"context"
	"testing"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/mvccpb"
)

// TestCompound tells the requests of etcd's concurrency package (as
// client/v3/concurrency sends them) from a lesson's own, in the order a
// lock lesson sends them: no etcd, no call stack.
func TestCompound(t *testing.T) {
	t.Parallel()
	const p = "/r/lock/m/" // a Mutex's or an Election's prefix, namespaced
	const l1, l2 = 0x694d, 0x7a3f
	k1, k2 := p+"694d", p+"7a3f"
	put := func(k string, lease int64) *pb.RequestOp {
		return &pb.RequestOp{Request: &pb.RequestOp_RequestPut{RequestPut: &pb.PutRequest{Key: []byte(k), Lease: lease}}}
	}
	get := func(r *pb.RangeRequest) *pb.RequestOp {
		return &pb.RequestOp{Request: &pb.RequestOp_RequestRange{RequestRange: r}}
	}
	created := func(k string, rev int64) *pb.Compare {
		return &pb.Compare{Key: []byte(k), Target: pb.Compare_CREATE, Result: pb.Compare_EQUAL,
			TargetUnion: &pb.Compare_CreateRevision{CreateRevision: rev}}
	}
	owner := &pb.RangeRequest{Key: []byte(p), RangeEnd: []byte("/r/lock/m0"), Limit: 1,
		SortOrder: pb.RangeRequest_ASCEND, SortTarget: pb.RangeRequest_CREATE}
	lock := func(k string, lease int64) *pb.TxnRequest { // Mutex.tryAcquire
		return &pb.TxnRequest{Compare: []*pb.Compare{created(k, 0)},
			Success: []*pb.RequestOp{put(k, lease), get(owner)},
			Failure: []*pb.RequestOp{get(&pb.RangeRequest{Key: []byte(k)}), get(owner)}}
	}
	// The reply to a Mutex's Txn: its key created at mine, the owner's at owner.
	reply := func(mine, ownerRev int64) *pb.TxnResponse {
		return &pb.TxnResponse{Header: &pb.ResponseHeader{Revision: mine}, Succeeded: true, Responses: []*pb.ResponseOp{
			{Response: &pb.ResponseOp_ResponsePut{ResponsePut: &pb.PutResponse{}}},
			{Response: &pb.ResponseOp_ResponseRange{ResponseRange: &pb.RangeResponse{Kvs: []*mvccpb.KeyValue{{CreateRevision: ownerRev}}}}},
		}}
	}
	campaign := &pb.TxnRequest{Compare: []*pb.Compare{created(k1, 0)}, Success: []*pb.RequestOp{put(k1, l1)},
		Failure: []*pb.RequestOp{get(&pb.RangeRequest{Key: []byte(k1)})}}
	wait := &pb.RangeRequest{Key: []byte(p), RangeEnd: []byte("/r/lock/m0"), Limit: 1, MaxCreateRevision: 9,
		SortOrder: pb.RangeRequest_DESCEND, SortTarget: pb.RangeRequest_CREATE}
	mod := func(r pb.Compare_CompareResult, rev int64) *pb.Compare {
		return &pb.Compare{Key: []byte("/r/txn/stm"), Target: pb.Compare_MOD, Result: r,
			TargetUnion: &pb.Compare_ModRevision{ModRevision: rev}}
	}
	stmGet := get(&pb.RangeRequest{Key: []byte("/r/txn/stm")})
	stmPut := put("/r/txn/stm", 0)

	var c compound
	ctx := context.Background()
	step := func(what string, ctx context.Context, req any, want bool) {
		t.Helper()
		if got := c.of(ctx, req); got != want {
			t.Errorf("%s: the concurrency package's: %v, want %v", what, got, want)
		}
	}
	step("the lesson's Grant", ctx, &pb.LeaseGrantRequest{TTL: 2}, false)

	step("session 1's Lock", ctx, lock(k1, l1), true)
	c.answered(lock(k1, l1), reply(8, 8)) // it holds the lock
	step("the lesson's Get of session 1's key", ctx, &pb.RangeRequest{Key: []byte(k1)}, false)

	step("session 2's TryLock", ctx, lock(k2, l2), true)
	c.answered(lock(k2, l2), reply(9, 8)) // session 1 holds it
	step("TryLock giving up", ctx, &pb.DeleteRangeRequest{Key: []byte(k2)}, true)

	step("session 2's Lock", ctx, lock(k2, l2), true)
	c.answered(lock(k2, l2), reply(10, 8))
	step("Lock's wait", ctx, wait, true)
	step("session 1's Unlock", ctx, &pb.DeleteRangeRequest{Key: []byte(k1)}, false)
	step("Lock's check of its key after the wait", ctx, &pb.RangeRequest{Key: []byte(k2)}, true)
	step("session 2's Unlock", ctx, &pb.DeleteRangeRequest{Key: []byte(k2)}, false)

	step("a Campaign", ctx, campaign, true)
	step("a Proclaim", ctx, &pb.TxnRequest{Compare: []*pb.Compare{created(k1, 8)}, Success: []*pb.RequestOp{put(k1, l1)}}, false)
	step("a fenced write", ctx, &pb.TxnRequest{Compare: []*pb.Compare{created(k1, 8)}, Success: []*pb.RequestOp{put("/r/res", 0)}}, false)
	step("create if absent, a lesson's", ctx, &pb.TxnRequest{Compare: []*pb.Compare{created("/r/owner", 0)},
		Success: []*pb.RequestOp{put("/r/owner", 0)}, Failure: []*pb.RequestOp{get(&pb.RangeRequest{Key: []byte("/r/owner")})}}, false)
	step("create if absent with a lease, not named after it", ctx, &pb.TxnRequest{Compare: []*pb.Compare{created("/r/x", 0)},
		Success: []*pb.RequestOp{put("/r/x", l1)}}, false)

	step("Leader, before the lesson listens", ctx, owner, false)
	c.listen([]string{"elect", "--listen", "/r/lock/m"})
	step("Observe's query, once the lesson listens", ctx, owner, true)

	step("an STM's read", ctx, &pb.TxnRequest{Success: []*pb.RequestOp{stmGet}}, true)
	step("an STM's commit", ctx, &pb.TxnRequest{Compare: []*pb.Compare{mod(pb.Compare_EQUAL, 7), mod(pb.Compare_LESS, 8)},
		Success: []*pb.RequestOp{stmPut}, Failure: []*pb.RequestOp{stmGet}}, true)
	step("a compare-and-swap, a lesson's", ctx, &pb.TxnRequest{Compare: []*pb.Compare{mod(pb.Compare_EQUAL, 7)},
		Success: []*pb.RequestOp{stmPut}}, false)
	step("a Put", ctx, &pb.PutRequest{Key: []byte(k1)}, false)
}
