package runner_test

import (
	"strings"
	"testing"
	"time"

	"etcdtour/runner"
	"etcdtour/runner/runnertest"
)

// TestLiveWait: on a terminal, what a lesson reports while it waits (each
// renewal of a kept-alive lease) is shown as it comes, under the wait's
// line, and the status line stays below it, redrawn, until the lesson does
// something else; then it is gone without a trace.
func TestLiveWait(t *testing.T) {
	t.Parallel()
	var out runnertest.Buffer
	c := runner.NewConsole(&out, false)
	c.Live = true
	c.Report(runner.Event{Kind: runner.KindWait, Text: "keeping lease 1 alive for 1.5s", Seconds: 1.5})
	status := func() string {
		// What the terminal shows on its last line: the status.
		deadline := time.Now().Add(10 * time.Second)
		for {
			lines := runnertest.Screen(out.String())
			if last := lines[len(lines)-1]; strings.TrimSpace(last) != "" || time.Now().After(deadline) {
				return last
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if s := status(); !strings.HasSuffix(s, "s left") {
		t.Fatalf("no countdown below the wait's line: %q\n%q", s, out.String())
	}
	for _, r := range []string{"renewed after 0.0s", "renewed after 0.5s"} {
		c.Report(runner.Event{Kind: runner.KindResult, Text: r})
		lines := runnertest.Screen(out.String())
		if got := lines[len(lines)-2]; got != "     → "+r {
			t.Errorf("the line above the status is %q, want the result %q\n%q", got, r, out.String())
		}
		if s := lines[len(lines)-1]; !strings.HasSuffix(s, "s left") {
			t.Errorf("the status line is gone after a result that came during the wait: %q", s)
		}
	}
	c.Report(runner.Event{Kind: runner.KindRequest, Text: "etcdctl lease keep-alive 1", Request: "LeaseKeepAlive"})
	if s := status(); !strings.HasSuffix(s, "s left") {
		t.Errorf("a request the console does not show ended the wait: %q", s)
	}
	time.Sleep(250 * time.Millisecond) // a few redraws
	c.Report(runner.Event{Kind: runner.KindEtcdctl, Text: "etcdctl get worker"})
	c.Report(runner.Event{Kind: runner.KindCheck, OK: boolp(true), Text: "the key is still there"})
	before := out.String()
	time.Sleep(250 * time.Millisecond)
	if out.String() != before {
		t.Errorf("the status line is still redrawn after the wait ended:\n%q", out.String()[len(before):])
	}
	want := []string{
		"     … keeping lease 1 alive for 1.5s",
		"     → renewed after 0.0s",
		"     → renewed after 0.5s",
		"     $ etcdctl get worker",
		"     ✓ the key is still there",
		"",
	}
	if got := runnertest.Screen(out.String()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the screen after the wait:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestLiveWaitClose: Close ends a wait's status line, for an exit that
// comes before the next event, and nothing is redrawn after it.
func TestLiveWaitClose(t *testing.T) {
	t.Parallel()
	var out runnertest.Buffer
	c := runner.NewConsole(&out, false)
	c.Live = true
	c.Report(runner.Event{Kind: runner.KindWait, Text: "waiting for lease 1 to expire"})
	c.Close()
	before := out.String()
	time.Sleep(250 * time.Millisecond)
	if out.String() != before {
		t.Errorf("redrawn after Close: %q", out.String()[len(before):])
	}
	if got := runnertest.Screen(before); len(got) != 2 || got[1] != "" {
		t.Errorf("the screen after Close: %q", got)
	}
}

func boolp(b bool) *bool { return &b }
