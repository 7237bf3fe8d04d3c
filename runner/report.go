package runner

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/fatih/color"

	"etcdtour/runner/gowrap"
	"etcdtour/runner/i18n"
)

// Kind is the type of an Event. The values are part of the JSON output and
// documented in docs/json.md: do not rename them.
type Kind string

const (
	KindCourseStart Kind = "course-start" // Version, Endpoints, Prefix; Text: the same for people
	KindLessonStart Kind = "lesson-start" // Lesson, Title, Index, Total, Text: the lesson's doc
	KindStep        Kind = "step"         // Step, Text: the step's heading; Source; Code: the step's Go code
	KindSay         Kind = "say"          // Text: explanation
	KindEtcdctl     Kind = "etcdctl"      // Text: the equivalent etcdctl command line; Request: the gRPC call it was rendered from, if any
	KindRequest     Kind = "request"      // Text, Request: a request made inside a compound call (a Mutex's Lock) or a stream; not shown
	KindResult      Kind = "result"       // Text: what a call returned
	KindCheck       Kind = "check"        // OK, Text: what was checked; Got, Want: for a comparison
	KindWait        Kind = "wait"         // Text: what is awaited; Seconds: for how long, if known. Lasts until the lesson's next request, check, step or wait: results and says meanwhile happen during it
	KindCleanup     Kind = "cleanup"      // Text: what the runner removed after the lesson
	KindLessonEnd   Kind = "lesson-end"   // Status, Seconds, Error, Failures
	KindNote        Kind = "note"         // Text: the runner's own word, such as "etcd no longer answers"
	KindSummary     Kind = "summary"      // Passed, Failed, Seconds, Lessons
)

// An Event is one thing that happened while the course ran.
type Event struct {
	Kind     Kind     `json:"event"`
	Lesson   string   `json:"lesson,omitempty"`
	Title    string   `json:"title,omitempty"`
	Index    int      `json:"index,omitempty"` // 1-based position of the lesson in this run
	Total    int      `json:"total,omitempty"` // lessons in this run
	Step     int      `json:"step,omitempty"`
	Source   string   `json:"source,omitempty"` // file:line of the step in the lesson's source
	Code     string   `json:"code,omitempty"`   // the step's Go code, narration left out
	Text     string   `json:"text,omitempty"`
	Request  string   `json:"request,omitempty"` // the gRPC method an etcdctl line was rendered from
	OK       *bool    `json:"ok,omitempty"`
	Got      string   `json:"got,omitempty"`  // a comparison's actual value (T.Equal)
	Want     string   `json:"want,omitempty"` // and the value it should have
	Also     string   `json:"-"`              // the text in Config.Also, for tests
	Status   Status   `json:"status,omitempty"`
	Seconds  float64  `json:"seconds,omitempty"`
	Error    string   `json:"error,omitempty"`
	Failures []string `json:"failures,omitempty"`
	Passed   int      `json:"passed,omitempty"`
	Failed   int      `json:"failed,omitempty"`
	// Set on summary only, when not zero.
	Interrupted int            `json:"interrupted,omitempty"`
	NotRun      int            `json:"not_run,omitempty"`
	Skipped     int            `json:"skipped,omitempty"`
	Lessons     []LessonResult `json:"lessons,omitempty"`
	// Set on course-start only.
	Version   string   `json:"version,omitempty"`
	Endpoints []string `json:"endpoints,omitempty"`
	Prefix    string   `json:"prefix,omitempty"`
}

// A Reporter receives every event of a run, in order, from one goroutine at
// a time. It is the only way anything reaches the user.
type Reporter interface {
	Report(Event)
}

// Console writes events as indented, optionally colored text.
type Console struct {
	mu  sync.Mutex
	w   io.Writer
	st  styles
	err error

	// Live makes waits visible on a terminal: a countdown while a lease
	// runs out, a ticking line while a lock is awaited, kept below what
	// the lesson reports while it waits (each renewal as it comes). Off for
	// pipes.
	Live bool
	// HideCode leaves out each step's Go code (--no-code), for presenters
	// who show the code beside the run.
	HideCode bool
	// Lang is the language of the console's own words (headings, PASS,
	// the summary); the events' texts come translated (Config.Lang).
	Lang i18n.Lang
	live *liveLine // the wait under way, nil if none
}

// A liveLine is a wait's status line: redrawn every 100 ms at the bottom of
// the output until the wait ends.
type liveLine struct {
	stop  chan struct{} // closed to end it
	draw  func()        // writes the status, from column 0; c.mu held
	shown bool          // the status is on the screen
}

