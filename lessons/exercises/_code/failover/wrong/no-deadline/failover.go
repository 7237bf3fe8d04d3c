// Package failover is etcdtour's failover exercise: a writer that
// survives a leader change without losing an acknowledged write or
// applying one twice.
package failover

import (
	"context"
	"errors"
	"strconv"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// errConflict is a Txn whose compare failed: another write came between
// the read and the write, or this request's own record.
var errConflict = errors.New("conflict")

// Increment adds one to counter, once for requestID, and returns the
// count it made.
func Increment(ctx context.Context, cli *clientv3.Client, counter, requestID string) (int, error) {
	record := "requests/" + requestID
	for {
		n, err := try(ctx, cli, counter, record)
		if err == nil {
			return n, nil
		}
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		if errors.Is(err, errConflict) {
			continue // read again: the record says whether it was ours
		}
		// Timed out, refused, connection lost: the write may have gone
		// in or not. The next try's read of the record tells.
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// try is one read and one write, within two seconds.
func try(ctx context.Context, cli *clientv3.Client, counter, record string) (int, error) {
	ctx1 := ctx // the caller's deadline is enough?
	done, err := cli.Get(ctx1, record)
	if err != nil {
		return 0, err
	}
	if len(done.Kvs) > 0 { // done before: its count
		return strconv.Atoi(string(done.Kvs[0].Value))
	}
	get, err := cli.Get(ctx1, counter)
	if err != nil {
		return 0, err
	}
	n, rev := 0, int64(0) // a missing key: 0, and mod_revision 0
	if len(get.Kvs) > 0 {
		if n, err = strconv.Atoi(string(get.Kvs[0].Value)); err != nil {
			return 0, err
		}
		rev = get.Kvs[0].ModRevision
	}
	n++
	resp, err := cli.Txn(ctx1).
		If(clientv3.Compare(clientv3.ModRevision(counter), "=", rev),
			clientv3.Compare(clientv3.Version(record), "=", 0)).
		Then(clientv3.OpPut(counter, strconv.Itoa(n)),
			clientv3.OpPut(record, strconv.Itoa(n))).
		Commit()
	if err != nil {
		return 0, err
	}
	if !resp.Succeeded {
		return 0, errConflict
	}
	return n, nil
}
