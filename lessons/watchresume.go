package lessons

import (
	"context"
	"errors"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// WatchResume follows a set of keys without ever missing a change.
var WatchResume = runner.Lesson{
	ID:    "watch-resume",
	Title: "A watch with no gap while history is kept",
	Doc: "List, then watch from the list's revision + 1; several events at " +
		"one revision; the server restarts under the watch; the channel " +
		"closes: resume from the last revision seen + 1.",
	Run: watchResume,
	// Its own server: the lesson restarts it.
	Needs: runner.Needs{Members: 1},
}

func watchResume(ctx context.Context, t *runner.T) error {
	cli := t.Client
	writer, err := t.NewClient() // another program, which writes the jobs
	if err != nil {
		return err
	}
	defer writer.Close()
	var wrote, seen []string // "PUT jobs/3@7": each change made, each event

	t.Step("List the jobs, then watch from the list's revision + 1")
	for _, k := range []string{"jobs/1", "jobs/2"} {
		if _, err := put(ctx, t, writer, nil, k); err != nil {
			return err
		}
	}
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	list, err := cli.Get(ctx1, "jobs/", clientv3.WithPrefix())
	cancel()
	if err != nil {
		return err
	}
	for _, kv := range list.Kvs {
		t.Result("%s = %s", kv.Key, kv.Value)
	}
	last := list.Header.Revision // everything up to here is in the list
	// A write lands between the list and the watch: it must not be lost.
	if wrote, err = put(ctx, t, writer, wrote, "jobs/3"); err != nil {
		return err
	}
	// WithRequireLeader: cut off from its leader, the watch ends (ErrNoLeader).
	wctx, stop := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer stop()
	t.Etcdctl("watch", "--prefix", "--rev="+fmt.Sprint(last+1), t.Key("jobs/"))
	wch := cli.Watch(wctx, "jobs/", clientv3.WithPrefix(),
		clientv3.WithRev(last+1))
	if seen, last, err = follow(ctx, t, wch, seen, 1); err != nil {
		return err
	}
	t.Equal(seen, wrote, "the write between the list and the watch is seen")

	t.Step("Several events at one revision: a Txn")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	txn, err := writer.Txn(ctx1).Then(clientv3.OpPut("jobs/4", "new"),
		clientv3.OpPut("jobs/5", "new"), clientv3.OpDelete("jobs/1")).Commit()
	cancel()
	if err != nil {
		return err
	}
	rev := txn.Header.Revision
	wrote = append(wrote, fmt.Sprintf("PUT jobs/4@%d", rev),
		fmt.Sprintf("PUT jobs/5@%d", rev), fmt.Sprintf("DELETE jobs/1@%d", rev))
	if seen, last, err = follow(ctx, t, wch, seen, 3); err != nil {
		return err
	}
	t.Say(`A revision's events come in one response (a lease's expiry
too): resume from last + 1 only once all of them are handled.`)
	t.Equal(seen, wrote, "the Txn's three changes share a revision")

	t.Step("The server restarts under the watch: the client resumes it")
	if err := t.Cluster.Stop(0); err != nil {
		return err
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = t.Cluster.Restart(ctx1, 0)
	cancel()
	if err != nil {
		return err
	}
	t.Result("%s stopped and started again", t.Cluster.Name(0))
	if wrote, err = put(ctx, t, writer, wrote, "jobs/6"); err != nil {
		return err
	}
	if seen, last, err = follow(ctx, t, wch, seen, 1); err != nil {
		return err
	}
	t.Equal(seen, wrote, "nothing missed, nothing repeated across the restart")
	t.Say(`A quiet watch may be idle, catching up or cut off:
RequestProgress asks (with WithRequireLeader, the watch's). etcd 3.4
answers at once with the store's revision, even before events still to
come; 3.7 once every watch of the stream caught up: silence is no stall.`)
	ctx1, cancel = context.WithTimeout(clientv3.WithRequireLeader(ctx),
		t.Timeout())
	defer cancel()
	if err := cli.RequestProgress(ctx1); err != nil {
		return err
	}
	var resp clientv3.WatchResponse
	for !resp.IsProgressNotify() {
		select {
		case r, ok := <-wch:
			if !ok {
				return fmt.Errorf("the watch ended: %v", r.Err())
			}
			resp = r
		case <-ctx1.Done():
			return errors.New("no progress notification")
		}
	}
	t.Result("progress notification: the watch has seen revision %d",
		resp.Header.Revision)
	t.Equal(resp.Header.Revision, last, "the watch is caught up with the store")

	t.Step("The watch ends; resume from the last revision seen + 1")
	stop() // the channel closes: our program restarts, say
	if wrote, err = put(ctx, t, writer, wrote, "jobs/7"); err != nil {
		return err
	}
	wctx, stop = context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer stop()
	t.Etcdctl("watch", "--prefix", "--rev="+fmt.Sprint(last+1), t.Key("jobs/"))
	wch = cli.Watch(wctx, "jobs/", clientv3.WithPrefix(),
		clientv3.WithRev(last+1))
	if seen, _, err = follow(ctx, t, wch, seen, 1); err != nil {
		return err
	}
	t.Equal(seen, wrote, "the write made while nobody watched is seen")
	return nil
}

// put writes key = "new", adding to wrote the event it causes: "PUT k@7".
func put(ctx context.Context, t *runner.T, writer *clientv3.Client,
	wrote []string, key string) ([]string, error) {
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	r, err := writer.Put(ctx1, key, "new")
	cancel()
	if err != nil {
		return wrote, err
	}
	return append(wrote, fmt.Sprintf("PUT %s@%d", key, r.Header.Revision)), nil
}

// follow shows n events, adds them to seen and returns the last's revision.
func follow(ctx context.Context, t *runner.T, wch clientv3.WatchChan,
	seen []string, n int) ([]string, int64, error) {
	evs, err := nextEvents(ctx, wch, n, t.Timeout())
	if err != nil {
		return seen, 0, err
	}
	for _, ev := range evs {
		t.Result("%s", evString(ev))
		seen = append(seen, fmt.Sprintf("%s %s@%d", ev.Type, ev.Kv.Key,
			ev.Kv.ModRevision))
	}
	return seen, evs[len(evs)-1].Kv.ModRevision, nil
}
