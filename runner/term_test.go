package runner_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"etcdtour/runner"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/runnertest"
)

// TestLeaderChangeNamed: a lesson that fails after the leader changed
// (etcdctl move-leader, on the test's own three members) says so, with
// what it does to leases (etcd-io/etcd#9395): a wait for an expiry across
// it fails with a bare timeout otherwise. One that fails without a change
// does not.
func TestLeaderChangeNamed(t *testing.T) {
	t.Parallel()
	c := runnertest.StartCluster(t, runnertest.ClusterOptions{HeartbeatMs: 50, ElectionMs: 500})
	moveLeader := func() {
		lead := c.Leader()
		to := (lead + 1) % 3
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		st, err := c.Client(t, to).Status(ctx, c.Endpoint(to))
		if err == nil {
			_, err = c.Client(t, lead).MoveLeader(ctx, st.Header.MemberId)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	get := func(ctx context.Context, t *runner.T) error {
		return call(ctx, t, func(ctx context.Context) error {
			_, err := t.Client.Get(ctx, "k")
			return err
		})
	}
	expired := errors.New("0 of 1 watch events: context deadline exceeded")
	sum, rec := runnertest.Run(t, runner.Config{Conn: etcdconn.Conn{Endpoints: c.Endpoints()}},
		lesson("moved", func(ctx context.Context, t *runner.T) error {
			t.Step("Read, the leader moves, read again")
			if err := get(ctx, t); err != nil {
				return err
			}
			moveLeader()
			if err := get(ctx, t); err != nil {
				return err
			}
			return expired
		}),
		lesson("stayed", func(ctx context.Context, t *runner.T) error {
			t.Step("Read")
			if err := get(ctx, t); err != nil {
				return err
			}
			return expired
		}))
	if len(sum.Lessons) != 2 {
		t.Fatalf("%d lessons:\n%s", len(sum.Lessons), rec.String())
	}
	if e := sum.Lessons[0].Error; !strings.Contains(e, "the leader changed at") || !strings.Contains(e, "etcd-io/etcd#9395") {
		t.Errorf("a failure across a leader change: %q, want it named", e)
	}
	if e := sum.Lessons[1].Error; strings.Contains(e, "leader") {
		t.Errorf("a failure with no leader change: %q names one", e)
	}
}
