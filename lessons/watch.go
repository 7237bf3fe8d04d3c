package lessons

import (
	"context"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// Watch plays the article's two terminals: one client watches, one writes.
var Watch = runner.Lesson{
	ID:    "watch",
	Title: "Watch",
	Doc: "Watch a key while another client (or you, under --interactive) " +
		"writes it, watch a prefix, replay history from a past revision.",
	Run: watch,
}

func watch(ctx context.Context, t *runner.T) error {
	cli := t.Client

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
	if t.Interactive() {
		return watchYourWrites(ctx, t, wch)
	}

	t.Step("A second client writes; the watch sees each change in order")
	writer, err := t.NewClient() // the article's second terminal
	if err != nil {
		return err
	}
	defer writer.Close()
	var want []string // the values written; a delete has none
	for _, op := range []clientv3.Op{clientv3.OpPut("name", "a"),
		clientv3.OpPut("name", "b"), clientv3.OpDelete("name")} {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		_, err := writer.Do(ctx1, op)
		cancel()
		if err != nil {
			return err
		}
		want = append(want, string(op.ValueBytes()))
	}
	evs, err := nextEvents(ctx, wch, 3, t.Timeout())
	if err != nil {
		return err
	}
	var got []string
	for _, ev := range evs {
		t.Result("%s", evString(ev))
		got = append(got, string(ev.Kv.Value))
	}
	t.Equal(got, want, "each write, in order")

	t.Step("Watch a prefix from a past revision: history is replayed")
	for _, k := range []string{"dir/x", "other", "dir/y"} {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		_, err := writer.Put(ctx1, k, "1")
		cancel()
		if err != nil {
			return err
		}
	}
	t.Say(`WithRev(r) replays every change since r, as long as r has
not been compacted (then the watch ends with ErrCompacted).`)
	t.Etcdctl("watch", "--prefix", "--rev="+fmt.Sprint(start), t.Key("dir/"))
	pch := cli.Watch(wctx, "dir/", clientv3.WithPrefix(),
		clientv3.WithRev(start))
	evs, err = nextEvents(ctx, pch, 2, t.Timeout())
	if err != nil {
		return err
	}
	got = nil
	for _, ev := range evs {
		t.Result("%s", evString(ev))
		got = append(got, string(ev.Kv.Key))
	}
	t.Equal(got, []string{"dir/x", "dir/y"}, "replayed, other filtered out")

	t.Step("Cancel the watches and read their channels until they close")
	stop()
	t.Check(closed(wch, t.Timeout()) && closed(pch, t.Timeout()),
		"both channels are closed after cancel")
	return nil
}
