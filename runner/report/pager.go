package report

import (
	"context"
	"strings"
)

// pager is what the console knows of the screen while it pages.
type pager struct {
	count   int           // rows written since the reader last pressed a key
	held    []string      // output held back until the reader asks; nil: none
	running bool          // a "more" prompt waits for the reader (page)
	done    chan struct{} // closed when it is done
	heading string        // the step under way's heading, for a page that goes on
}

// headingMark starts an entry of pager.held that is no output: the heading
// of the step whose lines follow it ("" once the lesson's steps are over),
// for the page that shows them.
const headingMark = "\x00"

// setHeading makes h the heading that a page going on repeats, from the
// output written next on. Called with c.mu held.
func (c *Console) setHeading(h string) {
	if c.pg.held != nil {
		c.pg.held = append(c.pg.held, headingMark+h+"\n")
		return
	}
	c.pg.heading = h
}

// shown is what of held is output: the heading marks go.
func shown(held []string) []string {
	var out []string
	for _, l := range held {
		if !strings.HasPrefix(l, headingMark) {
			out = append(out, l)
		}
	}
	return out
}

// takeHeadings takes the heading marks at the start of what is held: the
// last is the heading of what follows. Called with c.mu held.
func (c *Console) takeHeadings() {
	for len(c.pg.held) > 0 && strings.HasPrefix(c.pg.held[0], headingMark) {
		c.pg.heading = strings.TrimSuffix(strings.TrimPrefix(c.pg.held[0], headingMark), "\n")
		c.pg.held = c.pg.held[1:]
	}
}

// emit writes s through the pager: on a terminal, once a screen's worth
// of new rows has been written, what follows is held back behind a "more"
// prompt, and written a screen at a time as the reader asks. The lesson
// goes on meanwhile: nothing waits on the reader but a step's start
// (Pause) and the end of the run (Close). Called with c.mu held.
func (c *Console) emit(s string) {
	cols, rows := c.size()
	if !c.Pager || c.keys == nil || c.quitting || rows <= 1 {
		c.direct(s)
		return
	}
	for s != "" {
		line, rest, nl := strings.Cut(s, "\n")
		if nl {
			line += "\n"
		}
		s = rest
		switch {
		case c.pg.held != nil:
			if n := len(c.pg.held); n > 0 && !strings.HasSuffix(c.pg.held[n-1], "\n") {
				c.pg.held[n-1] += line
			} else {
				c.pg.held = append(c.pg.held, line)
			}
		case c.pg.count >= rows-1:
			c.pg.held = []string{line}
			c.pg.running, c.pg.done = true, make(chan struct{})
			go c.page(c.pg.done)
		default:
			c.direct(line)
			if nl {
				c.pg.count += rowsOf(line, cols)
			}
		}
	}
}

// holding reports whether output is held back for the reader. Called with
// c.mu held.
func (c *Console) holding() bool { return c.pg.held != nil }

// page shows the "more" prompt and a screen of what is held back at each
// key, until nothing is; q quits, and an interrupt (the context of
// StepKeys) writes it all at once.
func (c *Console) page(done chan struct{}) {
	defer close(done)
	for {
		ok := c.ask(c.ctx, c.keys, Prompt{More: true})
		c.mu.Lock()
		if !ok {
			if c.ctx.Err() != nil {
				// Interrupted: no one waits for keys now.
				c.quitting = false
				c.Pager = false
				for _, l := range shown(c.pg.held) {
					c.direct(l)
				}
			}
			c.pg.held, c.pg.running = nil, false
			c.mu.Unlock()
			return
		}
		cols, rows := c.size()
		c.takeHeadings()
		if c.pg.heading != "" {
			c.direct(c.st.faint.Sprint(cut(c.Lang, c.pg.heading+c.Lang.Msg(" (continued)"), max(cols-1, 20))) + "\n")
			c.pg.count++
		}
		for c.takeHeadings(); len(c.pg.held) > 0 && (c.pg.count < rows-1 || !strings.HasSuffix(c.pg.held[0], "\n")); c.takeHeadings() {
			l := c.pg.held[0]
			c.direct(l)
			if strings.HasSuffix(l, "\n") {
				c.pg.count += rowsOf(l, cols)
			}
			c.pg.held = c.pg.held[1:]
		}
		if len(c.pg.held) == 0 {
			c.pg.held, c.pg.running = nil, false
			c.showLive()
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
	}
}

// drain waits until the reader has seen what is held back, or ctx ends.
// It reports whether the run goes on: false once the reader quit.
func (c *Console) drain(ctx context.Context) bool {
	c.mu.Lock()
	running, done := c.pg.running, c.pg.done
	c.mu.Unlock()
	if running {
		select {
		case <-done:
		case <-ctx.Done():
			return false
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.quitting
}
