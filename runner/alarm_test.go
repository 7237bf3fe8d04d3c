package runner_test

import (
	"context"
	"strings"
	"testing"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"

	"etcdtour/runner"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/runnertest"
)

// TestAlarmStopsTheRun: a NOSPACE alarm raised mid-run (through the
// maintenance API, on the test's own etcd) stops the run as a lost leader
// does: one note that names the alarm and the fix, the lessons after it not
// run; the Grant etcd refused is not reported as one that got no answer.
// Before, each later lesson failed on its own after its timeout, and the
// refused Grant was named as a lease "a member may still grant later".
func TestAlarmStopsTheRun(t *testing.T) {
	t.Parallel()
	c := runnertest.StartCluster(t, runnertest.ClusterOptions{Members: 1})
	admin := c.Client(t)
	alarm := func(action pb.AlarmRequest_AlarmAction) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		st, err := admin.Status(ctx, c.Endpoint(0))
		if err == nil {
			_, err = pb.NewMaintenanceClient(admin.ActiveConnection()).Alarm(ctx,
				&pb.AlarmRequest{Action: action, MemberID: st.Header.MemberId, Alarm: pb.AlarmType_NOSPACE})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { alarm(pb.AlarmRequest_DEACTIVATE) })
	var refusedAt time.Time
	sum, rec := runnertest.Run(t, runner.Config{Conn: etcdconn.Conn{Endpoints: []string{c.Endpoint(0)}}},
		lesson("full", func(ctx context.Context, t *runner.T) error {
			t.Step("Write after the database filled up")
			alarm(pb.AlarmRequest_ACTIVATE)
			if err := call(ctx, t, func(ctx context.Context) error {
				_, err := t.Client.Grant(ctx, 60)
				return err
			}); err == nil {
				t.Check(false, "a Grant under NOSPACE is refused")
			}
			return call(ctx, t, func(ctx context.Context) error {
				_, err := t.Client.Put(ctx, "k", "v")
				refusedAt = time.Now()
				return err
			})
		}),
		lesson("after", passCheck))
	t.Log(rec.String())
	if len(sum.Lessons) != 2 || sum.Lessons[0].Status != runner.StatusFailed || sum.Lessons[1].Status != runner.StatusNotRun {
		t.Fatalf("lessons %+v, want full failed and after not run", sum.Lessons)
	}
	if e := sum.Lessons[0].Error; !strings.Contains(e, "database space exceeded") {
		t.Errorf("the lesson's error %q does not say the write was refused", e)
	}
	if strings.Contains(rec.String(), "no answer") {
		t.Errorf("a refusal reported as no answer")
	}
	var notes []runner.Event
	for _, e := range rec.Events() {
		if e.Kind == runner.KindNote {
			notes = append(notes, e)
		}
	}
	if len(notes) != 1 {
		t.Fatalf("%d notes, want one that names the alarm", len(notes))
	}
	for _, w := range []string{"NOSPACE", "etcdctl alarm list", "etcdctl compact", "etcdctl defrag", "etcdctl alarm disarm", "not run"} {
		if !strings.Contains(notes[0].Text, w) {
			t.Errorf("the note does not say %q: %s", w, notes[0].Text)
		}
	}
	t.Logf("the note came %v after the refusal", time.Since(refusedAt).Round(time.Millisecond))

	// Raised before the run: it does not start, and says why.
	_, _, err := runnertest.Try(context.Background(), t, runner.Config{Conn: etcdconn.Conn{Endpoints: []string{c.Endpoint(0)}}})
	if err == nil || !strings.Contains(err.Error(), "NOSPACE") || !strings.Contains(err.Error(), "etcdctl alarm disarm") {
		t.Errorf("a run that starts under NOSPACE: %v, want the alarm and its fix", err)
	}
}
