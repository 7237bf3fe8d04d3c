package lessons_test

import (
	"fmt"
	"os"
	"testing"

	"etcdtour/lessons"
	"etcdtour/runner"
	"etcdtour/runner/runnertest"
)

// TestEveryCheckCanFail proves each check of every lesson able to fail,
// one at a time: a run that inverts a lesson's Nth check
// (runner.Config.InvertCheck) must fail the lesson with that check, and
// only it, failed. A check the lesson never reaches, or one whose failure
// the lesson does not report, fails the test. It runs every lesson once
// per check (about a hundred runs, minutes on two cores): CI runs it
// (.ci/run sets ETCDTOUR_EVERY_CHECK=1), and so may anyone.
func TestEveryCheckCanFail(t *testing.T) {
	if os.Getenv("ETCDTOUR_EVERY_CHECK") == "" && os.Getenv("CI") == "" {
		t.Skip("set ETCDTOUR_EVERY_CHECK=1 to run every lesson once per check")
	}
	t.Parallel()
	for _, l := range lessons.Course {
		t.Run(l.ID, func(t *testing.T) {
			t.Parallel()
			sum, rec := runnertest.Run(t, runner.Config{Prefix: "/every/", RunID: "n0-" + l.ID}, l)
			runnertest.MustPass(t, sum, rec)
			checks := runnertest.Events(rec, runner.KindCheck)
			if len(checks) == 0 {
				t.Fatalf("%s makes no check", l.ID)
			}
			for n, c := range checks {
				sum, rec := runnertest.Run(t, runner.Config{Prefix: "/every/", RunID: fmt.Sprintf("n%d-%s", n+1, l.ID), InvertCheck: n + 1}, l)
				res := sum.Lessons[0]
				if res.Status != runner.StatusFailed {
					t.Errorf("%s with check %d (%q) inverted: %s, want failed", l.ID, n+1, c.Text, res.Status)
					continue
				}
				// The Nth check, counted again: its text may name what
				// differs from run to run (a revision, a member).
				var failed []int
				for i, e := range runnertest.Events(rec, runner.KindCheck) {
					if e.OK != nil && !*e.OK {
						failed = append(failed, i+1)
					}
				}
				if len(failed) != 1 || failed[0] != n+1 {
					t.Errorf("%s with check %d (%q) inverted: checks %v failed, want that one alone", l.ID, n+1, c.Text, failed)
				}
			}
		})
	}
}
