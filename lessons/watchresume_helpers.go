package lessons

import (
	"context"
	"errors"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// write makes one change, or several in one Txn (at one revision), and
// returns the events they must cause, such as "PUT jobs/3@7".
func write(ctx context.Context, t *runner.T, writer *clientv3.Client,
	ops ...clientv3.Op) ([]string, error) {
	op := ops[0]
	if len(ops) > 1 {
		op = clientv3.OpTxn(nil, ops, nil)
	}
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	resp, err := writer.Do(ctx1, op)
	cancel()
	if err != nil {
		return nil, err
	}
	rev := int64(0)
	switch {
	case op.IsPut():
		rev = resp.Put().Header.Revision
	case op.IsDelete():
		rev = resp.Del().Header.Revision
	default:
		rev = resp.Txn().Header.Revision
	}
	var evs []string
	for _, o := range ops {
		typ := "PUT"
		if o.IsDelete() {
			typ = "DELETE"
		}
		evs = append(evs, fmt.Sprintf("%s %s@%d", typ, o.KeyBytes(), rev))
	}
	return evs, nil
}

// follow reads n events from a watch, shows them and adds them to seen as
// "PUT jobs/3@7". It returns the revision of the last.
func follow(ctx context.Context, t *runner.T, wch clientv3.WatchChan,
	seen []string, n int) ([]string, int64, error) {
	evs, err := nextEvents(ctx, wch, n, t.Timeout()+expirySlack)
	if err != nil {
		return seen, 0, err
	}
	for _, ev := range evs {
		t.Result("%s", evString(ev))
		seen = append(seen,
			fmt.Sprintf("%s %s@%d", ev.Type, ev.Kv.Key,
				ev.Kv.ModRevision))
	}
	return seen, evs[len(evs)-1].Kv.ModRevision, nil
}

// restart stops member i of the lesson's own cluster and starts it again
// from its data.
func restart(ctx context.Context, t *runner.T, i int) error {
	start := time.Now()
	if err := t.Cluster.Stop(i); err != nil {
		return err
	}
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	err := t.Cluster.Restart(ctx1, i)
	cancel()
	if err != nil {
		return err
	}
	t.Result("%s stopped and started again in %v", t.Cluster.Name(i),
		time.Since(start).Round(time.Millisecond))
	return nil
}

// caughtUp asks the server which revision a watch has reached
// (RequestProgress) and reads the watch until it answers.
func caughtUp(ctx context.Context, t *runner.T, wch clientv3.WatchChan) (int64,
	error) {
	// The request goes to the watches whose context has the same metadata:
	// WithRequireLeader here too, or it opens a stream of its own.
	ctx1, cancel := context.WithTimeout(clientv3.WithRequireLeader(ctx),
		t.Timeout())
	defer cancel()
	if err := t.Client.RequestProgress(ctx1); err != nil {
		return 0, err
	}
	for {
		select {
		case resp, ok := <-wch:
			if err := resp.Err(); err != nil || !ok {
				return 0, fmt.Errorf("the watch ended: %v", err)
			}
			if resp.IsProgressNotify() {
				return resp.Header.Revision, nil
			}
		case <-ctx1.Done():
			return 0, errors.New("no progress notification: " +
				"the watch may be stalled")
		}
	}
}
