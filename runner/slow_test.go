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

// TestSlowClusterSaid: a step whose request the cluster answered late (a
// proxy holds it 2 s in the middle of the lesson, as a crowded
// cluster does) says that the cluster, not the lesson, was slow, and the
// lesson's failure says it too; the steps before and after it, at the
// cluster's own speed, say nothing of it. TestFarCluster shows that a
// cluster far away from the start (its round trip measured) is not slow.
func TestSlowClusterSaid(t *testing.T) {
	t.Parallel()
	addr, setDelay := runnertest.NewVarDelayProxy(t, runnertest.StartEtcd(t), 0)
	put := func(ctx context.Context, t *runner.T) error {
		return call(ctx, t, func(ctx context.Context) error {
			_, err := t.Client.Put(ctx, "k", "v")
			return err
		})
	}
	fails := errors.New("the fixture fails")
	sum, rec := runnertest.Run(t, runner.Config{Conn: etcdconn.Conn{Endpoints: []string{addr}}},
		lesson("slow", func(ctx context.Context, t *runner.T) error {
			t.Step("A Put at the cluster's speed")
			if err := put(ctx, t); err != nil {
				return err
			}
			t.Step("A Put the cluster answers 2 s late")
			// The Put waits 2 s on its way; the answer comes at once:
			// what the connection sends after it (a ping's
			// acknowledgement) is not held up for the next step.
			setDelay(2 * time.Second)
			reset := time.AfterFunc(time.Second, func() { setDelay(0) })
			err := put(ctx, t)
			reset.Stop()
			setDelay(0)
			if err != nil {
				return err
			}
			t.Step("A Put at the cluster's speed again")
			if err := put(ctx, t); err != nil {
				return err
			}
			return fails
		}))
	var slow []runner.Event
	for _, e := range runnertest.Events(rec, runner.KindSay) {
		if strings.Contains(e.Text, "the cluster was slow") {
			slow = append(slow, e)
		}
	}
	if len(slow) != 1 || slow[0].Step != 2 || !strings.Contains(slow[0].Text, "(Put)") {
		t.Errorf("want one say that the cluster was slow, at step 2, naming the Put; got %v\n%s", slow, rec.String())
	}
	if len(sum.Lessons) != 1 || !strings.Contains(sum.Lessons[0].Error, fails.Error()+"; the cluster was slow: 1 request(s)") {
		t.Errorf("want the failure to say the cluster was slow; got %+v\n%s", sum.Lessons, rec.String())
	}
}
