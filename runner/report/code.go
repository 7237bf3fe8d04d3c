package report

// A step's code is shown a statement at a time: each call's etcdctl line
// and result come right under the call that made them (runner.Event.Line),
// and the call's boilerplate (its context with a timeout, cancel(), "if
// err != nil { return err }") is folded into a dim marker on its line.

import (
	"fmt"
	"strings"
	"time"

	"etcdtour/runner"
	"etcdtour/runner/gowrap"
	"etcdtour/runner/i18n"
)

// CodeMode is how much of each step's Go code the console shows.
type CodeMode int

const (
	// CodeFolded, the default: the code, its boilerplate folded into a
	// marker on each call's line, without what only the narration needs.
	CodeFolded CodeMode = iota
	// CodeFull: every line of the step's code (--code full).
	CodeFull
	// CodeNone: no code (--no-code).
	CodeNone
)

// stepCode is the code of the step under way and how much of it is shown.
type stepCode struct {
	lines       []runner.CodeLine // what the mode shows, in order
	next        int               // lines[:next] are on the screen
	first, last int               // the source lines of the step's code
}

const gutter = "     │ "

// startCode takes the step's code to show as its events come. Called with
// c.mu held.
func (c *Console) startCode(e runner.Event) {
	c.code = stepCode{}
	if c.mode() == CodeNone {
		return
	}
	if e.Lines == nil {
		// No line-by-line code: the whole of it under the heading.
		for _, line := range strings.Split(e.Code, "\n") {
			if e.Code != "" {
				c.codeLine(runner.CodeLine{Text: line})
			}
		}
		return
	}
	full := c.mode() == CodeFull
	for _, l := range e.Lines {
		if c.code.first == 0 || l.From < c.code.first {
			c.code.first = l.From
		}
		c.code.last = max(c.code.last, l.To)
	}
	var lines []runner.CodeLine
	for _, l := range e.Lines {
		if !full && (l.Boilerplate || l.Narration) {
			continue
		}
		if full {
			l.Fold = 0 // the boilerplate is there to see
		} else if l.Folded != "" {
			l.Text = l.Folded
		}
		if l.Text == "" && (len(lines) == 0 || lines[len(lines)-1].Text == "") {
			continue // no blank line first, nor two in a row
		}
		lines = append(lines, l)
	}
	for len(lines) > 0 && lines[len(lines)-1].Text == "" {
		lines = lines[:len(lines)-1]
	}
	c.code.lines = lines
}

// mode is the console's CodeMode, HideCode included.
func (c *Console) mode() CodeMode {
	if c.HideCode {
		return CodeNone
	}
	return c.Code
}

// codeEnd is how far the step's code is shown once the statement that
// made an event of source line n is: the statement that spans n, or, for
// narration (whose own line is not shown), every line before n. Called
// with c.mu held.
func (c *Console) codeEnd(n int) int {
	lines := c.code.lines
	if n < c.code.first || c.code.next >= len(lines) {
		return c.code.next // not the step's code (a helper's): where it is
	}
	if n > c.code.last {
		return len(lines) // narration after the step's last statement
	}
	// The innermost statement that spans n.
	at := -1
	for i, l := range lines {
		if l.From <= n && n <= l.To && (at < 0 || l.To-l.From < lines[at].To-lines[at].From) {
			at = i
		}
	}
	end := c.code.next
	if at >= 0 {
		end = at
		for end+1 < len(lines) && lines[end+1].From == lines[at].From && lines[end+1].To == lines[at].To {
			end++
		}
		return max(end+1, c.code.next)
	}
	for end < len(lines) && lines[end].To < n {
		end++
	}
	return end
}

// nextCode is the first source line of the step's code shown after line
// n, n if none.
func (c *Console) nextCode(n int) int {
	for _, l := range c.code.lines {
		if l.From > n && l.Text != "" {
			return l.From
		}
	}
	return n
}

// codeTo shows the step's code down to lines[end]. Called with c.mu held.
func (c *Console) codeTo(end int) {
	for ; c.code.next < end; c.code.next++ {
		c.codeLine(c.code.lines[c.code.next])
	}
}

