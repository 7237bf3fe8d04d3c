// Package report shows a run to its user: the Console, the text a person
// reads on a terminal or in a log, with its themes, its status line for
// waits and the --step prompt (one writer to the terminal); and JSON, one
// object per event for programs. It also decides the console's colors from
// the command line, the terminal and the environment.
package report

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/fatih/color"

	"etcdtour/runner"
	"etcdtour/runner/i18n"
)

// Console writes events as indented, optionally colored text. It is the
// only writer to its terminal: its status line for waits and the --step
// prompt (Pause) share one lock with the events.
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
	// who show the code beside the run: the same as Code CodeNone.
	HideCode bool
	// Code is how much of each step's code the console shows.
	Code CodeMode
	// Lang is the language of the console's own words (headings, PASS,
	// the summary); the events' texts come translated (Config.Lang).
	Lang i18n.Lang
	live *liveLine // the wait under way, nil if none
	keys *keys     // where Pause reads, nil until StepKeys

	// A lesson that prints nothing for quietAfter (its requests hidden
	// as repeats, a slow cluster) gets a status line too, with Live.
	inLesson bool
	quiet    *time.Timer     // armed after each event in a lesson
	gen      int             // events so far: a quiet timer of an older one is stale
	reqs     int             // requests since the last event shown
	ctx      context.Context // ends the waits for keys (StepKeys)

	// Pager pages the output on a terminal (Size): never more than a
	// screen of new text without the reader asking for it. It needs
	// StepKeys and Pause (runner.Config.Pause).
	Pager bool
	// Stepper waits for the presenter before every step (--step). It
	// needs StepKeys and Pause.
	Stepper bool
	// Size is the terminal's size, asked at each use; nil or 0 0 when
	// unknown (no paging).
	Size func() (cols, rows int)
	// NextSteps is what the end of the run suggests trying next, shown
	// after the summary.
	NextSteps string
	// OnPrompt, if set, is told when a prompt is shown and waits for a
	// key (p), and when it got its key (nil): a --web page shows what the
	// terminal waits for, and no more. Called from any goroutine, never
	// with the console's lock held; it must return quickly.
	OnPrompt func(p *Prompt)

	pg        pager
	quitting  bool            // the reader quit: the rest of the run is not shown
	prompting bool            // a prompt waits for a key (Next answers it)
	code      stepCode        // the code of the step under way
	pend      *pending        // an etcdctl line held back, to count the same again
	answer    string          // etcd's answer to the etcdctl line shown last, not shown yet
	glossed   map[string]bool // the tour's functions said what they do, in this lesson
}

// quietAfter is how long a lesson may print nothing before the console,
// when Live, shows that it is working.
const quietAfter = 2 * time.Second

// A liveLine is a wait's status line: redrawn every 100 ms at the bottom of
// the output until the wait ends.
type liveLine struct {
	stop  chan struct{} // closed to end it
	draw  func()        // writes the status, from column 0; c.mu held
	shown bool          // the status is on the screen
	quiet bool          // no wait: the lesson is working unseen
}

type styles struct {
	lesson, step, say, etcdctl, result, pass, fail, faint, warn, code, gutter, boiler *color.Color
}

// NewConsole returns a console reporter writing to w, with color or without:
// with color, in the theme readable on any background of a 16-color
// terminal. Color is decided by the caller (see main): this package never
// inspects the terminal or the environment.
func NewConsole(w io.Writer, useColor bool) *Console {
	if !useColor {
		return NewThemedConsole(w, nil)
	}
	th := themeFor(unknownBackground, false)
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
		boiler:  mk(th.Boiler),
	}}
}

func (c *Console) printf(st *color.Color, format string, args ...any) {
	if c.err != nil {
		return
	}
	c.emit(st.Sprintf(format, args...))
}

// m measures columns as the console's language does (Lang.Width).
func (c *Console) m() measure { return measure{c.Lang} }

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