type styles struct {
	lesson, step, say, etcdctl, result, pass, fail, faint, warn, code, gutter *color.Color
}

// NewConsole returns a console reporter writing to w, with color or without:
// with color, in the theme readable on any background of a 16-color
// terminal. Color is decided by the caller (see main): this package never
// inspects the terminal or the environment.
func NewConsole(w io.Writer, useColor bool) *Console {
	if !useColor {
		return NewThemedConsole(w, nil)
	}
	th := ThemeFor(BackgroundUnknown, false)
	return NewThemedConsole(w, &th)
}

// NewThemedConsole returns a console reporter writing to w in the theme th;
// nil means no color.
func NewThemedConsole(w io.Writer, th *Theme) *Console {
	mk := func(attrs []color.Attribute) *color.Color {
		c := color.New(attrs...)
		if th != nil && len(attrs) > 0 {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	if th == nil {
		th = &Theme{}
	}
	return &Console{w: w, st: styles{
		lesson:  mk(th.Lesson),
		step:    mk(th.Step),
		say:     mk(nil),
		etcdctl: mk(th.Etcdctl),
		result:  mk(th.Result),
		pass:    mk(th.Pass),
		fail:    mk(th.Fail),
		faint:   mk(th.Meta),
		warn:    mk(th.Warn),
		code:    mk(th.Code),
		gutter:  mk(th.Gutter),
	}}
}

func (c *Console) printf(st *color.Color, format string, args ...any) {
	if c.err != nil {
		return
	}
	_, c.err = io.WriteString(c.w, st.Sprintf(format, args...))
}

// wrap breaks each line of s wider than width columns, so that a lesson's
// one-line doc fits an 80-column terminal after its indent: at spaces, and
// between Chinese characters, which take two columns each.
func wrap(s string, width int) string { return i18n.Wrap(s, width) }

// pad is s followed by spaces up to width columns (fmt's %-*s counts
// runes, and a Chinese character takes two columns).
func pad(s string, width int) string {
	return s + strings.Repeat(" ", max(width-i18n.Width(s), 0))
}

// Err is the first error writing the output met, if any: after it the
// console writes nothing more.
func (c *Console) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Report implements Reporter.
func (c *Console) Report(e Event) {
	if e.Kind == KindRequest {
		return // recorded for tests; the lesson's own etcdctl line stands for it
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	st, lang := c.st, c.Lang
	if c.live != nil {
		if during(e.Kind) {
			// What happens while the lesson waits goes above the status
			// line, which is drawn again below it.
			c.hideLive()
			defer c.showLive()
		} else {
			c.endLive()
		}
	}
	if e.Kind == KindWait && c.Live {
		c.startLive(e)
		return
	}
	switch e.Kind {
	case KindCourseStart:
		for _, line := range strings.Split(e.Text, "\n") {
			// The export line is for learners to copy: it has a line of
			// its own, in the etcdctl lines' style, never faint.
			// (The line ends "...: export VARS", or "...：export VARS"
			// in Chinese.)
			if i := strings.Index(line, "export "); i > 0 && strings.HasSuffix(strings.TrimRight(line[:i], " "), ":") ||
				i > 0 && strings.HasSuffix(line[:i], "：") {
				c.printf(st.faint, "%s", fit("", "", strings.TrimRight(line[:i], " ")))
				c.printf(st.etcdctl, "%s", fitShell("  ", "    ", line[i:]))
				continue
			}
			// "etcd V at ENDPOINTS · keys under PREFIX": on two lines
			// where one does not fit.
			if i18n.Width(line) > Columns {
				line = strings.Replace(line, " · ", "\n", 1)
			}
			c.printf(st.faint, "%s", fit("", "  ", line))
		}
	case KindLessonStart:
		c.printf(st.lesson, "\n%s", fit("", "   ", lang.Msg("━━ Lesson %d/%d · %s · %s ━━", e.Index, e.Total, e.Lesson, e.Title)))
		if e.Text != "" {
			c.printf(st.faint, "%s", fit("   ", "   ", e.Text))
		}
	case KindStep:
		head := strings.TrimSuffix(fit("  ", "     ", fmt.Sprintf("%d. %s", e.Step, e.Text)), "\n")
		c.printf(st.step, "\n%s", head)
		if e.Source != "" {
			// On the heading's last line if both fit, else below it.
			last := head[strings.LastIndex(head, "\n")+1:]
			sep := "  "
			if i18n.Width(last)+len(e.Source)+4 > Columns {
				sep = "\n     "
			}
			c.printf(st.faint, "%s(%s)", sep, e.Source)
		}
		c.printf(st.step, "\n")
		if e.Code != "" && !c.HideCode {
			const gutter = "     │ "
			for _, line := range strings.Split(e.Code, "\n") {
				if line == "" {
					c.printf(st.gutter, "     │\n")
					continue
				}
				// A continuation is indented one tab more: 4 columns, as
				// the step's code shows a tab (code.go).
				for _, piece := range gowrap.Line(line, Columns-i18n.Width(gutter), 4) {
					c.printf(st.gutter, gutter)
					c.printf(st.code, "%s\n", piece)
				}
			}
		}
	case KindSay:
		c.printf(st.say, "%s", fit("     ", "     ", e.Text))
	case KindEtcdctl:
		// Lines after the first (a txn's input) stay at column 0: pasted
		// into a shell, a here-document must end with EOF alone on a line.
		// A line too long is broken the shell's way, with " \".
		c.printf(st.etcdctl, "%s", fitShell("     $ ", "         ", e.Text))
	case KindResult:
		c.printf(st.result, "%s", fit("     → ", "       ", e.Text))
	case KindWait:
		c.printf(st.faint, "%s", fit("     … ", "       ", e.Text))
	case KindCheck:
		if e.OK != nil && *e.OK {
			c.printf(st.pass, "%s", fit("     ✓ ", "       ", e.Text))
		} else {
			c.printf(st.fail, "%s", fit("     ✗ ", "       ", e.Text))
			if e.Got != "" || e.Want != "" {
				got, want := lang.Msg("got:"), lang.Msg("want:")
				w := max(i18n.Width(got), i18n.Width(want)) + 1
				c.printf(st.fail, "%s", fit("         "+pad(got, w), strings.Repeat(" ", 9+w), e.Got))
				c.printf(st.fail, "%s", fit("         "+pad(want, w), strings.Repeat(" ", 9+w), e.Want))
			}
		}
	case KindCleanup:
		c.printf(st.faint, "%s", fit("  ", "    ", lang.Msg("cleanup: %s", e.Text)))
	case KindNote:
		c.printf(st.fail, "\n%s", fit("  ", "  ", e.Text))
	case KindLessonEnd:
		switch e.Status {
		case StatusPassed:
			c.printf(st.pass, "  %s\n", lang.Msg("PASS %s (%s)", e.Lesson, fmtSeconds(e.Seconds)))
		case StatusSkipped:
			c.printf(st.faint, "\n%s", fit("  ", "    ", lang.Msg("SKIP %s: %s", e.Lesson, e.Error)))
		default:
			line := fmt.Sprintf("%s %s (%s)", statusWord(lang, e.Status, true), e.Lesson, fmtSeconds(e.Seconds))
			if e.Error != "" {
				line += ": " + e.Error
			}
			c.printf(st.fail, "%s", fit("  ", "    ", line))
		}
	case KindSummary:
		c.printf(st.lesson, "\n%s\n", lang.Msg("━━ Summary ━━"))
		for i, r := range e.Lessons {
			s := st.pass
			if r.Status != StatusPassed {
				s = st.fail
			}
			if r.Status == StatusNotRun || r.Status == StatusSkipped {
				s = st.faint
			}
			c.printf(s, "  %2d. %-12s %s %8s\n", i+1, r.ID, pad(statusWord(lang, r.Status, false), 11), fmtSeconds(r.Seconds))
		}
		s := st.pass
		if e.Failed > 0 {
			s = st.fail
		}
		line := lang.Msg("%d passed, %d failed", e.Passed, e.Failed)
		if e.Interrupted > 0 {
			line += lang.Msg(", %d interrupted", e.Interrupted)
		}
		if e.NotRun > 0 {
			line += lang.Msg(", %d not run", e.NotRun)
		}
		if e.Skipped > 0 {
			line += lang.Msg(", %d skipped", e.Skipped)
		}
		if e.Interrupted+e.NotRun > 0 {
			s = st.fail
		}
		c.printf(s, "  %s\n", lang.Msg("%s in %s", line, fmtSeconds(e.Seconds)))
	default:
		c.printf(st.warn, "%s", fit("     ", "     ", e.Text))
	}
}

// during reports whether an event of kind k is part of a wait: what the
// lesson reports while it waits (a renewal, a lock acquired, an expiry)
// rather than what it does next. A wait lasts until the lesson's next
// request, check, step or wait, or its end.
func during(k Kind) bool {
	return k == KindResult || k == KindSay
}

// startLive writes the wait's line, then a short status line below it that
// it keeps updating until the wait ends: short, so that it never wraps on
// an 80-column terminal (a wrapped line cannot be redrawn with \r). Called
// with c.mu held.
func (c *Console) startLive(e Event) {
	l := &liveLine{stop: make(chan struct{})}
	c.live = l
	c.printf(c.st.faint, "%s", fit("     … ", "       ", e.Text))
	start := time.Now()
	total := time.Duration(e.Seconds * float64(time.Second))
	l.draw = func() {
		el := time.Since(start)
		status := c.Lang.Msg("%s waited", fmtWait(el))
		if total > 0 {
			status = c.Lang.Msg("%s left", fmtWait(max(total-el, 0)))
		}
		c.printf(c.st.faint, "\r\033[K       %s", status)
	}
	c.showLive()
	go func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-tick.C:
				c.mu.Lock()
				select {
				case <-l.stop: // ended while we waited for the lock
				default:
					if l.shown {
						l.draw()
					}
				}
				c.mu.Unlock()
			}
		}
	}()
}

