package lessons

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// resume goes on with the watch-resume lesson: the watch ends (stop
// cancels it), and a new one resumes from last + 1.
func resume(ctx context.Context, t *runner.T, writer *clientv3.Client,
	stop context.CancelFunc, wch clientv3.WatchChan, wrote, seen []string,
	last int64) error {
	t.Step("The watch ends; resume from the last revision seen + 1")
	stop() // the channel closes: our program restarts, say
	t.Check(closed(wch, t.Timeout()), "the channel is closed")
	w, err := write(ctx, t, writer, clientv3.OpPut("jobs/9", "new"))
	if err != nil {
		return err
	}
	wrote = append(wrote, w...)
	wctx, stop := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer stop()
	t.Etcdctl("watch", "--prefix", fmt.Sprintf("--rev=%d", last+1),
		t.Key("jobs/"))
	wch = t.Client.Watch(wctx, "jobs/", clientv3.WithPrefix(),
		clientv3.WithRev(last+1))
	if seen, last, err = follow(ctx, t, wch, seen, 1); err != nil {
		return err
	}
	t.Equal(seen, wrote,
		"the write made while nobody watched is seen")

	stop()
	closed(wch, t.Timeout())
	return relist(ctx, t, writer, wrote, seen, last)
}

// relist is the watch-resume lesson's last step: the revision to resume
// from was compacted, so the watch ends and the state is read again.
func relist(ctx context.Context, t *runner.T, writer *clientv3.Client, wrote,
	seen []string, last int64) error {
	cli := t.Client
	t.Step("Resume from a compacted revision: re-list")
	var gap []string // written while nobody watched
	for _, v := range []string{"new", "done"} {
		w, err := write(ctx, t, writer, clientv3.OpPut("jobs/10", v))
		if err != nil {
			return err
		}
		gap = append(gap, w...)
	}
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	del, err := writer.Delete(ctx1, "jobs/2")
	cancel()
	if err != nil {
		return err
	}
	gap = append(gap, fmt.Sprintf("DELETE jobs/2@%d", del.Header.Revision))
	// Only on a server of your own: compaction drops everyone's history.
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	_, err = cli.Compact(ctx1, del.Header.Revision)
	cancel()
	if err != nil {
		return err
	}
	wctx, stop := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer stop()
	t.Etcdctl("watch", "--prefix", fmt.Sprintf("--rev=%d", last+1),
		t.Key("jobs/"))
	wch := cli.Watch(wctx, "jobs/", clientv3.WithPrefix(),
		clientv3.WithRev(last+1))
	_, err = nextEvents(ctx, wch, 1, t.Timeout())
	t.Result("the watch ended: %v", err)
	t.Check(errors.Is(err, rpctypes.ErrCompacted),
		"resuming from revision %d fails with ErrCompacted", last+1)
	t.Check(closed(wch, t.Timeout()), "and the channel is closed")

	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	list, err := cli.Get(ctx1, "jobs/", clientv3.WithPrefix())
	cancel()
	if err != nil {
		return err
	}
	var keys []string
	for _, kv := range list.Kvs {
		t.Result("%s", kvString(kv))
		keys = append(keys, fmt.Sprintf("%s=%s", kv.Key, kv.Value))
	}
	t.Say("Not seen as events, re-listed instead:\n%s",
		strings.Join(gap, ", "))
	t.Say(`The list shows only the latest state: jobs/10 was "new" for
a while, and no one will ever know that from etcd now.`)
	t.Equal(keys, []string{"jobs/10=done", "jobs/3=new", "jobs/4=new",
		"jobs/5=new", "jobs/8=new", "jobs/9=new"},
		"the re-list has jobs/10's last value and no jobs/2")
	wrote = append(wrote, gap...)
	seen = append(seen, gap...)

	// Watch again from the re-list's revision + 1, as in the first step.
	t.Etcdctl("watch", "--prefix",
		fmt.Sprintf("--rev=%d", list.Header.Revision+1), t.Key("jobs/"))
	wch = cli.Watch(wctx, "jobs/", clientv3.WithPrefix(),
		clientv3.WithRev(list.Header.Revision+1))
	w, err := write(ctx, t, writer, clientv3.OpPut("jobs/11", "new"))
	if err != nil {
		return err
	}
	wrote = append(wrote, w...)
	if seen, _, err = follow(ctx, t, wch, seen, 1); err != nil {
		return err
	}
	t.Equal(seen, wrote,
		"each of the %d changes seen once, "+
			"in order, or re-listed (%d)", len(wrote), len(gap))
	return nil
}
