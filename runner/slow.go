package runner

// A step on a crowded cluster (a workshop's hundred courses at once) or a
// far one can be slow through no fault of the lesson: its requests wait
// for the cluster. The runner times every answered request of the lesson's
// client on the run's cluster, and a step whose requests took far longer
// than the cluster's round trip at start says so once, at its end, as does
// the error of a lesson that failed. The bar is far above what a quiet run
// takes (a few milliseconds, or a round trip or three for a new
// connection), so a quiet run never says it: its narration does not depend
// on timing.

import (
	"time"
)

// slowBar is how long an answered request may take before the runner
// calls it slow, on a cluster whose round trip at start was rtt: 1 s, or
// ten round trips on a cluster far away.
func slowBar(rtt time.Duration) time.Duration { return max(time.Second, 10*rtt) }

// slowness counts the requests that took slowBar or longer.
type slowness struct {
	n     int
	worst time.Duration
	req   string // the gRPC method of the slowest: Txn, Put
}

func (s *slowness) add(d time.Duration, req string) {
	s.n++
	if d > s.worst {
		s.worst, s.req = d, req
	}
}

// timed records how long an answered request of the lesson took.
func (t *T) timed(d time.Duration, req string) {
	if t.slowBar == 0 || d < t.slowBar {
		return
	}
	t.mu.Lock()
	t.slowStep.add(d, req)
	t.slowLesson.add(d, req)
	t.mu.Unlock()
}

// slowSaid is what endStep says about the step's slow requests, if any;
// the caller holds t.mu. It resets the step's count.
func (t *T) slowSaid() (Event, bool) {
	s := t.slowStep
	t.slowStep = slowness{}
	if s.n == 0 {
		return Event{}, false
	}
	return t.said(KindSay, "(the cluster was slow, not the lesson: %d of this step's requests took %v or more, the slowest (%s) %v; at the start it answered in %v)",
		[]any{s.n, t.slowBar, s.req, s.worst.Round(10 * time.Millisecond), saidRTT(t.rtt)}), true
}

// slowWhy is what a failed lesson's error adds about its slow requests;
// "" if there were none.
func (t *T) slowWhy() string {
	t.mu.Lock()
	s := t.slowLesson
	t.mu.Unlock()
	if s.n == 0 {
		return ""
	}
	return t.lang.Msg("the cluster was slow: %d request(s) took %v or more, the slowest (%s) %v, where it answered in %v at the start: a busy or distant cluster, not the lesson",
		s.n, t.slowBar, s.req, s.worst.Round(10*time.Millisecond), saidRTT(t.rtt))
}

// saidRTT is rtt as said: to a tenth of a millisecond, never 0.
func saidRTT(rtt time.Duration) time.Duration {
	return max(rtt.Round(100*time.Microsecond), 100*time.Microsecond)
}