// showLive draws the status line of the wait under way. Called with c.mu
// held.
func (c *Console) showLive() {
	if c.live != nil {
		c.live.draw()
		c.live.shown = true
	}
}

// hideLive erases the status line, leaving the cursor at the start of its
// line for what is printed next. Called with c.mu held.
func (c *Console) hideLive() {
	if c.live != nil && c.live.shown {
		c.printf(c.st.faint, "\r\033[K")
		c.live.shown = false
	}
}

// endLive erases the status line, if any, and stops redrawing it: what
// follows takes its place. Called with c.mu held.
func (c *Console) endLive() {
	if c.live == nil {
		return
	}
	c.hideLive()
	close(c.live.stop)
	c.live = nil
}

// Close ends the status line of a wait under way, if any, so that nothing
// is redrawn after the run: for an exit that comes before the next event
// (a second Ctrl-C).
func (c *Console) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.endLive()
}

// fmtWait shows a wait to a tenth of a second under a minute, to the second
// above: 3.4s, 1m57s.
func fmtWait(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Truncate(time.Second).String()
}

// statusWord is how the console names a lesson's status: upper-case in
// English where a lesson ends (FAILED), lower-case in the summary.
func statusWord(lang i18n.Lang, s Status, end bool) string {
	var w string
	switch s {
	case StatusPassed:
		w = lang.Msg("passed")
	case StatusFailed:
		w = lang.Msg("failed")
	case StatusInterrupted:
		w = lang.Msg("interrupted")
	case StatusNotRun:
		w = lang.Msg("not run")
	case StatusSkipped:
		w = lang.Msg("skipped")
	default:
		w = string(s)
	}
	if end {
		w = strings.ToUpper(w)
	}
	return w
}

