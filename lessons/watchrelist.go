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

// WatchRelist resumes a watch from a revision that has been compacted
// meanwhile, and gets the state back by listing again.
var WatchRelist = runner.Lesson{
	ID:    "watch-relist",
	Title: "Re-list when history is gone",
	Doc: "A program that followed the jobs stops; while it is away the jobs " +
		"change and history is compacted; its watch from the last revision " +
		"seen + 1 fails with ErrCompacted: re-list, and watch from the new " +
		"list's revision + 1.",
	Run: watchRelist,
	// Its own server: the lesson compacts it.
	Needs: runner.Needs{Members: 1},
}

func watchRelist(ctx context.Context, t *runner.T) error {
	cli := t.Client
	writer, err := t.NewClient() // another program, which writes the jobs
	if err != nil {
		return err
	}
	defer writer.Close()

	t.Step("List the jobs; the program that follows them stops")
	var wrote []string // "PUT jobs/3@7": each change made
	for _, k := range []string{"jobs/1", "jobs/2", "jobs/3"} {
		if wrote, err = put(ctx, t, writer, wrote, k); err != nil {
			return err
		}
	}
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	list, err := cli.Get(ctx1, "jobs/", clientv3.WithPrefix())
	cancel()
	if err != nil {
		return err
	}
	jobs := map[string]string{} // the jobs as the writes leave them
	for _, kv := range list.Kvs {
		t.Result("%s = %s", kv.Key, kv.Value)
		jobs[string(kv.Key)] = string(kv.Value)
	}
	last := list.Header.Revision // all that the program has seen
	t.Equal(len(jobs), len(wrote), "the list has a job for each write")

	t.Step("While it is away, the jobs change and history is compacted")
	var gap []string // written while nobody watched
	for _, v := range []string{"new", "done"} {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		resp, err := writer.Put(ctx1, "jobs/4", v)
		cancel()
		if err != nil {
			return err
		}
		gap = append(gap, fmt.Sprintf("PUT jobs/4@%d", resp.Header.Revision))
		jobs["jobs/4"] = v
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	del, err := writer.Delete(ctx1, "jobs/2")
	cancel()
	if err != nil {
		return err
	}
	gap = append(gap, fmt.Sprintf("DELETE jobs/2@%d", del.Header.Revision))
	delete(jobs, "jobs/2")
	// Only on a server of your own: compaction drops everyone's history.
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	_, err = cli.Compact(ctx1, del.Header.Revision)
	cancel()
	if err != nil {
		return err
	}

	t.Step("Resume from the last revision seen + 1: ErrCompacted")
	wctx, stop := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer stop()
	t.Etcdctl("watch", "--prefix", "--rev="+fmt.Sprint(last+1), t.Key("jobs/"))
	wch := cli.Watch(wctx, "jobs/", clientv3.WithPrefix(),
		clientv3.WithRev(last+1))
	_, err = nextEvents(ctx, wch, 1, t.Timeout())
	t.Result("the watch ended: %v", err)
	t.Check(errors.Is(err, rpctypes.ErrCompacted),
		"resuming from revision %d fails with ErrCompacted", last+1)
	t.Check(closed(wch, t.Timeout()), "and the channel is closed")

	t.Step("Re-list, then watch from the new list's revision + 1")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	list, err = cli.Get(ctx1, "jobs/", clientv3.WithPrefix())
	cancel()
	if err != nil {
		return err
	}
	relist := map[string]string{}
	for _, kv := range list.Kvs {
		t.Result("%s = %s", kv.Key, kv.Value)
		relist[string(kv.Key)] = string(kv.Value)
	}
	t.Say(`Never seen as events: %s.
jobs/4 was "new" for a while: no one will ever know that from etcd now.`,
		strings.Join(gap, ", "))
	t.Equal(relist, jobs, "the re-list has jobs/4's last value and no jobs/2")
	t.Etcdctl("watch", "--prefix", "--rev="+fmt.Sprint(list.Header.Revision+1),
		t.Key("jobs/"))
	wch = cli.Watch(wctx, "jobs/", clientv3.WithPrefix(),
		clientv3.WithRev(list.Header.Revision+1))
	if wrote, err = put(ctx, t, writer, wrote, "jobs/5"); err != nil {
		return err
	}
	seen, _, err := follow(ctx, t, wch, nil, 1)
	if err != nil {
		return err
	}
	t.Equal(seen, wrote[len(wrote)-1:], "the watch goes on from the re-list")
	return nil
}
