package runner_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"etcdtour/runner"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/runnertest"
)

// TestErrorNamesItsRequest: a lesson's error is prefixed with the etcdctl
// line of the request that failed with it, and with no other: not with
// one that failed earlier and that the lesson let go (under a partition,
// errors read "etcdctl txn <<'EOF': ..." for a Get).
func TestErrorNamesItsRequest(t *testing.T) {
	t.Parallel()
	conn := etcdconn.Conn{Endpoints: []string{runnertest.Server(t).Endpoint()}}
	failGet := func(ctx context.Context, t *runner.T) error {
		ctx1, cancel := context.WithCancel(ctx)
		cancel()
		_, err := t.Client.Get(ctx1, "gone")
		return err
	}
	sum, _ := runnertest.Run(t, runner.Config{Conn: conn},
		lesson("own", func(ctx context.Context, t *runner.T) error {
			t.Step("A Get that fails")
			return failGet(ctx, t)
		}),
		lesson("other", func(ctx context.Context, t *runner.T) error {
			t.Step("A Get that fails, and another error")
			failGet(ctx, t)
			return errors.New("boom")
		}))
	if len(sum.Lessons) != 2 {
		t.Fatalf("%d lessons", len(sum.Lessons))
	}
	if e := sum.Lessons[0].Error; !strings.Contains(e, "etcdctl get") {
		t.Errorf("a request's own error %q does not name it", e)
	}
	if e := sum.Lessons[1].Error; e != "step 1 (A Get that fails, and another error): boom" {
		t.Errorf("an error of the lesson's own: %q, want no request named", e)
	}
}
