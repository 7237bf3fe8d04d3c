package lessons_test

// The printed etcdctl lines of a lesson, pasted in order into a shell with
// ETCDCTL_ENDPOINTS exported, against a fresh etcd 3.4 brought to the
// revision the lesson started at, make the same writes as the lesson did:
// the same keys and values, at the same revisions, grouped the same way.
// Each line succeeds where the lesson's request did and fails where it
// failed. A lease's ID is the server's: the ID a replayed "lease grant"
// prints takes the place of the lesson's in the lines after it. The
// addresses of the lesson's own cluster's members (ETCDCTL_ENDPOINTS=...,
// --endpoints=...) become the replay's one etcd.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"etcdtour/lessons"
	"etcdtour/runner"
	"etcdtour/runner/runnertest"
)

// replayable are the lessons whose lines replay (docs/testing.md lists the
// others, and why). Their blocking lines (watch, lock, keep-alive) are left
// out of the replay: they write nothing.
var replayable = []runner.Lesson{lessons.Install, lessons.PutGet, lessons.Watch,
	lessons.Lease, lessons.KeepAlive, lessons.Resolver,
	lessons.WatchAway, lessons.WatchResume, lessons.WatchRelist}

// writes records the changes to a lesson's keys, one line per revision,
// as an Observer of the run: a watch of the lesson's prefix from the
// revision it starts at, read until a progress notification says it has
// caught up once the lesson is over.
type writes struct {
	mu   sync.Mutex
	revs []string
	last int64
	// compacted: the watch, moved to another member when the lesson
	// stopped its own, found its next revision compacted; revs is then
	// incomplete, and only the keys the lesson left (state) are compared.
	compacted bool
	state     []string
	err       error
}

func (w *writes) Wire(string, any, any, bool) {}

func (w *writes) Lesson(ctx context.Context, v runner.View) (wait func()) {
	gctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	list, err := v.List(gctx) // before the lesson runs: its first write is after
	cancel()
	if err != nil {
		w.fail(err)
		return func() {}
	}
	// Not ctx: it ends with the lesson, before the last events may have come.
	wctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	start := list.Header.Revision + 1
	wch := v.Watcher.Watch(wctx, "", clientv3.WithPrefix(), clientv3.WithRev(start), clientv3.WithCreatedNotify())
	select { // created before the lesson runs: a compaction cannot end it
	case resp := <-wch:
		if !resp.Created {
			w.fail(fmt.Errorf("the watch of the lesson's keys: %v", resp.Err()))
		}
	case <-time.After(5 * time.Second):
		w.fail(fmt.Errorf("the watch of the lesson's keys was not created within 5s"))
	}
	return func() {
		defer stop()
		gctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		now, err := v.List(gctx)
		cancel()
		if err != nil {
			w.fail(err)
			return
		}
		w.state = state(now.Kvs, "")
		if now.Header.Revision < start {
			return // nothing was written, and etcd answers no progress request below start
		}
		limit := time.After(20 * time.Second)
		ask := time.NewTicker(100 * time.Millisecond) // a progress request is answered once the watch caught up
		defer ask.Stop()
		for {
			select {
			case resp, ok := <-wch:
				if ok && errors.Is(resp.Err(), rpctypes.ErrCompacted) {
					w.compacted = true
					return
				}
				if !ok || resp.Err() != nil {
					w.fail(fmt.Errorf("the watch of the lesson's keys ended: %v", resp.Err()))
					return
				}
				if resp.IsProgressNotify() && ctx.Err() != nil {
					return
				}
				for _, ev := range resp.Events {
					w.add(ev, v.Prefix)
				}
			case <-ask.C:
				if ctx.Err() != nil {
					_ = v.Watcher.RequestProgress(wctx)
				}
			case <-limit:
				w.fail(fmt.Errorf("the watch of the lesson's keys did not catch up within 20s"))
				return
			}
		}
	}
}

func (w *writes) fail(err error) {
	if err == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
}

func (w *writes) add(ev *clientv3.Event, prefix string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.last = change(&w.revs, w.last, ev, prefix)
}

// change adds ev to revs, one line per revision (last is the revision of
// revs' last line), its key relative to prefix, and returns its revision.
func change(revs *[]string, last int64, ev *clientv3.Event, prefix string) int64 {
	key := strings.TrimPrefix(string(ev.Kv.Key), prefix)
	s := fmt.Sprintf("%s %s=%q", ev.Type, key, ev.Kv.Value)
	if ev.Type == clientv3.EventTypeDelete {
		s = fmt.Sprintf("%s %s", ev.Type, key)
	}
	if ev.Kv.ModRevision == last {
		(*revs)[len(*revs)-1] += ", " + s
	} else {
		*revs = append(*revs, fmt.Sprintf("@%d %s", ev.Kv.ModRevision, s))
	}
	return ev.Kv.ModRevision
}