func fmtSeconds(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Millisecond).String()
}

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

// Report implements Reporter.
func (j *JSON) Report(e Event) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return
	}
	switch e.Kind {
	case KindRequest:
		return // for tests: the lesson's own etcdctl line stands for it
	case KindSummary:
		// The counts are always present in the summary, zero or not.
		j.err = j.enc.Encode(struct {
			Kind        Kind           `json:"event"`
			Passed      int            `json:"passed"`
			Failed      int            `json:"failed"`
			Interrupted int            `json:"interrupted"`
			NotRun      int            `json:"not_run"`
			Skipped     int            `json:"skipped"`
			Seconds     float64        `json:"seconds"`
			Lessons     []LessonResult `json:"lessons"`
		}{e.Kind, e.Passed, e.Failed, e.Interrupted, e.NotRun, e.Skipped, e.Seconds, e.Lessons})
		return
	}
	j.err = j.enc.Encode(e)
}

// Recorder keeps every event, for tests.
type Recorder struct {
	mu     sync.Mutex
	Events []Event
	// Lang is the language String writes the console's own words in.
	Lang i18n.Lang
}

// Report implements Reporter.
func (r *Recorder) Report(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Events = append(r.Events, e)
}

// Mu is the lock that guards Events, for reading them while a run goes on.
func (r *Recorder) Mu() *sync.Mutex { return &r.mu }

// String renders the recorded events as plain console text.
func (r *Recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	c := NewConsole(&b, false)
	c.Lang = r.Lang
	for _, e := range r.Events {
		c.Report(e)
	}
	return b.String()
}

func boolp(b bool) *bool { return &b }
