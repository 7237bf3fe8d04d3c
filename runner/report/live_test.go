package report_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"etcdtour/runner"
	"etcdtour/runner/report"
	"etcdtour/runner/runnertest"
)

// TestLiveWait: on a terminal, what a lesson reports while it waits (each
// renewal of a kept-alive lease) is shown as it comes, under the wait's
// line, and the status line stays below it, redrawn, until the lesson does
// something else; then it is gone without a trace.
func TestLiveWait(t *testing.T) {
	t.Parallel()
	var out runnertest.Buffer
	c := report.NewConsole(&out, false)
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
	c := report.NewConsole(&out, false)
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

// promptWatch is a terminal's output that says when the --step prompt is
// written to it.
type promptWatch struct {
	runnertest.Buffer
	once   sync.Once
	prompt chan struct{} // closed once the prompt is written
}

func (w *promptWatch) Write(p []byte) (int, error) {
	n, err := w.Buffer.Write(p)
	if strings.Contains(string(p), "⏸") {
		w.once.Do(func() { close(w.prompt) })
	}
	return n, err
}

// TestPauseEndsLiveWait: the --step prompt and a wait's status line share
// one terminal: the prompt takes the status line's place, nothing is drawn
// over it while it waits for Enter, and Enter runs the step.
func TestPauseEndsLiveWait(t *testing.T) {
	t.Parallel()
	out := &promptWatch{prompt: make(chan struct{})}
	c := report.NewConsole(out, false)
	c.Live = true
	keys, typed := io.Pipe()
	defer typed.Close()
	c.StepKeys(context.Background(), keys, nil)
	c.Stepper = true
	c.Report(runner.Event{Kind: runner.KindWait, Text: "keeping lease 1 alive for 1.5s", Seconds: 1.5})
	run := make(chan bool)
	go func() { run <- c.Pause(context.Background(), "keepalive", 4, "Stop renewing") }()
	<-out.prompt
	before := out.String()
	time.Sleep(250 * time.Millisecond) // a few of the status line's redraws
	if out.String() != before {
		t.Errorf("drawn over the prompt: %q", out.String()[len(before):])
	}
	want := []string{
		"     … keeping lease 1 alive for 1.5s",
		"  ⏸ keepalive 4: Stop renewing · Enter runs it, q quits, ? keys ",
	}
	if got := runnertest.Screen(before); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the screen at the prompt:\n%q\nwant:\n%q", got, want)
	}
	typed.Write([]byte("\n"))
	if !<-run {
		t.Errorf("Enter at the prompt quit the run, want the step run")
	}
}

func boolp(b bool) *bool { return &b }

// TestNextAnswersPrompt: Next (the --web page's button) answers the --step
// prompt as Enter does, once it shows; before, it does nothing, and does
// not answer the prompt that comes later.
func TestNextAnswersPrompt(t *testing.T) {
	t.Parallel()
	out := &promptWatch{prompt: make(chan struct{})}
	c := report.NewConsole(out, false)
	keys, typed := io.Pipe()
	defer typed.Close()
	c.StepKeys(context.Background(), keys, nil)
	c.Stepper = true
	if c.Next() {
		t.Errorf("Next with no prompt shown: true, want false")
	}
	run := make(chan bool)
	go func() { run <- c.Pause(context.Background(), "put-get", 2, "Get it back") }()
	<-out.prompt
	if !c.Next() {
		t.Fatalf("Next at the prompt: false, want true")
	}
	if !<-run {
		t.Errorf("Next at the prompt quit the run, want the step run")
	}
	if c.Next() {
		t.Errorf("Next after the prompt was answered: true, want false")
	}
	if !strings.HasSuffix(out.String(), " \n") {
		t.Errorf("the prompt's line is not ended: %q", out.String())
	}
}

