package runner_test

// The runner's time limits, each shown to hold by a test that fails fast
// when it is gone: a lesson that never ends is stopped at
// Config.LessonTimeout, and after a Ctrl-C the clean-up of a lesson whose
// server no longer answers gives up after about a second, not after its
// usual max(CommandTimeout, 5 s).

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

// budgetReporter records every event and passes each to its func.
type budgetReporter struct {
	runnertest.Recorder
	on func(runner.Event)
}

func (r *budgetReporter) Report(e runner.Event) {
	r.Recorder.Report(e)
	r.on(e)
}

// runAsync runs lessons with cfg (which names its etcd: the harness
// fails no test from the goroutine) in a goroutine; the channel yields the
// summary when the run returns, empty if it could not start.
func runAsync(ctx context.Context, t *testing.T, cfg runner.Config, lessons ...runner.Lesson) <-chan runner.Summary {
	done := make(chan runner.Summary, 1)
	go func() {
		sum, _, err := runnertest.Try(ctx, t, cfg, lessons...)
		if err != nil {
			cfg.Reporter.Report(runner.Event{Kind: runner.KindNote, Text: "runner.Run: " + err.Error()})
		}
		done <- sum
	}()
	return done
}

// only is the result of the run's one lesson.
func only(t *testing.T, sum runner.Summary, rec *runnertest.Recorder) runner.LessonResult {
	t.Helper()
	if len(sum.Lessons) != 1 {
		t.Fatalf("the run has %d lesson results, want 1:\n%s", len(sum.Lessons), rec.String())
	}
	return sum.Lessons[0]
}

// TestLessonTimeout: a lesson that never ends on its own fails when
// Config.LessonTimeout runs out. Without the limit it would block until the
// run is interrupted: the test interrupts it after 5 s and fails.
func TestLessonTimeout(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &runnertest.Recorder{}
	done := runAsync(ctx, t, runner.Config{
		Conn:          etcdconn.Conn{Endpoints: []string{runnertest.Server(t).Endpoint()}},
		LessonTimeout: 200 * time.Millisecond,
		Reporter:      rec,
	}, lesson("never-ends", func(ctx context.Context, t *runner.T) error {
		t.Step("Wait for the end of the lesson's context")
		<-ctx.Done()
		return ctx.Err()
	}))
	var sum runner.Summary
	select {
	case sum = <-done:
	case <-time.After(5 * time.Second):
		cancel()
		<-done
		t.Fatalf("a lesson with LessonTimeout 200ms still ran after 5 s; interrupted it:\n%s", rec.String())
	}
	if r := only(t, sum, rec); r.Status != runner.StatusFailed || r.Error != "did not finish within 200ms" || sum.Interrupted {
		t.Errorf("lesson %s %q (run interrupted %v), want failed: did not finish within 200ms", r.Status, r.Error, sum.Interrupted)
	}
}

// putThenFreeze is a lesson that writes a key, so that its clean-up has
// work to do, then freezes the server and ends as then: by waiting to be
// interrupted, or by failing on its own.
func putThenFreeze(f *runnertest.Proxy, then func(ctx context.Context, t *runner.T) error) runner.Lesson {
	return lesson("frozen", func(ctx context.Context, t *runner.T) error {
		t.Step("Write a key")
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		_, err := t.Client.Put(ctx1, "k", "v")
		cancel()
		if err != nil {
			return err
		}
		f.Freeze()
		return then(ctx, t)
	})
}

