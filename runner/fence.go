package runner

// A write that timed out may still be applied later: a member that stalled
// (SIGSTOP, a frozen VM) holds the request in its socket buffer and hands
// it on when it resumes, maybe long after the lesson's clean-up deleted
// its keys. The runner makes such late writes harmless rather than guess
// which keys they might leave:
//
//   - Each lesson has a fence: a key PREFIX+RUNID+"/"+LESSON+".fence" that
//     the runner creates before the lesson, at a revision R. Every Put and
//     Txn of the lesson's clients goes on the wire as a Txn whose condition
//     is "the fence was created at R", and whose Then is the Put or the Txn
//     itself. The clean-up deletes the fence and the lesson's keys in one
//     Txn: a write applied before it is deleted with the keys, one applied
//     after it finds no fence of revision R (none can ever be created at R
//     again) and changes nothing.
//   - Each Grant of the lesson's clients asks for a lease ID the runner chose
//     (LeaseGrantRequest.ID), known before the request leaves, so that the
//     clean-up can revoke a lease whose Grant got no answer, or name it.
//   - The fences carry the run's own lease, which the runner keeps alive and
//     revokes at the end of the run: a fence put that lands late goes with
//     it, and a late one after it is refused.
//
// What a lesson shows stays true: the Put's response is the Put's (its
// revision, its previous value), its etcdctl line is the Put's, and the key
// has the lease the lesson gave it, or none.

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc"

	"etcdtour/runner/i18n"
)

// runLeaseTTL is the TTL of the run's lease, which the fences carry. The
// runner renews it every runLeaseTTL/6 through every member; if etcdtour is
// killed, the fences go within this time.
const runLeaseTTL = 30

// errFenced is the error of a write the lesson makes after its clean-up
// began: the runner refuses it, and so does etcd if it arrives late.
var errFenced = errors.New("etcdtour: the lesson has ended, its writes are refused from now on")

// newLeaseID returns a random lease ID: positive, as etcd's own are, and
// of 16 hex digits, as etcd's own print (62 random bits).
func newLeaseID() int64 {
	var b [8]byte
	rand.Read(b[:])
	return int64(binary.BigEndian.Uint64(b[:])>>2 | 1<<62)
}

// fenceKey is the lesson's fence, next to (not inside) its prefix: a
// lesson that lists its keys does not see it. Lesson IDs have no '.'.
func fenceKey(runPrefix, lesson string) string { return runPrefix + lesson + ".fence" }

// fence is the innermost interceptor of a lesson's clients: it fences the
// lesson's writes and chooses its lease IDs.
type fence struct{ c *lessonClient }

func (f fence) dialOptions() []grpc.DialOption {
	return []grpc.DialOption{grpc.WithChainUnaryInterceptor(f.unary)}
}

func (f fence) unary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	key, rev := f.c.fence()
	switch r := req.(type) {
	case *pb.PutRequest:
		if key == "" {
			break
		}
		resp, err := f.txn(ctx, key, rev, &pb.RequestOp{Request: &pb.RequestOp_RequestPut{RequestPut: r}}, cc, invoker, opts)
		if err != nil {
			return err
		}
		out, inner := reply.(*pb.PutResponse), resp.Responses[0].GetResponsePut()
		out.Header = resp.Header
		if inner != nil {
			out.PrevKv = inner.PrevKv
		}
		return nil
	case *pb.TxnRequest:
		if key == "" {
			break
		}
		resp, err := f.txn(ctx, key, rev, &pb.RequestOp{Request: &pb.RequestOp_RequestTxn{RequestTxn: r}}, cc, invoker, opts)
		if err != nil {
			return err
		}
		out, inner := reply.(*pb.TxnResponse), resp.Responses[0].GetResponseTxn()
		out.Header = resp.Header
		if inner != nil {
			out.Succeeded, out.Responses = inner.Succeeded, inner.Responses
		}
		return nil
	case *pb.LeaseGrantRequest:
		if r.ID != 0 {
			break
		}
		id := newLeaseID()
		f.c.leases.asked(clientv3.LeaseID(id), r.TTL)
		err := invoker(ctx, method, &pb.LeaseGrantRequest{TTL: r.TTL, ID: id}, reply, cc, opts...)
		f.c.leases.answered(clientv3.LeaseID(id), err)
		return err
	}
	return invoker(ctx, method, req, reply, cc, opts...)
}