// TestLiveQuiet: a lesson that prints nothing for two seconds (its requests
// hidden as repeats, a cluster far away) gets a status line that says how
// long and how many requests, gone without a trace at its next event.
// Before, txn on a cluster 100 ms away printed nothing for 14.7 s.
func TestLiveQuiet(t *testing.T) {
	t.Parallel()
	var out runnertest.Buffer
	c := report.NewConsole(&out, false)
	c.Live = true
	defer c.Close()
	c.Report(runner.Event{Kind: runner.KindLessonStart, Lesson: "txn", Title: "Transactions", Index: 1, Total: 1})
	c.Report(runner.Event{Kind: runner.KindStep, Lesson: "txn", Step: 1, Text: "Many increments"})
	for range 3 {
		c.Report(runner.Event{Kind: runner.KindRequest, Text: "etcdctl get counter", Request: "Range"})
	}
	deadline := time.Now().Add(20 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		lines := runnertest.Screen(out.String())
		if last = lines[len(lines)-1]; strings.Contains(last, "working") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(last, "… working: ") || !strings.Contains(last, "3 request(s)") {
		t.Fatalf("no status line after the lesson printed nothing: %q\n%q", last, out.String())
	}
	c.Report(runner.Event{Kind: runner.KindResult, Text: "counter=40"})
	if got := runnertest.Screen(out.String()); strings.Contains(strings.Join(got, "\n"), "working") || got[len(got)-2] != "     → counter=40" {
		t.Errorf("the status line is not replaced by the next event:\n%s", strings.Join(got, "\n"))
	}
}

// TestOnPrompt: OnPrompt hears of the prompts the console waits at, and
// of no other: the --step prompt with its step, a "more" prompt where the
// screen is full, each then answered (nil); a pause where the console
// does not wait (paging, a screen with room left) tells it nothing.
func TestOnPrompt(t *testing.T) {
	t.Parallel()
	var out runnertest.Buffer
	c := report.NewConsole(&out, false)
	keys, typed := io.Pipe()
	defer typed.Close()
	c.StepKeys(context.Background(), keys, nil)
	c.Pager = true
	c.Size = func() (int, int) { return 80, 24 }
	heard := make(chan *report.Prompt, 10)
	c.OnPrompt = func(p *report.Prompt) { heard <- p }
	pause := func(step int) chan bool {
		run := make(chan bool, 1)
		go func() { run <- c.Pause(context.Background(), "put-get", step, "Get it back") }()
		return run
	}
	c.Report(runner.Event{Kind: runner.KindLessonStart, Lesson: "put-get", Title: "Put and get", Index: 1, Total: 1})
	if !<-pause(1) {
		t.Fatal("a pause with room on the screen quit the run")
	}
	select {
	case p := <-heard:
		t.Fatalf("a pause that did not wait told OnPrompt %+v", p)
	default:
	}
	// The screen nearly full: the next step starts on a fresh one.
	for i := range 16 {
		c.Report(runner.Event{Kind: runner.KindSay, Lesson: "put-get", Text: fmt.Sprint("line ", i)})
	}
	run := pause(2)
	if p := <-heard; p == nil || !p.More {
		t.Fatalf("a full screen: OnPrompt %+v, want a more prompt", p)
	}
	if !c.Next() {
		t.Fatal("Next at the more prompt: false")
	}
	if p := <-heard; p != nil {
		t.Fatalf("after Next: OnPrompt %+v, want nil", p)
	}
	if !<-run {
		t.Fatal("Next at the more prompt quit the run")
	}
	c.Stepper = true
	run = pause(3)
	if p := <-heard; p == nil || p.More || p.Lesson != "put-get" || p.Step != 3 || p.Title != "Get it back" {
		t.Fatalf("--step: OnPrompt %+v, want the prompt before put-get's step 3", p)
	}
	c.Next()
	if p := <-heard; p != nil || !<-run {
		t.Fatalf("after Next: OnPrompt %+v, want nil and the step run", p)
	}
}

// TestPagerHeadingEndsWithTheLesson: a page that goes on within a step
// starts with the step's heading and "(continued)"; once the lesson has
// ended, a page of its end and the summary does not repeat the last step's
// heading.
func TestPagerHeadingEndsWithTheLesson(t *testing.T) {
	var out runnertest.Buffer
	c := report.NewConsole(&out, false)
	keys, typed := io.Pipe()
	defer typed.Close()
	c.StepKeys(context.Background(), keys, nil)
	c.Pager = true
	c.Size = func() (int, int) { return 80, 8 }
	heard := make(chan *report.Prompt, 100)
	c.OnPrompt = func(p *report.Prompt) { heard <- p }
	lessons := []runner.LessonResult{}
	for i := range 8 {
		lessons = append(lessons, runner.LessonResult{ID: fmt.Sprint("lesson-", i), Status: runner.StatusPassed})
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Report(runner.Event{Kind: runner.KindLessonStart, Lesson: "lock-loss", Title: "Lock loss", Index: 1, Total: 1})
		c.Report(runner.Event{Kind: runner.KindStep, Lesson: "lock-loss", Step: 5, Text: "The fencing token"})
		for i := range 12 {
			c.Report(runner.Event{Kind: runner.KindSay, Lesson: "lock-loss", Text: fmt.Sprint("line ", i)})
		}
		c.Report(runner.Event{Kind: runner.KindCleanup, Text: "deleted 1 key(s)"})
		c.Report(runner.Event{Kind: runner.KindLessonEnd, Lesson: "lock-loss", Status: runner.StatusPassed, Seconds: 1})
		c.Report(runner.Event{Kind: runner.KindSummary, Passed: 8, Seconds: 3, Lessons: lessons})
		c.Close()
	}()
	for waiting := true; waiting; {
		select {
		case p := <-heard:
			if p != nil && p.More {
				c.Next()
			}
		case <-done:
			waiting = false
		case <-time.After(10 * time.Second):
			t.Fatalf("the pager never let the run end:\n%s", out.String())
		}
	}
	text := out.String()
	end := strings.Index(text, "deleted 1 key(s)")
	if end < 0 || !strings.Contains(text[:end], "The fencing token (continued)") {
		t.Fatalf("want the step's heading repeated while its lines are paged:\n%s", text)
	}
	if strings.Contains(text[end:], "(continued)") {
		t.Errorf("a page after the lesson's end repeats its last step's heading:\n%s", text)
	}
}