// TestInterruptedCleanupBudget: after a Ctrl-C, the clean-up of a lesson
// whose server no longer answers gives up within about a second
// (interruptedCleanup), though each request may take 10 s
// (CommandTimeout) and the clean-up of a lesson that ends by itself has as
// long. Run must return within 4 s of the cancel, where the full budget
// would take 10 s.
//
// run.go shortens the clean-up in two ways: it picks the short budget when
// the run was already interrupted as the clean-up begins, and an AfterFunc
// cancels the clean-up a second after the interrupt. The AfterFunc alone
// covers both cases: on a context already done it fires at once, so for an
// interrupt before the clean-up the clean-up is cancelled a second after it
// began, microseconds after the short budget's deadline. No test can tell
// the budget choice's removal: even which error the requests end with
// (deadline exceeded or canceled) varies from run to run with both in
// place, as the two timers fire together. So the first case, Ctrl-C during
// the lesson, fails only when both are gone; the second, Ctrl-C while the
// clean-up is under way with its full budget, fails when the AfterFunc is.
func TestInterruptedCleanupBudget(t *testing.T) {
	t.Parallel()
	const within = 4 * time.Second
	target := runnertest.Server(t).Endpoint()
	conn := func(f *runnertest.Proxy) etcdconn.Conn {
		return etcdconn.Conn{Endpoints: []string{f.Addr()}, CommandTimeout: 10 * time.Second, DialTimeout: 2 * time.Second}
	}
	// returnsWithin fails t unless Run, interrupted at cancelled, returned
	// within the limit; it waits for it either way.
	returnsWithin := func(t *testing.T, done <-chan runner.Summary, cancelled <-chan time.Time, rec *runnertest.Recorder) runner.Summary {
		t.Helper()
		var at time.Time
		select {
		case at = <-cancelled:
		case sum := <-done:
			t.Fatalf("the run ended without the interrupt:\n%+v\n%s", sum, rec.String())
		case <-time.After(30 * time.Second):
			t.Fatalf("never interrupted:\n%s", rec.String())
		}
		select {
		case sum := <-done:
			return sum
		case <-time.After(within):
		}
		sum := <-done // the full budget is 10 s
		t.Errorf("Run returned %v after the interrupt, want within %v: the clean-up did not give up on its short budget",
			time.Since(at).Round(100*time.Millisecond), within)
		return sum
	}
	cleanupFailures := func(r runner.LessonResult) []string {
		var out []string
		for _, f := range r.Failures {
			if strings.HasPrefix(f, "cleanup: ") {
				out = append(out, f)
			}
		}
		return out
	}

	t.Run("Ctrl-C during the lesson", func(t *testing.T) {
		t.Parallel()
		f := runnertest.NewProxy(t, target)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		cancelled := make(chan time.Time, 1)
		rep := &budgetReporter{on: func(e runner.Event) {
			if e.Kind == runner.KindStep && e.Text == "Wait for Ctrl-C" {
				cancelled <- time.Now()
				cancel()
			}
		}}
		done := runAsync(ctx, t, runner.Config{Conn: conn(f), Reporter: rep},
			putThenFreeze(f, func(ctx context.Context, t *runner.T) error {
				t.Step("Wait for Ctrl-C")
				<-ctx.Done()
				return ctx.Err()
			}))
		sum := returnsWithin(t, done, cancelled, &rep.Recorder)
		r := only(t, sum, &rep.Recorder)
		failed := cleanupFailures(r)
		if r.Status != runner.StatusInterrupted || len(failed) == 0 {
			t.Fatalf("lesson %s, clean-up failures %q; want interrupted, and a clean-up that could not finish:\n%s", r.Status, failed, rep.String())
		}
	})

	t.Run("Ctrl-C during the clean-up", func(t *testing.T) {
		t.Parallel()
		f := runnertest.NewProxy(t, target)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rep := &budgetReporter{on: func(e runner.Event) {
			if e.Kind == runner.KindCourseStart {
				f.Mark() // the runner has connected: later connections are the lesson's
			}
		}}
		// The lesson fails on its own: its clean-up starts with the full
		// budget, and sends its requests into the frozen server.
		done := runAsync(ctx, t, runner.Config{Conn: conn(f), Reporter: rep},
			putThenFreeze(f, func(ctx context.Context, t *runner.T) error {
				return errors.New("gave up on its own")
			}))
		cancelled := make(chan time.Time, 1)
		go func() {
			select {
			case <-f.UnmarkedSent():
				cancelled <- time.Now()
				cancel()
			case <-ctx.Done():
			}
		}()
		sum := returnsWithin(t, done, cancelled, &rep.Recorder)
		r := only(t, sum, &rep.Recorder)
		if r.Status != runner.StatusFailed || !strings.Contains(r.Error, "gave up on its own") || len(cleanupFailures(r)) == 0 {
			t.Errorf("lesson %s %q, failures %q; want failed on its own, and a clean-up that could not finish:\n%s",
				r.Status, r.Error, r.Failures, rep.String())
		}
	})
}
