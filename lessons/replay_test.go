package lessons_test

// The printed etcdctl lines of a lesson, pasted in order into a shell with
// ETCDCTL_ENDPOINTS exported, against a fresh etcd 3.4, make the same writes
// as the lesson did: the same keys and values, changed in the same number
// of revisions, grouped the same way.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"etcdtour/lessons"
	"etcdtour/runner"
	"etcdtour/runner/runnertest"
)

// replayable are the lessons made of KV and Txn calls (and watches, whose
// blocking etcdctl lines are left out of the replay).
var replayable = []runner.Lesson{lessons.PutGet, lessons.Watch}

// history is the writes under prefix from revision from on: one line per
// revision, its changes in order.
func history(t *testing.T, ep, prefix string, from int64) []string {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{ep}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// A last write marks the end of the history.
	end, err := cli.Put(ctx, prefix+"~end", "")
	if err != nil {
		t.Fatal(err)
	}
	var revs []string
	last := int64(0)
	for resp := range cli.Watch(ctx, prefix, clientv3.WithPrefix(), clientv3.WithRev(from)) {
		if err := resp.Err(); err != nil {
			t.Fatal(err)
		}
		for _, ev := range resp.Events {
			if ev.Kv.ModRevision == end.Header.Revision {
				return revs
			}
			s := fmt.Sprintf("%s %s=%q", ev.Type, ev.Kv.Key, ev.Kv.Value)
			if ev.Type == clientv3.EventTypeDelete {
				s = fmt.Sprintf("%s %s", ev.Type, ev.Kv.Key)
			}
			if ev.Kv.ModRevision == last {
				revs[len(revs)-1] += ", " + s
			} else {
				revs = append(revs, s)
			}
			last = ev.Kv.ModRevision
		}
	}
	t.Fatalf("the watch of %s ended before its last write", prefix)
	return nil
}

func TestReplayEtcdctlLines(t *testing.T) {
	t.Parallel()
	etcd34 := runnertest.StartEtcd(t)
	for _, l := range replayable {
		t.Run(l.ID, func(t *testing.T) {
			t.Parallel()
			prefix := "/replay/"
			ep := runnertest.Server(t).Endpoint()
			cli, err := clientv3.New(clientv3.Config{Endpoints: []string{ep}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			before, err := cli.Get(ctx, "x")
			cancel()
			cli.Close()
			if err != nil {
				t.Fatal(err)
			}
			// Keep: the keys the lesson leaves to the clean-up are part of
			// what the lines must rebuild.
			// A run id per lesson: the lessons run at once, and a run does
			// not start where another's keys are.
			runID := "r-" + l.ID
			sum, rec := runnertest.Run(t, runner.Config{Prefix: prefix, RunID: runID, Keep: true}, l)
			runnertest.MustPass(t, sum, rec)
			lessonPrefix := prefix + runID + "/" + l.ID + "/"
			want := history(t, ep, lessonPrefix, before.Header.Revision+1)

			var script []string
			for _, e := range runnertest.Events(rec, runner.KindEtcdctl) {
				if e.Request == "" {
					continue // watch, lock, keep-alive: they block
				}
				if e.Request == "Range" {
					// A read at a past revision of the lesson's server may
					// be in the future of a fresh one: reads write nothing.
					e.Text += " >/dev/null || true"
				}
				script = append(script, e.Text)
			}
			sh := exec.Command("sh", "-e", "-c", strings.Join(script, "\n"))
			sh.Env = append(os.Environ(), "ETCDCTL_ENDPOINTS="+etcd34, "ETCDCTL_API=3")
			if out, err := sh.CombinedOutput(); err != nil {
				t.Fatalf("the etcdctl lines failed: %v\n%s\n--- lines:\n%s", err, out, strings.Join(script, "\n"))
			}
			got := history(t, etcd34, lessonPrefix, 1)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("the etcdctl lines wrote, one revision a line:\n%s\n--- the lesson wrote:\n%s\n--- lines:\n%s",
					strings.Join(got, "\n"), strings.Join(want, "\n"), strings.Join(script, "\n"))
			}
			if len(want) < 3 {
				t.Errorf("the lesson wrote only %d revisions: nothing much compared", len(want))
			}
		})
	}
}