// codeRest shows what is left of the step's code. Called with c.mu held.
func (c *Console) codeRest() {
	for ; c.code.next < len(c.code.lines); c.code.next++ {
		c.codeLine(c.code.lines[c.code.next])
	}
}

// codeLine shows one line of code in the gutter, broken where it is too
// long, with the marker of its folded boilerplate on its last line, or
// under it where it does not fit. Called with c.mu held.
func (c *Console) codeLine(l runner.CodeLine) {
	st := c.st
	if l.Text == "" {
		c.printf(st.gutter, "     │\n")
		return
	}
	style := st.code
	if l.Boilerplate || l.Narration {
		style = st.boiler
	}
	pieces := gowrap.Line(l.Text, Columns-c.m().width(gutter)-(c.m().width(l.Text)-i18n.Width(l.Text)), 4)
	marks := foldMarks(c.Lang, l.Fold)
	plain := 0 // marks[plain:] are without the gloss
	gloss := c.gloss(l)
	if gloss != "" {
		with := []string{"// " + gloss}
		if len(marks) > 0 {
			with = nil
			for _, m := range marks {
				with = append(with, m+"; "+gloss)
			}
		}
		marks, plain = append(with, marks...), len(with)
	}
	indent := len(l.Text) - len(strings.TrimLeft(l.Text, " "))
	for i, piece := range pieces {
		at := -1
		for j, m := range marks {
			if c.m().width(gutter+piece)+2+c.m().width(m) <= Columns {
				at = j
				break
			}
		}
		last := i == len(pieces)-1
		c.printf(st.gutter, gutter)
		if !last || len(marks) == 0 {
			c.printf(style, "%s\n", piece)
			continue
		}
		c.printf(style, "%s", piece)
		if at >= 0 {
			c.printf(st.boiler, "  %s\n", marks[at])
		} else {
			c.printf(style, "\n")
		}
		// What did not fit has lines of its own, aligned under the
		// call's text: the fold's mark, then the gloss.
		var own []string
		if at < 0 && plain < len(marks) {
			own = append(own, marks[plain])
		}
		if gloss != "" && (at < 0 || at >= plain) {
			own = append(own, "// "+gloss)
		}
		for _, m := range own {
			first, cont := strings.Repeat(" ", indent+4), strings.Repeat(" ", indent+7)
			w := c.m().width(gutter)
			for k, p := range c.m().wordSplit(m, w+len(first), w+len(cont)) {
				pre := first
				if k > 0 {
					pre, p = cont, strings.TrimPrefix(p, " ")
				}
				c.printf(st.gutter, gutter)
				c.printf(st.boiler, "%s%s\n", pre, p)
			}
		}
	}
}

// gloss says what the calls of l to the tour's own functions do, those not
// said yet in this lesson ("nextEvents: reads a watch channel until it has
// n events"), "" if none; none with --code full, which shows the step's Go
// as it is. Called with c.mu held.
func (c *Console) gloss(l runner.CodeLine) string {
	if c.mode() != CodeFolded {
		return ""
	}
	var out []string
	for _, g := range l.Gloss {
		name, meaning, _ := strings.Cut(g, ": ")
		if c.glossed[name] {
			continue
		}
		if c.glossed == nil {
			c.glossed = map[string]bool{}
		}
		c.glossed[name] = true
		out = append(out, name+": "+c.Lang.Text(meaning))
	}
	return strings.Join(out, "; ")
}

// foldMarks say what boilerplate a call's line stands for: the long way,
// then shorter, for a line with less room.
func foldMarks(lang i18n.Lang, f runner.Fold) []string {
	switch f {
	case runner.FoldTimeout | runner.FoldErr:
		return []string{lang.Msg("// with a timeout; error returned"), lang.Msg("// timeout; err returned"), lang.Msg("// timeout; err")}
	case runner.FoldTimeout:
		return []string{lang.Msg("// with a timeout"), lang.Msg("// timeout")}
	case runner.FoldErr:
		return []string{lang.Msg("// error returned"), lang.Msg("// err returned"), lang.Msg("// err")}
	case runner.FoldTimeout | runner.FoldErr | runner.FoldCheck:
		return []string{lang.Msg("// with a timeout; error returned; answer checked"), lang.Msg("// timeout; err returned; checked"), lang.Msg("// timeout; err; checked")}
	case runner.FoldTimeout | runner.FoldCheck:
		return []string{lang.Msg("// with a timeout; answer checked"), lang.Msg("// timeout; checked")}
	case runner.FoldErr | runner.FoldCheck:
		return []string{lang.Msg("// error returned; answer checked"), lang.Msg("// err returned; checked"), lang.Msg("// err; checked")}
	case runner.FoldCheck:
		return []string{lang.Msg("// answer checked"), lang.Msg("// checked")}
	}
	return nil
}

