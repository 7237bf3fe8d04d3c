package lessons

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// WatchResume follows a set of keys without ever missing a change: across
// a restart of its server, a closed channel and a compaction.
var WatchResume = runner.Lesson{
	ID:    "watch-resume",
	Title: "A watch that never misses",
	Doc: "List, then watch from the list's revision + 1; several events at " +
		"one revision; the server restarts under the watch; resume from the " +
		"last revision seen + 1, and re-list when that revision was compacted.",
	Run: watchResume,
	// Its own server: the lesson compacts it and restarts it.
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
		if _, err := write(ctx, t, writer,
			clientv3.OpPut(k, "new")); err != nil {
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
		t.Result("%s", kvString(kv))
	}
	last := list.Header.Revision // everything up to here is in the list
	// A write lands between the list and the watch: it must not be lost.
	w, err := write(ctx, t, writer, clientv3.OpPut("jobs/3", "new"))
	if err != nil {
		return err
	}
	wrote = append(wrote, w...)
	// WithRequireLeader: a member cut off from its leader ends the watch
	// with ErrNoLeader instead of going quiet.
	wctx, stop := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer stop()
	t.Etcdctl("watch", "--prefix", fmt.Sprintf("--rev=%d", last+1),
		t.Key("jobs/"))
	wch := cli.Watch(wctx, "jobs/", clientv3.WithPrefix(),
		clientv3.WithRev(last+1))
	if seen, last, err = follow(ctx, t, wch, seen, 1); err != nil {
		return err
	}
	t.Equal(seen, wrote,
		"the write made between the list and the watch is seen")

	t.Step("Several events at one revision: a Txn, a lease's expiry")
	if w, err = write(ctx, t, writer, clientv3.OpPut("jobs/4", "new"),
		clientv3.OpPut("jobs/5", "new"),
		clientv3.OpDelete("jobs/1")); err != nil {
		return err
	}
	wrote = append(wrote, w...)
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	grant, err := writer.Grant(ctx1, 1)
	cancel()
	if err != nil {
		return err
	}
	for _, k := range []string{"jobs/6", "jobs/7"} {
		if w, err = write(ctx, t, writer,
			clientv3.OpPut(k, "tmp",
				clientv3.WithLease(grant.ID))); err != nil {
			return err
		}
		wrote = append(wrote, w...)
	}
	t.Wait(time.Duration(grant.TTL)*time.Second,
		"waiting for lease %x to expire (TTL %ds)", grant.ID, grant.TTL)
	if seen, last, err = follow(ctx, t, wch, seen, 7); err != nil {
		return err
	}
	expiry := last // nobody else writes on the lesson's own server
	wrote = append(wrote, fmt.Sprintf("DELETE jobs/6@%d", expiry),
		fmt.Sprintf("DELETE jobs/7@%d", expiry))
	t.Say(`A revision's events come in one response. Resume from last
+ 1 only once all of them are handled, or the rest of that revision is
lost.`)
	t.Equal(seen, wrote,
		"the Txn's three changes share a revision, so do the expiry's two")

	t.Step("The server restarts under the watch: the client resumes it")
	if err := restart(ctx, t, 0); err != nil {
		return err
	}
	if w, err = write(ctx, t, writer,
		clientv3.OpPut("jobs/8", "new")); err != nil {
		return err
	}
	wrote = append(wrote, w...)
	if seen, last, err = follow(ctx, t, wch, seen, 1); err != nil {
		return err
	}
	t.Equal(seen, wrote, "nothing missed, nothing repeated across the restart")
	t.Say(`A watch that hears nothing may be stalled. RequestProgress
asks the server to say which revision the watch has reached.`)
	progress, err := caughtUp(ctx, t, wch)
	if err != nil {
		return err
	}
	t.Result("progress notification: the watch has seen revision %d", progress)
	t.Equal(progress, last, "the watch is caught up with the store")

	t.Step("The watch ends; resume from the last revision seen + 1")
	stop() // the channel closes: our program restarts, say
	t.Check(closed(wch, t.Timeout()), "the channel is closed")
	w, err = write(ctx, t, writer, clientv3.OpPut("jobs/9", "new"))
	if err != nil {
		return err
	}
	wrote = append(wrote, w...)
	wctx, stop = context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer stop()
	t.Etcdctl("watch", "--prefix", fmt.Sprintf("--rev=%d", last+1),
		t.Key("jobs/"))
	wch = cli.Watch(wctx, "jobs/", clientv3.WithPrefix(),
		clientv3.WithRev(last+1))
	if seen, last, err = follow(ctx, t, wch, seen, 1); err != nil {
		return err
	}
	t.Equal(seen, wrote, "the write made while nobody watched is seen")

	stop()
	closed(wch, t.Timeout())

	t.Step("Resume from a compacted revision: re-list")
	var gap []string // written while nobody watched
	for _, v := range []string{"new", "done"} {
		w, err := write(ctx, t, writer, clientv3.OpPut("jobs/10", v))
		if err != nil {
			return err
		}
		gap = append(gap, w...)
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
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
	wctx, stop = context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer stop()
	t.Etcdctl("watch", "--prefix", fmt.Sprintf("--rev=%d", last+1),
		t.Key("jobs/"))
	wch = cli.Watch(wctx, "jobs/", clientv3.WithPrefix(),
		clientv3.WithRev(last+1))
	_, err = nextEvents(ctx, wch, 1, t.Timeout())
	t.Result("the watch ended: %v", err)
	t.Check(errors.Is(err, rpctypes.ErrCompacted),
		"resuming from revision %d fails with ErrCompacted", last+1)
	t.Check(closed(wch, t.Timeout()), "and the channel is closed")

	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	list, err = cli.Get(ctx1, "jobs/", clientv3.WithPrefix())
	cancel()
	if err != nil {
		return err
	}
	var keys []string
	for _, kv := range list.Kvs {
		t.Result("%s", kvString(kv))
		keys = append(keys, fmt.Sprintf("%s=%s", kv.Key, kv.Value))
	}
	t.Say("Not seen as events, re-listed instead:\n%s", strings.Join(gap, ", "))
	t.Say(`The list shows only the latest state: jobs/10 was "new" for
a while, and no one will ever know that from etcd now.`)
	t.Equal(keys,
		[]string{"jobs/10=done", "jobs/3=new", "jobs/4=new", "jobs/5=new",
			"jobs/8=new", "jobs/9=new"},
		"the re-list has jobs/10's last value and no jobs/2")
	wrote = append(wrote, gap...)
	seen = append(seen, gap...)

	// Watch again from the re-list's revision + 1, as in the first step.
	t.Etcdctl("watch", "--prefix",
		fmt.Sprintf("--rev=%d", list.Header.Revision+1), t.Key("jobs/"))
	wch = cli.Watch(wctx, "jobs/", clientv3.WithPrefix(),
		clientv3.WithRev(list.Header.Revision+1))
	w, err = write(ctx, t, writer, clientv3.OpPut("jobs/11", "new"))
	if err != nil {
		return err
	}
	wrote = append(wrote, w...)
	if seen, _, err = follow(ctx, t, wch, seen, 1); err != nil {
		return err
	}
	t.Equal(seen, wrote,
		"each of the %d changes seen once, in order, or re-listed (%d)",
		len(wrote), len(gap))
	return nil
}
