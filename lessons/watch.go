package lessons

import (
	"context"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// Watch plays both terminals of the article: one client watches, another
// writes.
var Watch = runner.Lesson{
	ID:    "watch",
	Title: "Watch",
	Doc: "Watch a key while another client writes it (the lesson's " +
		"own, or you with etcdctl under --interactive), " +
		"watch a prefix, replay history from a past revision.",
	Run: watch,
}

func watch(ctx context.Context, t *runner.T) error {
	if t.Interactive() {
		return watchYourWrites(ctx, t)
	}
	cli := t.Client
	// The article ran etcdctl in a second terminal; a second client does it
	// here.
	writer, err := t.NewClient()
	if err != nil {
		return err
	}
	defer writer.Close()

	t.Step("Read the key, then watch it from the next revision")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	get, err := cli.Get(ctx1, "name")
	cancel()
	if err != nil {
		return err
	}
	start := get.Header.Revision + 1
	t.Say(`Watch from the revision you read + 1, not from "now"
(revision 0): "now" is the serving member's revision, and a member that
lags behind would replay writes you have already seen
(etcd-io/etcd#11496). From a known revision nothing is missed and
nothing is repeated.`)
	t.Etcdctl("watch", "--rev="+fmt.Sprint(start), t.Key("name"))
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	wch := cli.Watch(wctx, "name", clientv3.WithRev(start))

	t.Step("A second client writes; the watch sees each change in order")
	var wrote []int64 // the revision of each write
	for _, op := range []clientv3.Op{
		clientv3.OpPut("name", "a"),
		clientv3.OpPut("name", "b"),
		clientv3.OpDelete("name"),
	} {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		resp, err := writer.Do(ctx1, op)
		cancel()
		if err != nil {
			return err
		}
		if op.IsPut() {
			wrote = append(wrote, resp.Put().Header.Revision)
		} else {
			wrote = append(wrote, resp.Del().Header.Revision)
		}
	}
	evs, err := nextEvents(ctx, wch, 3, t.Timeout())
	if err != nil {
		return err
	}
	var got []string
	var seen []int64
	for _, ev := range evs {
		t.Result("%s", evString(ev))
		got = append(got, string(ev.Kv.Value))
		seen = append(seen, ev.Kv.ModRevision)
	}
	t.Equal(got, []string{"a", "b", ""},
		"PUT a, PUT b, DELETE: every change, in order")
	t.Equal(seen, wrote, "each event has the revision of its write")
	stop()

	t.Step("Watch a prefix")
	wctx, stop = context.WithCancel(ctx)
	defer stop()
	t.Etcdctl("watch", "--prefix", "--rev="+fmt.Sprint(start), t.Key("dir/"))
	wch = cli.Watch(wctx, "dir/", clientv3.WithPrefix(),
		clientv3.WithRev(start))
	for _, k := range []string{"dir/x", "other", "dir/y"} {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		_, err := writer.Put(ctx1, k, "1")
		cancel()
		if err != nil {
			return err
		}
	}
	evs, err = nextEvents(ctx, wch, 2, t.Timeout())
	if err != nil {
		return err
	}
	got = nil
	for _, ev := range evs {
		t.Result("%s", evString(ev))
		got = append(got, string(ev.Kv.Key))
	}
	t.Equal(got, []string{"dir/x", "dir/y"}, `dir/x and dir/y
seen, "other" filtered out`)
	stop()

	t.Step("Replay history from a past revision")
	t.Say(`WithRev(r) replays every change since r, as long as r has
not been compacted; a watch whose revisions are compacted ends with
ErrCompacted, also one already running whose events were not yet sent.`)
	wctx, stop = context.WithCancel(ctx)
	defer stop()
	t.Etcdctl("watch", "--prefix", "--rev="+fmt.Sprint(start), t.Key(""))
	wch = cli.Watch(wctx, "", clientv3.WithPrefix(), clientv3.WithRev(start))
	evs, err = nextEvents(ctx, wch, 6, t.Timeout())
	if err != nil {
		return err
	}
	t.Result("%d events from revision %d: the "+
		"three on name, and dir/x, other, dir/y", len(evs), start)
	t.Equal(len(evs), 6, "all six writes of this lesson replayed")

	t.Step("Cancel the watch and read its channel until it closes")
	stop()
	t.Check(closed(wch, t.Timeout()), "the channel is closed after cancel")
	return nil
}