// txn sends op under the fence's condition.
func (fence) txn(ctx context.Context, key string, rev int64, op *pb.RequestOp, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts []grpc.CallOption) (*pb.TxnResponse, error) {
	req := &pb.TxnRequest{
		Compare: []*pb.Compare{{Key: []byte(key), Target: pb.Compare_CREATE, Result: pb.Compare_EQUAL,
			TargetUnion: &pb.Compare_CreateRevision{CreateRevision: rev}}},
		Success: []*pb.RequestOp{op},
	}
	resp := &pb.TxnResponse{}
	if err := invoker(ctx, "/etcdserverpb.KV/Txn", req, resp, cc, opts...); err != nil {
		return nil, err
	}
	if !resp.Succeeded || len(resp.Responses) != 1 {
		return nil, errFenced
	}
	return resp, nil
}

// runLease is the run's own lease, which the fences carry.
type runLease struct {
	id     clientv3.LeaseID
	stop   context.CancelFunc
	done   chan struct{}
	unsure bool // a member asked to grant it did not answer
}

// grantRunLease grants the run's lease, with an ID of its own choosing (so
// that a Grant that got no answer from one member and is retried through
// another cannot grant two), and keeps it alive through every member until
// the run ends.
func grantRunLease(ctx context.Context, m *members, timeout time.Duration) (*runLease, error) {
	id := newLeaseID()
	gctx, cancel := context.WithTimeout(ctx, timeout)
	var asked atomic.Int32
	err := m.do(gctx, func(ctx context.Context, cli *clientv3.Client) error {
		asked.Add(1)
		_, err := pb.NewLeaseClient(cli.ActiveConnection()).LeaseGrant(ctx, &pb.LeaseGrantRequest{TTL: runLeaseTTL, ID: id})
		if errors.Is(rpctypes.Error(err), rpctypes.ErrLeaseExist) {
			return nil // an earlier try, through another member, granted it
		}
		return rpctypes.Error(err)
	})
	cancel()
	if err != nil {
		return nil, err
	}
	kctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	// Asked more than once, through a member that did not answer, say:
	// that member may still grant it after the run revoked it.
	l := &runLease{id: clientv3.LeaseID(id), stop: stop, done: make(chan struct{}), unsure: asked.Load() > 1}
	go func() {
		defer close(l.done)
		for {
			select {
			case <-kctx.Done():
				return
			case <-time.After(runLeaseTTL * time.Second / 6):
			}
			m.do(kctx, func(ctx context.Context, cli *clientv3.Client) error {
				ctx, cancel := context.WithTimeout(ctx, runLeaseTTL*time.Second/3)
				defer cancel()
				_, err := cli.KeepAliveOnce(ctx, l.id)
				return err
			})
		}
	}()
	return l, nil
}

// end stops the renewals and revokes the lease, which deletes any fence
// left.
func (l *runLease) end(ctx context.Context, m *members) error {
	l.stop()
	<-l.done
	return m.do(ctx, func(ctx context.Context, cli *clientv3.Client) error {
		_, err := cli.Revoke(ctx, l.id)
		if errors.Is(err, rpctypes.ErrLeaseNotFound) {
			return nil
		}
		return err
	})
}

// late names the lease when a member may still grant it after end: the
// Grant was asked of a member that did not answer.
func (l *runLease) late(lang i18n.Lang) string {
	return lang.Msg("the run's lease %x was also asked of a member that did not answer, which may still grant it later (for %d s): etcdctl lease revoke %x", l.id, runLeaseTTL, l.id)
}

// left says what is left when end failed with err, and how to remove it.
func (l *runLease) left(lang i18n.Lang, err error) string {
	return lang.Msg("could not revoke the run's lease %x (%v), which holds its fences: etcdctl lease revoke %x (it also runs out %d s after the cluster is back)", l.id, err, l.id, runLeaseTTL)
}

// putFence creates the lesson's fence, carrying the run's lease, and
// returns the revision it was created at. A put that got no answer may land
// later: it carries the run's lease, and goes with it.
func putFence(ctx context.Context, m *members, key string, lease clientv3.LeaseID) (int64, error) {
	var rev atomic.Int64 // tries through two members may both succeed
	err := m.do(ctx, func(ctx context.Context, cli *clientv3.Client) error {
		resp, err := cli.Txn(ctx).
			If(clientv3.Compare(clientv3.CreateRevision(key), "=", 0)).
			Then(clientv3.OpPut(key, "etcdtour: the lesson's writes are accepted while this key lives", clientv3.WithLease(lease))).
			Else(clientv3.OpGet(key)).
			Commit()
		if err != nil {
			return err
		}
		if resp.Succeeded {
			rev.Store(resp.Header.Revision)
		} else if kvs := resp.Responses[0].GetResponseRange().Kvs; len(kvs) == 1 {
			rev.Store(kvs[0].CreateRevision) // an earlier try created it
		} else {
			return fmt.Errorf("fence %q: no key", key)
		}
		return nil
	})
	return rev.Load(), err
}