// state is the keys kvs, relative to prefix, with their revisions.
func state(kvs []*mvccpb.KeyValue, prefix string) []string {
	var out []string
	for _, kv := range kvs {
		out = append(out, fmt.Sprintf("%s=%q create=%d mod=%d version=%d lease=%t",
			strings.TrimPrefix(string(kv.Key), prefix), kv.Value, kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease != 0))
	}
	return out
}

// history watches the writes under prefix on cli from revision from on,
// from before they are made (a compaction among them cannot end it), and
// returns a function that gives them, as writes records them, once a last
// write outside prefix marks their end.
func history(t *testing.T, cli *clientv3.Client, prefix string, from int64) func() []string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	wch := cli.Watch(ctx, "/", clientv3.WithPrefix(), clientv3.WithRev(from), clientv3.WithCreatedNotify())
	select {
	case resp := <-wch:
		if !resp.Created {
			t.Fatalf("the replay's watch: %v", resp.Err())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the replay's watch was not created within 5s")
	}
	return func() []string {
		t.Helper()
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		end, err := cli.Put(pctx, "/replay-end", "")
		if err != nil {
			t.Fatal(err)
		}
		var revs []string
		last := int64(0)
		for {
			select {
			case resp, ok := <-wch:
				if !ok || resp.Err() != nil {
					t.Fatalf("the replay's watch ended: %v", resp.Err())
				}
				for _, ev := range resp.Events {
					if ev.Kv.ModRevision >= end.Header.Revision {
						return revs
					}
					if strings.HasPrefix(string(ev.Kv.Key), prefix) {
						last = change(&revs, last, ev, prefix)
					}
				}
			case <-pctx.Done():
				t.Fatal("the replay's watch did not reach its last write within 10s")
			}
		}
	}
}

// replayLease is a lease's ID in an etcdctl line or a reply; granted is what
// etcdctl lease grant prints.
var (
	replayLease = regexp.MustCompile(`\b[0-9a-f]{16}\b`)
	granted     = regexp.MustCompile(`^lease ([0-9a-f]+) granted`)
	member      = regexp.MustCompile(`(ETCDCTL_ENDPOINTS=|--endpoints=)127\.0\.0\.1:\d+`)
)

