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

// History runs on an etcd of its own: it compacts it, which would drop the
// history of everyone's keys on a shared one.
var History = runner.Lesson{
	ID:    "history",
	Title: "History and compaction",
	Doc: "etcd keeps every version of every key, by revision, until it is " +
		"compacted: read the past, compact it, and see a Get and a watch " +
		"fail with ErrCompacted; then what the history costs in space, and " +
		"how to give it back.",
	Run:   history,
	Needs: runner.Needs{Members: 3},
}

func history(ctx context.Context, t *runner.T) error {
	cli := t.Client
	t.Step("Every write makes a new revision of the whole store")
	var revs []int64
	values := []string{"v1", "v2", "v3"}
	for _, v := range values {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		put, err := cli.Put(ctx1, "config", v)
		cancel()
		if err != nil {
			return err
		}
		revs = append(revs, put.Header.Revision)
	}
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	get, err := cli.Get(ctx1, "config")
	cancel()
	if err != nil || len(get.Kvs) != 1 {
		return fmt.Errorf("get %q: %v, %v", "config", err, get)
	}
	t.Result("%s  (store revision %d)", kvString(get.Kvs[0]),
		get.Header.Revision)
	t.Equal(get.Kvs[0].CreateRevision, revs[0],
		"create_revision: the revision that created it")
	t.Equal(get.Kvs[0].ModRevision, revs[len(revs)-1],
		"mod_revision: the revision that last wrote it")
	t.Equal(get.Kvs[0].Version, int64(len(values)),
		"version: how many times it was written since")

	t.Step("Read the past: Get at an older revision")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	old, err := cli.Get(ctx1, "config", clientv3.WithRev(revs[0]))
	cancel()
	if err != nil || len(old.Kvs) != 1 {
		return fmt.Errorf("get %q at %d: %v, %v", "config", revs[0], err, old)
	}
	t.Result("%s", kvString(old.Kvs[0]))
	t.Equal(string(old.Kvs[0].Value), values[0],
		"at revision %d the value was %s", revs[0], values[0])

	t.Step("History costs space: overwrite a 16 KiB value 20 times")
	blob := strings.Repeat("x", 16<<10)
	var last int64
	for range 20 {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		put, err := cli.Put(ctx1, "blob", blob)
		cancel()
		if err != nil {
			return err
		}
		last = put.Header.Revision
	}

	t.Step("Compact: forget every revision before %d", last)
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	_, err = cli.Compact(ctx1, last, clientv3.WithCompactPhysical())
	cancel()
	if err != nil {
		return err
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	_, err = cli.Get(ctx1, "config", clientv3.WithRev(revs[0]))
	cancel()
	t.Check(errors.Is(err, rpctypes.ErrCompacted),
		"a Get at revision %d fails: %v", revs[0], err)
	t.Etcdctl("watch", fmt.Sprintf("--rev=%d", revs[0]), t.Key("config"))
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	var resp clientv3.WatchResponse
	select {
	case resp = <-cli.Watch(wctx, "config", clientv3.WithRev(revs[0])):
	case <-time.After(t.Timeout()):
	}
	t.Result("watch from %d: %v (compact_revision=%d)", revs[0], resp.Err(),
		resp.CompactRevision)
	t.Check(errors.Is(resp.Err(), rpctypes.ErrCompacted),
		"a watch from revision %d ends at once", revs[0])
	t.Equal(resp.CompactRevision, last, "it says where history now starts")
	t.Say(`A watch from there would skip every change before it: Get
the key again and watch from that revision + 1. A read pinned to an old
revision breaks the same way midway: a paginated Get(WithRev), an STM's
snapshot reads.`)

	t.Step("Compaction frees space in the file; Defragment gives it back")
	lead, err := t.Cluster.Leader(ctx)
	if err != nil {
		return err
	}
	ep := t.Cluster.Endpoints()[lead]
	before, err := dbSize(ctx, t, ep)
	if err != nil {
		return err
	}
	t.Say(`The file keeps its size: the freed pages wait there to be
reused (Status's DbSizeInUse counts only the pages in use).`)
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	_, err = cli.Defragment(ctx1, ep)
	cancel()
	if err != nil {
		return err
	}
	after, err := dbSize(ctx, t, ep)
	if err != nil {
		return err
	}
	t.Check(after < before/2, "the file shrank from %d to %d bytes", before,
		after)
	t.Say(`etcd refuses writes (alarm NOSPACE) once the file reaches
its quota, --quota-backend-bytes (2 GiB by default), used or not:
compact, then defragment each member in turn (it blocks while it runs),
then disarm. etcd compacts nothing unless told:
--auto-compaction-mode=periodic --auto-compaction-retention=1h, or
Kubernetes' API server, every 5 min.`)

	return nil
}

// dbSize asks member ep how big its database file is.
func dbSize(ctx context.Context, t *runner.T, ep string) (int64, error) {
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	st, err := t.Client.Status(ctx1, ep)
	cancel()
	if err != nil {
		return 0, err
	}
	t.Result("db size %d bytes (revision %d)", st.DbSize, st.Header.Revision)
	return st.DbSize, nil
}
