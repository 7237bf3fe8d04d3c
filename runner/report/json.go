package report

import (
	"encoding/json"
	"io"
	"sync"

	"etcdtour/runner"
)

// JSON writes one JSON object per line for every event.
type JSON struct {
	mu  sync.Mutex
	enc *json.Encoder
	err error
}

// Err is the first error writing the output met, if any: after it nothing
// more is written.
func (j *JSON) Err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// NewJSON returns a reporter writing JSON lines to w.
func NewJSON(w io.Writer) *JSON {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &JSON{enc: enc}
}

// Report implements runner.Reporter.
func (j *JSON) Report(e runner.Event) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return
	}
	switch e.Kind {
	case runner.KindRequest:
		return // for tests: the lesson's own etcdctl line stands for it
	case runner.KindSummary:
		// The counts are always present in the summary, zero or not.
		j.err = j.enc.Encode(struct {
			Kind        runner.Kind           `json:"event"`
			Passed      int                   `json:"passed"`
			Failed      int                   `json:"failed"`
			Interrupted int                   `json:"interrupted"`
			NotRun      int                   `json:"not_run"`
			Skipped     int                   `json:"skipped"`
			Seconds     float64               `json:"seconds"`
			Lessons     []runner.LessonResult `json:"lessons"`
		}{e.Kind, e.Passed, e.Failed, e.Interrupted, e.NotRun, e.Skipped, e.Seconds, e.Lessons})
		return
	}
	j.err = j.enc.Encode(e)
}