func TestReplayEtcdctlLines(t *testing.T) {
	t.Parallel()
	for _, l := range replayable {
		t.Run(l.ID, func(t *testing.T) {
			t.Parallel()
			etcd34 := runnertest.StartEtcd(t)
			srv := runnertest.OwnServer(t)
			cfg := runner.Config{Prefix: "/replay/", RunID: "r", OwnServers: true, Keep: true}
			cfg.Conn.Endpoints = []string{srv.Endpoint()}
			w := &writes{}
			cfg.Observer = w
			sum, rec := runnertest.Run(t, cfg, l)
			runnertest.MustPass(t, sum, rec)
			if w.err != nil {
				t.Fatal(w.err)
			}
			want := w.revs
			if len(want) == 0 && l.ID != lessons.Install.ID {
				t.Fatalf("the lesson wrote nothing: nothing to compare")
			}

			cli, err := clientv3.New(clientv3.Config{Endpoints: []string{etcd34}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
			if err != nil {
				t.Fatal(err)
			}
			defer cli.Close()
			// The replay's etcd at the revision before the lesson's first
			// write, so that its lines' revisions (--rev=, mod(...) = "N",
			// compaction N) name the same writes.
			first := int64(2)
			if len(want) > 0 {
				fmt.Sscanf(want[0], "@%d", &first)
			}
			for rev := int64(1); rev < first-1; rev++ {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_, err := cli.Put(ctx, "/replay-pad", "")
				cancel()
				if err != nil {
					t.Fatal(err)
				}
			}

			prefix := cfg.Prefix + cfg.RunID + "/" + l.ID + "/"
			replayed := history(t, cli, prefix, first-1)
			events := rec.Events()
			ids := map[string]string{} // the lesson's lease ID → the replay's
			var lines []string
			for i, e := range events {
				if e.Kind != runner.KindEtcdctl || e.Request == "" {
					continue // watch, lock, keep-alive: they block
				}
				reply := ""
				for _, r := range events[i+1:] {
					if r.Kind == runner.KindReply && r.Request == e.Request {
						reply = r.Text
						break
					}
					if r.Kind == runner.KindEtcdctl && r.Request != "" {
						break
					}
				}
				line := member.ReplaceAllString(e.Text, "${1}"+etcd34)
				line = replayLease.ReplaceAllStringFunc(line, func(id string) string {
					if r, ok := ids[id]; ok {
						return r
					}
					return id
				})
				lines = append(lines, line)
				sh := exec.Command("sh", "-c", line)
				sh.Env = append(os.Environ(), "ETCDCTL_ENDPOINTS="+etcd34, "ETCDCTL_API=3")
				out, err := sh.CombinedOutput()
				failed := strings.HasPrefix(reply, "error: ")
				if (err != nil) != failed {
					t.Fatalf("%s\n%s(exit: %v) where the lesson's request answered %q\n--- lines so far:\n%s",
						line, out, err, reply, strings.Join(lines, "\n"))
				}
				if m := granted.FindSubmatch(out); m != nil {
					if id := replayLease.FindString(reply); id != "" {
						ids[id] = string(m[1])
					}
				}
			}
			// A lease the lesson saw expire expires in the replay too: its
			// keys' deletes are writes to compare. Wait for them.
			for _, id := range ids {
				var n int64
				fmt.Sscanf(id, "%x", &n)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				ttl, err := cli.TimeToLive(ctx, clientv3.LeaseID(n), clientv3.WithAttachedKeys())
				cancel()
				if err != nil {
					t.Fatal(err)
				}
				if ttl.TTL < 0 || len(ttl.Keys) == 0 || !expires(want, prefix, ttl.Keys) {
					continue
				}
				wctx, cancel := context.WithTimeout(context.Background(), time.Duration(ttl.TTL+3)*time.Second)
				wch := cli.Watch(wctx, string(ttl.Keys[0]), clientv3.WithRev(ttl.Revision+1))
				select {
				case <-wch:
				case <-wctx.Done():
					t.Errorf("lease %s did not expire within %ds, as the lesson's did", id, ttl.TTL+3)
				}
				cancel()
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			left, err := cli.Get(ctx, prefix, clientv3.WithPrefix())
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			if got := state(left.Kvs, prefix); strings.Join(got, "\n") != strings.Join(w.state, "\n") {
				t.Errorf("the etcdctl lines left:\n%s\n--- the lesson left:\n%s\n--- lines:\n%s",
					strings.Join(got, "\n"), strings.Join(w.state, "\n"), strings.Join(lines, "\n"))
			}
			if w.compacted {
				t.Logf("the lesson's writes are compared by the keys it left only: the watch of them was compacted away")
				return
			}
			got := replayed()
			t.Logf("%d lines replayed; %d revisions of writes compared, %d keys left", len(lines), len(want), len(w.state))
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("the etcdctl lines wrote, one revision a line:\n%s\n--- the lesson wrote:\n%s\n--- lines:\n%s",
					strings.Join(got, "\n"), strings.Join(want, "\n"), strings.Join(lines, "\n"))
			}
		})
	}
}

// expires reports whether the lesson's writes (relative to prefix) delete
// one of keys.
func expires(want []string, prefix string, keys [][]byte) bool {
	for _, k := range keys {
		del := "DELETE " + strings.TrimPrefix(string(k), prefix)
		for _, r := range want {
			for _, c := range strings.Split(r, ", ") {
				if strings.HasSuffix(c, " "+del) || c == del {
					return true
				}
			}
		}
	}
	return false
}

// checkNoReplaySaid checks that a lesson whose lines do not replay (not in
// replayable) says so in its output (said, its run's text), in the words
// docs/testing.md's table gives for it.
func checkNoReplaySaid(t *testing.T, lesson, said string) {
	t.Helper()
	for _, l := range replayable {
		if l.ID == lesson {
			return
		}
	}
	md, err := os.ReadFile(docsDir + "/testing.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| ([a-z, -]+) \| [^|]+ \| (.+) \|$`)
	for _, m := range row.FindAllStringSubmatch(string(md), -1) {
		if !slices.Contains(strings.Split(m[1], ", "), lesson) {
			continue
		}
		marks := regexp.MustCompile(`"([^"]+)"`).FindAllStringSubmatch(m[2], -1)
		if len(marks) == 0 {
			t.Errorf("docs/testing.md: the row of %s quotes nothing the output says", lesson)
		}
		for _, q := range marks {
			if !regexp.MustCompile(strings.ReplaceAll(regexp.QuoteMeta(q[1]), " N ", ` \d+ `)).MatchString(said) {
				t.Errorf("%s's lines do not replay, and its output does not say %q (docs/testing.md)", lesson, q[1])
			}
		}
		return
	}
	t.Errorf("%s is neither replayed (TestReplayEtcdctlLines) nor in docs/testing.md's table of lessons that are not, with what the output says", lesson)
}
