package runner_test

// Lessons that need an etcd of their own (Lesson.Needs): the runner starts
// it for the lesson alone, hands it over as t.Cluster, and removes it after,
// temp dir and all; on a cluster the user named, the lesson is skipped with
// one line. The package's TestMain fails the run if a member's goroutine
// is left behind.

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/runnertest"
)

func ownLesson(id string, members int, run func(context.Context, *runner.T) error) runner.Lesson {
	l := lesson(id, run)
	l.Needs = runner.Needs{Members: members}
	return l
}

// ownClusterLesson uses every part of its cluster: members, leader, a
// compaction (which a lesson's client refuses on any other etcd), a stopped
// leader and a new one, writes through the survivors, a member of its own,
// and a restart that catches up.
func ownClusterLesson(ctx context.Context, t *runner.T) error {
	c := t.Cluster
	if c == nil {
		return errors.New("t.Cluster is nil")
	}
	cli := t.Client
	t.Step("The cluster")
	t.Equal(c.Size(), 3, "three members")
	t.Equal(len(c.Endpoints()), 3, "three endpoints")
	t.Equal(strings.Join(cli.Endpoints(), ","), strings.Join(c.Endpoints(), ","), "the lesson's client has every member")
	t.Equal(c.Name(0)+c.Name(2), "m1m3", "members are named m1..m3")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	lead, err := c.Leader(ctx1)
	cancel()
	if err != nil {
		return err
	}

	t.Step("Compact and defragment")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	put, err := cli.Put(ctx1, "k", "v1")
	cancel()
	if err != nil {
		return err
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	_, err = cli.Put(ctx1, "k", "v2")
	cancel()
	if err != nil {
		return err
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	_, err = cli.Compact(ctx1, put.Header.Revision+1)
	cancel()
	if err != nil {
		return err
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	_, err = cli.Get(ctx1, "k", clientv3.WithRev(put.Header.Revision))
	cancel()
	t.Check(errors.Is(err, rpctypes.ErrCompacted), "a Get at the compacted revision fails: %v", err)
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	_, err = cli.Defragment(ctx1, c.Endpoints()[lead])
	cancel()
	if err != nil {
		return err
	}

	t.Step("Stop the leader")
	start := time.Now()
	if err := c.Stop(lead); err != nil {
		return err
	}
	t.Check(time.Since(start) < time.Second, "Stop took %v", time.Since(start))
	t.Check(c.Stop(lead) != nil, "a stopped member cannot be stopped again")
	// An election timeout and a vote; on a loaded machine, under -race,
	// much more.
	ctx1, cancel = context.WithTimeout(ctx, 30*time.Second)
	next, err := c.Leader(ctx1)
	cancel()
	if err != nil {
		return err
	}
	t.Check(next != lead, "a new leader: %s, not %s", c.Name(next), c.Name(lead))
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	_, err = cli.Put(ctx1, "k", "v3")
	cancel()
	if err != nil {
		return err
	}

	t.Step("Restart it")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = c.Restart(ctx1, lead)
	cancel()
	if err != nil {
		return err
	}
	one, err := c.Client(lead)
	if err != nil {
		return err
	}
	t.Equal(strings.Join(one.Endpoints(), ","), c.Endpoints()[lead], "Client(i) talks to member i alone")
	// A linearizable read first: it returns once the member has caught up.
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	_, err = one.Get(ctx1, "k")
	cancel()
	if err != nil {
		return err
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	get, err := one.Get(ctx1, "k", clientv3.WithSerializable())
	cancel()
	if err != nil {
		return err
	}
	t.Check(len(get.Kvs) == 1 && string(get.Kvs[0].Value) == "v3", "the restarted member has the write made while it was down: %v", get.Kvs)
	return nil
}

func TestOwnCluster(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sum, rec := runnertest.Run(t, runner.Config{TempDir: dir}, ownLesson("own", 3, ownClusterLesson))
	runnertest.MustPass(t, sum, rec)
	runnertest.EmptyDir(t, dir)
	cleanups := runnertest.Events(rec, runner.KindCleanup)
	if len(cleanups) != 1 || !strings.Contains(cleanups[0].Text, "stopped its own etcd (3 member(s)) and removed its data") {
		t.Errorf("cleanup events %v, want the cluster's removal", cleanups)
	}
	says := runnertest.Events(rec, runner.KindSay)
	if len(says) == 0 || !strings.Contains(says[0].Text, "export ETCDCTL_ENDPOINTS=") {
		t.Errorf("the lesson does not begin by saying where its etcd is: %v", says)
	}
}

// TestOwnClusterOnlyForItsLesson: a lesson's own etcd is its alone, and
// the client of a lesson without one still refuses Compact.
func TestOwnClusterOnlyForItsLesson(t *testing.T) {
	t.Parallel()
	var own, shared []string
	sum, rec := runnertest.Run(t, runner.Config{}, ownLesson("one", 1, func(ctx context.Context, t *runner.T) error {
		t.Step("Compact my own etcd")
		own = t.Client.Endpoints()
		t.Equal(t.Cluster.Size(), 1, "one member")
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		put, err := t.Client.Put(ctx1, "k", "v")
		cancel()
		if err != nil {
			return err
		}
		ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
		_, err = t.Client.Compact(ctx1, put.Header.Revision)
		cancel()
		return err
	}), lesson("other", func(ctx context.Context, t *runner.T) error {
		t.Step("Compact the shared etcd")
		shared = t.Client.Endpoints()
		t.Check(t.Cluster == nil, "no cluster of its own")
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		_, err := t.Client.Compact(ctx1, 1)
		cancel()
		t.Check(err != nil && strings.Contains(err.Error(), clusterWide), "Compact refused: %v", err)
		return nil
	}))
	runnertest.MustPass(t, sum, rec)
	if len(own) != 1 || len(shared) != 1 || own[0] == shared[0] {
		t.Errorf("own etcd %v, shared etcd %v: want one each, not the same", own, shared)
	}
}

// TestOwnClusterSkippedOnUsersCluster: on a cluster the user named, a lesson
// that needs its own is not run, not even started: one line says why, the
// summary counts it, and the run is OK.
func TestOwnClusterSkippedOnUsersCluster(t *testing.T) {
	t.Parallel()
	srv, _ := shared(t)
	var ran atomic.Bool
	sum, rec := runnertest.Run(t, runner.Config{
		Conn: etcdconn.Conn{Endpoints: []string{srv.Endpoint()}},
	}, []runner.Lesson{
		lesson("before", passCheck),
		ownLesson("own", 3, func(context.Context, *runner.T) error { ran.Store(true); return nil }),
		lesson("after", passCheck),
	}...)
	if ran.Load() {
		t.Error("the lesson ran on the user's cluster")
	}
	var got []string
	for _, r := range sum.Lessons {
		got = append(got, r.ID+":"+string(r.Status))
	}
	if s := strings.Join(got, " "); s != "before:passed own:skipped after:passed" || !sum.OK() {
		t.Errorf("summary %s, OK %v: want the lesson skipped and the run OK", s, sum.OK())
	}
	var own []runner.Event
	var summary runner.Event
	for _, e := range rec.Events() {
		if e.Lesson == "own" {
			own = append(own, e)
		}
		if e.Kind == runner.KindSummary {
			summary = e
		}
	}
	if len(own) != 1 || own[0].Kind != runner.KindLessonEnd || own[0].Status != runner.StatusSkipped || !strings.Contains(own[0].Error, "--endpoints") {
		t.Errorf("events of the skipped lesson: %+v, want one lesson-end saying why", own)
	}
	if summary.Skipped != 1 || summary.Passed != 2 {
		t.Errorf("summary counts passed %d, skipped %d; want 2, 1", summary.Passed, summary.Skipped)
	}
	out := rec.String()
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "own") && !strings.HasPrefix(l, "   2. own ") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "  SKIP own: needs an etcd cluster of its own (3 members)") {
		t.Errorf("the console says of the skipped lesson %q, want one SKIP line:\n%s", lines, out)
	}
	if !strings.Contains(out, "2 passed, 0 failed, 1 skipped") {
		t.Errorf("the summary line does not count the skip:\n%s", out)
	}
}

// TestOwnClusterInterrupted: Ctrl-C while a lesson runs on its own cluster
// stops the lesson and removes the cluster, temp dir and all.
func TestOwnClusterInterrupted(t *testing.T) {
	t.Parallel()
	srv, _ := shared(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sum, rec := runnertest.RunContext(ctx, t, runner.Config{
		Conn:       etcdconn.Conn{Endpoints: []string{srv.Endpoint()}},
		OwnServers: true,
		TempDir:    dir,
	}, []runner.Lesson{ownLesson("own", 3, func(ctx context.Context, t *runner.T) error {
		t.Step("Wait for Ctrl-C")
		ents, _ := os.ReadDir(dir)
		t.Equal(len(ents), 1, "the cluster's temp dir is there")
		cancel() // as the first Ctrl-C does
		<-ctx.Done()
		return ctx.Err()
	}), lesson("after", passCheck)}...)
	var got []string
	for _, r := range sum.Lessons {
		got = append(got, r.ID+":"+string(r.Status))
	}
	if s := strings.Join(got, " "); s != "own:interrupted after:not run" {
		t.Errorf("summary %s, want the lesson interrupted\n%s", s, rec.String())
	}
	runnertest.EmptyDir(t, dir)
}

// TestMemberClientLinesNameTheMember: the etcdctl line of a request made
// through a client of one member (Cluster.Client) sends it to that member,
// as the request went: ETCDCTL_ENDPOINTS=ADDR in front. The lesson's
// client, which has every member, names none.
func TestMemberClientLinesNameTheMember(t *testing.T) {
	t.Parallel()
	var member string
	sum, rec := runnertest.Run(t, runner.Config{}, ownLesson("member", 1, func(ctx context.Context, t *runner.T) error {
		t.Step("Read from one member, then from the cluster")
		member = t.Cluster.Endpoints()[0]
		one, err := t.Cluster.Client(0)
		if err != nil {
			return err
		}
		for _, c := range []*clientv3.Client{one, t.Client} {
			ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
			_, err = c.Get(ctx1, "k", clientv3.WithSerializable())
			cancel()
			if err != nil {
				return err
			}
		}
		return nil
	}))
	runnertest.MustPass(t, sum, rec)
	var lines []string
	for _, e := range runnertest.Events(rec, runner.KindEtcdctl) {
		lines = append(lines, e.Text)
	}
	want := []string{"ETCDCTL_ENDPOINTS=" + member + " etcdctl get --consistency=s ", "etcdctl get --consistency=s "}
	if len(lines) != 2 || !strings.HasPrefix(lines[0], want[0]) || !strings.HasPrefix(lines[1], want[1]) {
		t.Errorf("etcdctl lines %q, want them to start with %q", lines, want)
	}
}