// pending is an etcdctl line not shown yet: the same line again right
// after it is counted, and the line shown once with how many times. Its
// result comes with it: etcd's answer in brief (a reply event), unless the
// lesson says a result of its own right after it, which then takes its
// place.
type pending struct {
	e      runner.Event
	n      int
	result string // the reply, or the lesson's result, to show with it
	own    bool   // result is the lesson's
}

// etcdctl holds back an etcdctl line, or counts it if it is the one held.
// Called with c.mu held.
func (c *Console) etcdctl(e runner.Event) {
	if c.pend != nil && c.pend.e.Text == e.Text && !c.pend.own {
		c.pend.n++
		return
	}
	c.flushPending()
	c.pend = &pending{e: e, n: 1}
	// A request that takes long shows its line meanwhile.
	p := c.pend
	time.AfterFunc(300*time.Millisecond, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.pend == p {
			live := c.live != nil && c.live.shown
			c.hideLive()
			c.flushLine()
			if live {
				c.showLive()
			}
		}
	})
}

// reply keeps etcd's answer to the etcdctl line held, or shown last, until
// it is known whether the lesson says a result of its own. Called with
// c.mu held.
func (c *Console) reply(e runner.Event) {
	if c.pend != nil {
		c.pend.result = e.Text
		return
	}
	c.answer = e.Text
}

// ownResult shows the lesson's result text on the etcdctl line held, or
// under the line shown last, in place of etcd's answer in brief, and
// reports whether it did: it did if that line has had no result yet and
// nothing came between. Called with c.mu held.
func (c *Console) ownResult(text string) bool {
	switch {
	case c.pend != nil && !c.pend.own:
		c.pend.result, c.pend.own = text, true
		c.flushPending()
		return true
	case c.answer != "":
		c.answer = ""
	}
	return false
}

// flushPending shows the etcdctl line held back, if any, with its result,
// and etcd's answer to the line shown last, if not shown yet. Called with
// c.mu held.
func (c *Console) flushPending() {
	c.flushLine()
	if c.answer != "" {
		c.printf(c.st.result, "%s", c.m().fit("     → ", "       ", c.answer))
		c.answer = ""
	}
}

// flushLine shows the etcdctl line held back, if any, with its result if
// it has come: on the line, after a shell comment's "#", where it fits,
// else under it. A result yet to come is kept for flushPending. Called
// with c.mu held.
func (c *Console) flushLine() {
	p := c.pend
	if p == nil {
		return
	}
	c.pend = nil
	text := p.e.Text
	note := ""
	if p.n > 1 {
		note = fmt.Sprintf("  # ×%d", p.n)
	}
	result := p.result
	if p.n > 1 && result != "" && !p.own {
		result = c.Lang.Msg("last: %s", result)
	}
	// Lines after the first (a txn's input) are indented, but for the
	// closing EOF: pasted into a shell, a here-document must end with EOF
	// alone on a line. A line too long is broken the shell's way, with
	// " \".
	first, rest, multi := strings.Cut(text, "\n")
	if !multi && result != "" && !strings.Contains(result, "\n") {
		line := "     $ " + first + note
		join := "  # → " + result
		if note != "" {
			join = " → " + result
		}
		if c.m().width(line+join) <= Columns {
			c.printf(c.st.etcdctl, "%s", line)
			c.printf(c.st.result, "%s\n", join)
			return
		}
	}
	text = first + note
	if multi {
		text += "\n" + rest
	}
	c.printf(c.st.etcdctl, "%s", c.m().fitShell("     $ ", "         ", text))
	if result != "" {
		c.printf(c.st.result, "%s", c.m().fit("     → ", "       ", result))
	}
}