// Report implements runner.Reporter.
func (c *Console) Report(e runner.Event) {
	if e.Kind == runner.KindRequest {
		// Recorded for tests; the lesson's own etcdctl line stands for
		// it. Counted for the quiet status line.
		c.mu.Lock()
		c.reqs++
		c.mu.Unlock()
		return
	}
	if e.Kind == runner.KindSummary {
		c.wait() // the reader sees the run before its summary
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.armQuiet(e.Kind)
	if c.quitting && e.Kind != runner.KindLessonEnd && e.Kind != runner.KindSummary && e.Kind != runner.KindNote && e.Kind != runner.KindCleanup {
		return // the reader quit: what the lesson still says is not shown
	}
	if e.Kind == runner.KindReply {
		c.reply(e)
		return
	}
	switch e.Kind {
	case runner.KindStep:
		c.setHeading(fmt.Sprintf("  %d. %s", e.Step, e.Text))
	case runner.KindCleanup, runner.KindLessonEnd, runner.KindSummary:
		// Past the lesson's steps: a page that goes on is not a step's.
		c.setHeading("")
	}
	st, lang := c.st, c.Lang
	if c.live != nil {
		if during(e.Kind) && !c.live.quiet {
			// What happens while the lesson waits goes above the status
			// line, which is drawn again below it.
			c.hideLive()
			defer c.showLive()
		} else {
			c.endLive()
		}
	}
	switch e.Kind {
	case runner.KindSay, runner.KindEtcdctl, runner.KindResult, runner.KindCheck, runner.KindWait:
		n := e.Line
		if e.Kind == runner.KindEtcdctl && e.Request == "" {
			// A line the lesson wrote (a watch, a lock) is for the call
			// that comes next.
			n = c.nextCode(n)
		}
		end := c.codeEnd(n)
		if e.Kind == runner.KindResult && end <= c.code.next && c.ownResult(e.Text) {
			return // on its etcdctl line, or right under it
		}
		if e.Kind != runner.KindEtcdctl || c.pend == nil || c.pend.e.Text != e.Text || end > c.code.next {
			c.flushPending()
		}
		c.codeTo(end)
	default:
		c.flushPending()
		c.codeRest()
	}
	if e.Kind == runner.KindWait && c.Live {
		c.startLive(e)
		return
	}
	switch e.Kind {
	case runner.KindCourseStart:
		// The export line is for learners to copy: it has a line of its
		// own, in the etcdctl lines' style, never faint. The line that
		// ends with it says what it is for.
		text, env := e.Text, ""
		if e.Env != "" && strings.HasSuffix(text, e.Env) {
			text, env = strings.TrimSuffix(text, e.Env), e.Env
		}
		lines := strings.Split(text, "\n")
		for i, line := range lines {
			if env != "" && i == len(lines)-1 {
				c.printf(st.faint, "%s", c.m().fit("", "", strings.TrimRight(line, " ")))
				c.printf(st.etcdctl, "%s", c.m().fitShell("  ", "    ", env))
				continue
			}
			// "etcd V at ENDPOINTS · keys under PREFIX": on two lines
			// where one does not fit.
			if c.m().width(line) > Columns {
				line = strings.Replace(line, " · ", "\n", 1)
			}
			c.printf(st.faint, "%s", c.m().fit("", "  ", line))
		}
	case runner.KindLessonStart:
		c.glossed = nil
		c.printf(st.lesson, "\n%s", c.m().fit("", "   ", lang.Msg("━━ Lesson %d/%d · %s · %s ━━", e.Index, e.Total, e.Lesson, e.Title)))
		if e.Text != "" {
			c.printf(st.faint, "%s", c.m().fit("   ", "   ", e.Text))
		}
	case runner.KindStep:
		head := strings.TrimSuffix(c.m().fit("  ", "     ", fmt.Sprintf("%d. %s", e.Step, e.Text)), "\n")
		c.printf(st.step, "\n%s", head)
		if e.Source != "" {
			// On the heading's last line if both fit, else below it.
			last := head[strings.LastIndex(head, "\n")+1:]
			sep := "  "
			if c.m().width(last)+len(e.Source)+4 > Columns {
				sep = "\n     "
			}
			c.printf(st.faint, "%s(%s)", sep, e.Source)
		}
		c.printf(st.step, "\n")
		c.startCode(e)
	case runner.KindSay:
		c.printf(st.say, "%s", c.m().fit("     ", "     ", e.Text))
	case runner.KindEtcdctl:
		c.etcdctl(e)
	case runner.KindResult:
		c.printf(st.result, "%s", c.m().fit("     → ", "       ", e.Text))
	case runner.KindWait:
		c.printf(st.faint, "%s", c.m().fit("     … ", "       ", e.Text))
	case runner.KindCheck:
		if e.OK != nil && *e.OK {
			c.printf(st.pass, "%s", c.m().fit("     ✓ ", "       ", e.Text))
		} else {
			c.printf(st.fail, "%s", c.m().fit("     ✗ ", "       ", e.Text))
			if e.Got != "" || e.Want != "" {
				got, want := lang.Msg("got:"), lang.Msg("want:")
				w := max(c.m().width(got), c.m().width(want)) + 1
				c.printf(st.fail, "%s", c.m().fit("         "+pad(got, w), strings.Repeat(" ", 9+w), e.Got))
				c.printf(st.fail, "%s", c.m().fit("         "+pad(want, w), strings.Repeat(" ", 9+w), e.Want))
			}
		}
	case runner.KindCleanup:
		c.printf(st.faint, "%s", c.m().fit("  ", "    ", lang.Msg("cleanup: %s", e.Text)))
	case runner.KindNote:
		c.printf(st.fail, "\n%s", c.m().fit("  ", "  ", e.Text))
	case runner.KindLessonEnd:
		switch e.Status {
		case runner.StatusPassed:
			c.printf(st.pass, "  %s\n", lang.Msg("PASS %s (%s)", e.Lesson, fmtSeconds(e.Seconds)))
		case runner.StatusSkipped:
			c.printf(st.faint, "\n%s", c.m().fit("  ", "    ", lang.Msg("SKIP %s: %s", e.Lesson, e.Error)))
		default:
			secs := fmtSeconds(e.Seconds)
			var line string
			switch e.Status {
			case runner.StatusFailed:
				line = lang.Msg("FAILED %s (%s)", e.Lesson, secs)
			case runner.StatusInterrupted:
				line = lang.Msg("INTERRUPTED %s (%s)", e.Lesson, secs)
			default:
				line = fmt.Sprintf("%s %s (%s)", statusWord(lang, e.Status, true), e.Lesson, secs)
			}
			// An error that only repeats the status says nothing more.
			if e.Error != "" && e.Error != statusWord(lang, e.Status, false) {
				line += lang.Msg(": %s", e.Error)
			}
			c.printf(st.fail, "%s", c.m().fit("  ", "    ", line))
		}
	case runner.KindSummary:
		c.printf(st.lesson, "\n%s\n", lang.Msg("━━ Summary ━━"))
		for i, r := range e.Lessons {
			s := st.pass
			if r.Status != runner.StatusPassed {
				s = st.fail
			}
			if r.Status == runner.StatusNotRun || r.Status == runner.StatusSkipped {
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
		if c.NextSteps != "" {
			c.printf(st.say, "\n%s", c.m().fit("  ", "    ", c.NextSteps))
		}
	default:
		c.printf(st.warn, "%s", c.m().fit("     ", "     ", e.Text))
	}
}

// during reports whether an event of kind k is part of a wait: what the
// lesson reports while it waits (a renewal, a lock acquired, an expiry)
// rather than what it does next. A wait lasts until the lesson's next
// request, check, step or wait, or its end.
func during(k runner.Kind) bool {
	return k == runner.KindResult || k == runner.KindSay
}

// startLive writes the wait's line, then a short status line below it that
// it keeps updating until the wait ends: short, so that it never wraps on
// an 80-column terminal (a wrapped line cannot be redrawn with \r). Called
// with c.mu held.
func (c *Console) startLive(e runner.Event) {
	l := &liveLine{stop: make(chan struct{})}
	c.live = l
	c.printf(c.st.faint, "%s", c.m().fit("     … ", "       ", e.Text))
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
	c.tick(l)
}

// armQuiet starts over, after an event of kind k, the time a lesson may
// print nothing before startQuiet shows that it works. Called with c.mu
// held.
func (c *Console) armQuiet(k runner.Kind) {
	c.gen++
	c.reqs = 0
	switch k {
	case runner.KindLessonStart:
		c.inLesson = true
	case runner.KindLessonEnd, runner.KindSummary:
		c.inLesson = false
	}
	if c.quiet != nil {
		c.quiet.Stop()
		c.quiet = nil
	}
	if !c.Live || !c.inLesson || c.live != nil || c.err != nil {
		return
	}
	gen := c.gen
	c.quiet = time.AfterFunc(quietAfter, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if gen == c.gen && c.live == nil {
			c.startQuiet()
		}
	})
}

// startQuiet shows, below the lesson's last line, how long it has printed
// nothing and how many requests it made meanwhile (hidden as repeats of
// those shown, or slow to answer), until its next event. Called with c.mu
// held.
func (c *Console) startQuiet() {
	l := &liveLine{stop: make(chan struct{}), quiet: true}
	c.live = l
	start := time.Now().Add(-quietAfter)
	l.draw = func() {
		c.printf(c.st.faint, "\r\033[K       %s", c.Lang.Msg("… working: %s, %d request(s)", fmtWait(time.Since(start)), c.reqs))
	}
	c.showLive()
	c.tick(l)
}

// tick redraws l every 100 ms until it ends.
func (c *Console) tick(l *liveLine) {
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
	if c.live != nil && !c.holding() {
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
//
// On a terminal it first waits for the reader to see the rest of the
// output (Pager), unless the context of StepKeys ends: call it before the
// terminal is restored.
func (c *Console) Close() {
	c.wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inLesson = false
	if c.quiet != nil {
		c.quiet.Stop()
		c.quiet = nil
	}
	c.endLive()
	c.flushPending()
	c.codeRest()
	for _, l := range shown(c.pg.held) {
		c.direct(l)
	}
	c.pg.held = nil
}

// wait waits for the reader to see what is held back, if anything is, until
// the context of StepKeys ends.
func (c *Console) wait() {
	c.mu.Lock()
	ctx := c.ctx
	c.mu.Unlock()
	if ctx != nil {
		c.drain(ctx)
	}
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
func statusWord(lang i18n.Lang, s runner.Status, end bool) string {
	var w string
	switch s {
	case runner.StatusPassed:
		w = lang.Msg("passed")
	case runner.StatusFailed:
		w = lang.Msg("failed")
	case runner.StatusInterrupted:
		w = lang.Msg("interrupted")
	case runner.StatusNotRun:
		w = lang.Msg("not run")
	case runner.StatusSkipped:
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
