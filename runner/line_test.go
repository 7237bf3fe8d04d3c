package runner_test

import (
	"context"
	"runtime"
	"testing"

	"etcdtour/runner"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/runnertest"
)

// here is the line that calls it.
func here() int {
	_, _, line, _ := runtime.Caller(1)
	return line
}

// TestEventLine: each event carries the line of the step's code that made
// it: a request the line of its call, also one made by a helper (the line
// that calls the helper) or a goroutine of the step; a result the line of
// its t.Result.
func TestEventLine(t *testing.T) {
	t.Parallel()
	srv, _ := shared(t)
	want := map[string]int{}
	put := func(ctx context.Context, lt *runner.T, k string) error {
		_, err := lt.Client.Put(ctx, k, "v")
		return err
	}
	_, rec := runnertest.Run(t, runner.Config{
		Conn:  etcdconn.Conn{Endpoints: []string{srv.Endpoint()}},
		RunID: "lines",
	}, lesson("lines", func(ctx context.Context, lt *runner.T) error {
		lt.Step("one")
		want["etcdctl put /etcdtour/lines/lines/a v"] = here() + 1
		if _, err := lt.Client.Put(ctx, "a", "v"); err != nil {
			return err
		}
		want["helper"] = here() + 1
		if err := put(ctx, lt, "b"); err != nil {
			return err
		}
		done := make(chan error)
		want["goroutine"] = here() + 2
		go func() {
			_, err := lt.Client.Put(ctx, "c", "v")
			done <- err
		}()
		if err := <-done; err != nil {
			return err
		}
		want["said"] = here() + 1
		lt.Result("said")
		return nil
	}))
	got := map[string]int{}
	for _, e := range rec.Events() {
		switch {
		case e.Kind == runner.KindEtcdctl && e.Text == "etcdctl put /etcdtour/lines/lines/a v":
			got[e.Text] = e.Line
		case e.Kind == runner.KindEtcdctl && e.Text == "etcdctl put /etcdtour/lines/lines/b v":
			got["helper"] = e.Line
		case e.Kind == runner.KindEtcdctl && e.Text == "etcdctl put /etcdtour/lines/lines/c v":
			got["goroutine"] = e.Line
		case e.Kind == runner.KindResult:
			got["said"] = e.Line
		}
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: line %d, want %d", k, got[k], w)
		}
	}
}
