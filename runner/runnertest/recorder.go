package runnertest

import (
	"strings"
	"sync"

	"etcdtour/runner"
	"etcdtour/runner/i18n"
	"etcdtour/runner/report"
)

// Recorder is a runner.Reporter that keeps every event, for tests to read
// while the run goes on or after it.
type Recorder struct {
	// Lang is the language String writes the console's own words in.
	Lang i18n.Lang

	mu     sync.Mutex
	events []runner.Event
}

// Report implements runner.Reporter.
func (r *Recorder) Report(e runner.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// Events returns a copy of the events recorded so far, in order.
func (r *Recorder) Events() []runner.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]runner.Event(nil), r.events...)
}

// String renders the recorded events as plain console text.
func (r *Recorder) String() string {
	var b strings.Builder
	c := report.NewConsole(&b, false)
	c.Lang = r.Lang
	for _, e := range r.Events() {
		c.Report(e)
	}
	return b.String()
}
