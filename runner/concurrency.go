package runner

// Which of a lesson's requests are the parts of one call of etcd's
// concurrency package, such as a Mutex's Lock: the lesson shows the one
// etcdctl command that does all of it (T.Etcdctl: "etcdctl lock K"), and
// the requests are recorded only. They are known by their shape, etcd's
// recipe for locks and elections (the same as etcdctl lock and elect): each
// contender puts the key PREFIX/LEASE, its lease in hex, attached to the
// lease, if it is absent; the key of lowest create revision holds the lock
// or leads; the others wait for the keys created before theirs to go.

import (
	"context"
	"strconv"
	"strings"
	"sync"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// compound recognises the requests of the concurrency package's calls.
//
//   - A Mutex's Lock or TryLock, an Election's Campaign: a Txn that puts
//     PREFIX/LEASE with that lease if it was never created, and (a Mutex)
//     reads the owner, PREFIX's first-created key.
//   - Their wait: a Get of PREFIX's last-created key below a create
//     revision (WithMaxCreateRev), which nothing else sends.
//   - After a Mutex found another owner: the Get of its own key once the
//     wait is over (Lock), or its Delete (TryLock gives up).
//   - An Election's Observe: a Get of PREFIX's first-created key, once the
//     lesson listens to that election (etcdctl elect --listen); before
//     that, the same Get is the lesson's Leader.
//   - An STM: a Txn that only reads (its Get), and one that compares a mod
//     revision with < (its commit: no write since its first read).
//
// Everything else is shown as it is: a Session's Grant (etcdctl lease
// grant: the session's lease, which the lesson's later lines name), a
// Mutex's Unlock, a Session's Close,
// an Election's Proclaim, Resign and Leader.
type compound struct {
	mu        sync.Mutex
	contended map[string]bool // a Mutex's key whose Lock waits, or whose TryLock gives up
	listened  map[string]bool // election prefixes, with their "/", that the lesson listens to
}

// listen notes the etcdctl command the lesson shows: etcdctl elect
// --listen NAME makes the leader queries of election NAME its own.
func (c *compound) listen(args []string) {
	if len(args) == 3 && args[0] == "elect" && args[1] == "--listen" {
		c.mu.Lock()
		if c.listened == nil {
			c.listened = map[string]bool{}
		}
		c.listened[args[2]+"/"] = true
		c.mu.Unlock()
	}
}

// of reports whether req, about to be sent with ctx, is part of a call of
// the concurrency package.
func (c *compound) of(ctx context.Context, req any) bool {
	switch r := req.(type) {
	case *pb.TxnRequest:
		_, _, ok := acquire(r)
		return ok || stmRead(r) || stmCommit(r)
	case *pb.RangeRequest:
		if r.MaxCreateRevision > 0 {
			return true
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if len(r.RangeEnd) == 0 && c.contended[string(r.Key)] {
			delete(c.contended, string(r.Key))
			return true
		}
		return firstCreated(r) && c.listened[string(r.Key)]
	case *pb.DeleteRangeRequest:
		c.mu.Lock()
		defer c.mu.Unlock()
		if len(r.RangeEnd) == 0 && c.contended[string(r.Key)] {
			delete(c.contended, string(r.Key))
			return true
		}
	}
	return false
}

// answered learns from the reply to req whether a Mutex found another
// owner: then the next Get or Delete of its key is its own.
func (c *compound) answered(req, reply any) {
	r, ok := req.(*pb.TxnRequest)
	resp, ok2 := reply.(*pb.TxnResponse)
	if !ok || !ok2 {
		return
	}
	key, mutex, ok := acquire(r)
	if !ok || !mutex || len(resp.Responses) != 2 || resp.Header == nil {
		return
	}
	mine := resp.Header.Revision
	if !resp.Succeeded {
		kvs := resp.Responses[0].GetResponseRange().GetKvs()
		if len(kvs) == 0 {
			return
		}
		mine = kvs[0].CreateRevision
	}
	owner := resp.Responses[1].GetResponseRange().GetKvs()
	if len(owner) > 0 && owner[0].CreateRevision != mine {
		c.mu.Lock()
		if c.contended == nil {
			c.contended = map[string]bool{}
		}
		c.contended[key] = true
		c.mu.Unlock()
	}
}

// acquire reports whether r is a contender's Txn: if PREFIX/LEASE was
// never created, put it with that lease (a Campaign), and read PREFIX's
// first-created key (a Mutex's Lock or TryLock).
func acquire(r *pb.TxnRequest) (key string, mutex, ok bool) {
	if len(r.Compare) != 1 || len(r.Success) == 0 {
		return "", false, false
	}
	cmp, put := r.Compare[0], r.Success[0].GetRequestPut()
	if cmp.Target != pb.Compare_CREATE || cmp.Result != pb.Compare_EQUAL || cmp.GetCreateRevision() != 0 ||
		put == nil || put.Lease == 0 || string(put.Key) != string(cmp.Key) ||
		!strings.HasSuffix(string(put.Key), "/"+strconv.FormatInt(put.Lease, 16)) {
		return "", false, false
	}
	key = string(put.Key)
	prefix := key[:strings.LastIndex(key, "/")+1]
	if len(r.Success) == 2 {
		get := r.Success[1].GetRequestRange()
		return key, true, get != nil && firstCreated(get) && string(get.Key) == prefix
	}
	return key, false, len(r.Success) == 1
}

// firstCreated reports whether r reads the first-created key under a
// prefix (clientv3.WithFirstCreate): a lock's owner, an election's leader.
func firstCreated(r *pb.RangeRequest) bool {
	return len(r.RangeEnd) > 0 && string(r.RangeEnd) == clientv3.GetPrefixRangeEnd(string(r.Key)) && r.Limit == 1 &&
		r.SortTarget == pb.RangeRequest_CREATE && r.SortOrder == pb.RangeRequest_ASCEND
}

// stmRead reports whether r is an STM's read: a Txn without comparisons
// whose only operations are Gets.
func stmRead(r *pb.TxnRequest) bool {
	if len(r.Compare) != 0 || len(r.Failure) != 0 || len(r.Success) == 0 {
		return false
	}
	for _, op := range r.Success {
		if op.GetRequestRange() == nil {
			return false
		}
	}
	return true
}

// stmCommit reports whether r is an STM's commit: it requires a key's mod
// revision to be less than the STM's first read's, and reads on failure.
func stmCommit(r *pb.TxnRequest) bool {
	less := false
	for _, c := range r.Compare {
		less = less || c.Target == pb.Compare_MOD && c.Result == pb.Compare_LESS
	}
	for _, op := range r.Failure {
		if op.GetRequestRange() == nil {
			return false
		}
	}
	return less
}
