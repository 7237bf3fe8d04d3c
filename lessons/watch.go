package lessons

import (
	"context"
	"fmt"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// Watch plays both terminals of the article: one client watches, another
// writes.
var Watch = runner.Lesson{
	ID:     "watch",
	Title:  "Watch",
	Doc:    "Watch a key while another client writes it (the lesson's own, or you with etcdctl under --interactive), watch a prefix, replay history from a past revision.",
	Source: "lessons/watch.go",
	Run:    watch,
}

func watch(ctx context.Context, t *runner.T) error {
	if t.Interactive() {
		return watchYourWrites(ctx, t)
	}
	cli := t.Client
	// The article ran etcdctl in a second terminal; a second client does it here.
	writer, err := t.NewClient()
	if err != nil {
		return fmt.Errorf("second client: %w", err)
	}
	write := func(op clientv3.Op, etcdctl ...string) (int64, error) {
		t.Etcdctl(etcdctl...)
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		resp, err := writer.Do(ctx1, op)
		cancel()
		if err != nil {
			return 0, fmt.Errorf("%s: %w", strings.Join(etcdctl, " "), err)
		}
		if op.IsDelete() {
			return resp.Del().Header.Revision, nil
		}
		return resp.Put().Header.Revision, nil
	}

	t.Step("Watch one key while a second client writes it")
	// Cancelling wctx ends the watch; WithCreatedNotify tells us it is in
	// place, so no write can slip in before it.
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	t.Etcdctl("watch", t.Key("name"))
	wch := cli.Watch(wctx, "name", clientv3.WithCreatedNotify())
	if _, err := nextResponse(ctx, wch, t.Timeout()); err != nil {
		return fmt.Errorf("watch %q: %w", "name", err)
	}
	var revs []int64
	for _, w := range []struct {
		op   clientv3.Op
		args []string
	}{
		{clientv3.OpPut("name", "a"), []string{"put", t.Key("name"), "a"}},
		{clientv3.OpPut("name", "b"), []string{"put", t.Key("name"), "b"}},
		{clientv3.OpDelete("name"), []string{"del", t.Key("name")}},
	} {
		rev, err := write(w.op, w.args...)
		if err != nil {
			return err
		}
		revs = append(revs, rev)
	}
	got, err := collect(ctx, t, wch, 3)
	if err != nil {
		return fmt.Errorf("watch %q: %w", "name", err)
	}
	want := fmt.Sprintf("[PUT name=a@%d PUT name=b@%d DELETE name@%d]", revs[0], revs[1], revs[2])
	t.Check(fmt.Sprint(got) == want, "exactly the three events, in order: %v", got)
	stop()

	t.Step("Watch a prefix")
	wctx, stop = context.WithCancel(ctx)
	defer stop()
	t.Etcdctl("watch", "--prefix", t.Key("dir/"))
	wch = cli.Watch(wctx, "dir/", clientv3.WithPrefix(), clientv3.WithCreatedNotify())
	if _, err := nextResponse(ctx, wch, t.Timeout()); err != nil {
		return fmt.Errorf("watch prefix %q: %w", "dir/", err)
	}
	for _, k := range []string{"dir/x", "other", "dir/y"} {
		if _, err := write(clientv3.OpPut(k, "1"), "put", t.Key(k), "1"); err != nil {
			return err
		}
	}
	got, err = collect(ctx, t, wch, 2)
	if err != nil {
		return fmt.Errorf("watch prefix %q: %w", "dir/", err)
	}
	t.Check(len(got) == 2 && strings.HasPrefix(got[0], "PUT dir/x") && strings.HasPrefix(got[1], "PUT dir/y"),
		"dir/x and dir/y seen, \"other\" filtered out: %v", got)
	stop()

	t.Step("History: revision 0 means from now on")
	t.Say(`A watch without WithRev starts after the current revision: the PUTs
and DELETE of step 1 are not replayed. WithRev(r) replays every change
since r, as long as r has not been compacted (then the watch ends with
ErrCompacted).`)
	wctx, stop = context.WithCancel(ctx)
	defer stop()
	t.Etcdctl("watch", t.Key("name"))
	wch = cli.Watch(wctx, "name", clientv3.WithCreatedNotify())
	if _, err := nextResponse(ctx, wch, t.Timeout()); err != nil {
		return fmt.Errorf("watch %q: %w", "name", err)
	}
	rev, err := write(clientv3.OpPut("name", "c"), "put", t.Key("name"), "c")
	if err != nil {
		return err
	}
	got, err = collect(ctx, t, wch, 1)
	t.Check(err == nil && len(got) == 1 && got[0] == fmt.Sprintf("PUT name=c@%d", rev), "the first event is the new write, not history: %v", got)
	stop()
	t.Etcdctl("watch", "--rev="+fmt.Sprint(revs[0]), t.Key("name"))
	want = strings.TrimSuffix(want, "]") + fmt.Sprintf(" PUT name=c@%d]", rev)
	wctx, stop = context.WithCancel(ctx)
	defer stop()
	wch = cli.Watch(wctx, "name", clientv3.WithRev(revs[0]))
	got, err = collect(ctx, t, wch, 4)
	if err != nil {
		return fmt.Errorf("watch %q from revision %d: %w", "name", revs[0], err)
	}
	t.Check(fmt.Sprint(got) == want, "WithRev(%d) replays all four events, history included", revs[0])

	t.Step("Cancel the watch and read its channel until it closes")
	stop()
	t.Check(drain(wch, t.Timeout()), "the channel is closed after cancel")
	return nil
}

// collect reads watch events until it has n of them, showing each.
func collect(ctx context.Context, t *runner.T, wch clientv3.WatchChan, n int) ([]string, error) {
	var got []string
	for len(got) < n {
		resp, err := nextResponse(ctx, wch, t.Timeout())
		if err != nil {
			return got, err
		}
		for _, ev := range resp.Events {
			t.Result("%s", runner.Ev(ev))
			s := fmt.Sprintf("%s %s=%s@%d", ev.Type, ev.Kv.Key, ev.Kv.Value, ev.Kv.ModRevision)
			if ev.Type == clientv3.EventTypeDelete {
				s = fmt.Sprintf("%s %s@%d", ev.Type, ev.Kv.Key, ev.Kv.ModRevision)
			}
			got = append(got, s)
		}
	}
	return got, nil
}
