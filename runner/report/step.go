package report

// The console reads a person's pace: on a terminal it never shows more
// than a screen of new text without the reader asking (Pager), and under
// --step it waits before every step (Stepper). It is the one place that
// reads the presenter's keys; another source of keys (a web page's Next)
// drives it through Press.

import (
	"bufio"
	"context"
	"io"
	"regexp"
	"strings"

	"etcdtour/runner/i18n"
	"etcdtour/runner/tty"
)

// A Key is what a presenter's key asks of a prompt.
type Key int

const (
	// KeyNext goes on: Enter, Space, →, ↓ or PageDown.
	KeyNext Key = iota + 1
	// KeyQuit quits the run: q, Q or Ctrl-D.
	KeyQuit
	// KeyHelp lists the keys: ?.
	KeyHelp
)

// keyOf is the first Key that the bytes a terminal sent stand for, 0 if
// they hold none a prompt uses (ignored, never echoed). Several keys may
// come in one read (q and Enter typed fast, keys pressed together).
func keyOf(b []byte) Key {
	for s := string(b); s != ""; {
		n := 1
		if s[0] == '\x1b' && len(s) > 2 && (s[1] == '[' || s[1] == 'O') {
			// A sequence: ESC [ parameters, up to a final byte.
			n = 2
			for n < len(s) && (s[n] < 0x40 || s[n] > 0x7e) {
				n++
			}
			n = min(n+1, len(s))
		}
		switch s[:n] {
		case "\r", "\n", " ", "\x1b[C", "\x1b[B", "\x1b[6~", "\x1bOC", "\x1bOB":
			return KeyNext
		case "q", "Q", "\x04":
			return KeyQuit
		case "?":
			return KeyHelp
		}
		s = s[n:]
	}
	return 0
}

// keys is where prompts read the presenter's answers.
type keys struct {
	term    *tty.Terminal // stdin, if etcdtour controls it
	lines   chan string   // stdin's lines, if it does not
	pressed chan Key      // Press
}

// StepKeys makes the console ready to wait for a person: it reads the
// presenter's keys from term, which etcdtour controls (tty.Take), or, if
// term is nil, the lines of in ("q" quits, any other goes on), read from
// now until in ends; and from Press.
//
// ctx ends every wait for a key (an interrupt).
func (c *Console) StepKeys(ctx context.Context, in io.Reader, term *tty.Terminal) {
	k := &keys{term: term, pressed: make(chan Key, 1)}
	if term == nil && in != nil {
		k.lines = make(chan string)
		go func() {
			// Reads in until it closes; it lives as long as the process.
			sc := bufio.NewScanner(in)
			for sc.Scan() {
				k.lines <- sc.Text()
			}
			close(k.lines)
		}()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keys, c.ctx = k, ctx
}

// Press answers the prompt the console shows, or the next one, with k, as
// a key typed on the terminal would: for another source of keys, such as
// a web page's Next. It does nothing before StepKeys, and a key pressed
// while one is pending is dropped.
func (c *Console) Press(k Key) {
	c.mu.Lock()
	ks := c.keys
	c.mu.Unlock()
	if ks == nil {
		return
	}
	select {
	case ks.pressed <- k:
	default:
	}
}

// waitKey shows a prompt and waits for a key a prompt uses: from the
// terminal (what was typed before the prompt is dropped), stdin's next
// line, or Press. It returns KeyQuit when ctx ends or input ends.
func (k *keys) waitKey(ctx context.Context, prompt func()) Key {
	// Keys pressed before the prompt do not answer it.
	select {
	case <-k.pressed:
	default:
	}
	for drained := k.lines == nil; !drained; {
		select {
		case _, ok := <-k.lines:
			drained = !ok
		default:
			drained = true
		}
	}
	kctx, cancel := context.WithCancel(ctx)
	got := make(chan Key, 1)
	done := make(chan struct{})
	shown := make(chan struct{})
	show := prompt
	prompt = func() { show(); close(shown) }
	go func() {
		defer close(done)
		switch {
		case k.term != nil:
			for {
				b, err := k.term.ReadKey(kctx, prompt)
				if prompt != nil {
					prompt = nil
					select {
					case <-shown:
					default:
						close(shown) // not shown: the terminal is gone
					}
				}
				if err != nil {
					got <- KeyQuit
					return
				}
				if key := keyOf(b); key != 0 {
					got <- key
					return
				}
			}
		case k.lines != nil:
			prompt()
			select {
			case line, ok := <-k.lines:
				if !ok || strings.EqualFold(strings.TrimSpace(line), "q") {
					got <- KeyQuit
				} else if strings.TrimSpace(line) == "?" {
					got <- KeyHelp
				} else {
					got <- KeyNext
				}
			case <-kctx.Done():
			}
		default:
			prompt()
		}
	}()
	defer func() { cancel(); <-done }()
	select {
	case key := <-got:
		return key
	case <-shown:
	case <-ctx.Done():
		return KeyQuit
	}
	select {
	case key := <-got:
		return key
	case key := <-k.pressed:
		return key
	case <-ctx.Done():
		return KeyQuit
	}
}

// Pause is a runner.Config.Pause: before each step it lets the reader
// catch up with what is held back (Pager), then, under --step (Stepper),
// shows a prompt and waits for the presenter: a key that goes on runs the
// step, q quits, as do Ctrl-D and ctx's end (a Ctrl-C). Without Stepper
// it waits only where the screen is nearly full, so that the step starts
// on a screen of its own. A wait's status line ends where the prompt
// begins. With no keys (StepKeys) it quits.
func (c *Console) Pause(ctx context.Context, lesson string, step int, title string) bool {
	c.mu.Lock()
	k := c.keys
	c.flushPending()
	c.codeRest()
	c.mu.Unlock()
	if k == nil {
		return false
	}
	if !c.drain(ctx) {
		return false
	}
	c.mu.Lock()
	_, rows := c.size()
	full := c.Pager && rows > 0 && c.pg.count+stepRoom > rows-1
	c.mu.Unlock()
	if !c.Stepper && !full {
		return true
	}
	if c.Stepper {
		return c.ask(ctx, k, Prompt{Lesson: lesson, Step: step, Title: title})
	}
	return c.ask(ctx, k, Prompt{More: true})
}

// A Prompt is what the console waits for a key at: the --step prompt
// before a step, or a "more" prompt where the screen is full (a step that
// starts on a fresh screen, or output held back by the pager).
type Prompt struct {
	// More: a "more" prompt. Else the step prompt, before step Step of
	// lesson Lesson, whose heading is Title.
	More   bool
	Lesson string
	Step   int
	Title  string
}

// text is the prompt's line on a terminal width columns wide.
func (p Prompt) text(lang i18n.Lang, width int) string {
	if p.More {
		return morePrompt(lang, width)
	}
	return stepPrompt(lang, p.Lesson, p.Step, p.Title, width)
}

// stepRoom is how many rows a step needs at least to start on the screen
// it is on (its heading and some code), or it waits for a new screen.
const stepRoom = 8

// ask shows a prompt on the last line and waits for a key that goes on
// (true) or quits (false); ? lists the keys and asks again. The prompt is
// erased after the key: what comes next takes its line. Whatever was on
// the screen counts as read.
func (c *Console) ask(ctx context.Context, k *keys, p Prompt) bool {
	for {
		key := k.waitKey(ctx, func() {
			c.mu.Lock()
			c.prompting = true
			c.mu.Unlock()
			c.write("\r\033[K" + p.text(c.Lang, c.width()))
			if c.OnPrompt != nil {
				c.OnPrompt(&p)
			}
		})
		c.mu.Lock()
		shown := c.prompting
		c.prompting = false
		c.mu.Unlock()
		if shown && c.OnPrompt != nil {
			c.OnPrompt(nil)
		}
		switch key {
		case KeyNext:
			c.mu.Lock()
			if c.Pager {
				c.direct("\r\033[K")
			} else {
				c.direct("\n")
			}
			c.pg.count = 0
			c.mu.Unlock()
			return true
		case KeyHelp:
			c.write("\r\033[K" + c.Lang.Msg("Keys: Enter, Space, → or PageDown go on · q quits at once · ? this list") + "\n")
			c.mu.Lock()
			c.pg.count++
			c.mu.Unlock()
		default:
			c.mu.Lock()
			c.quitting = true
			c.direct("\n") // the prompt stays, to say where the run ended
			c.mu.Unlock()
			return false
		}
	}
}

// Next answers the prompt shown, the --step prompt or a "more" prompt, as
// Enter does: the presenter's Next on the --web page. It reports whether
// one was shown; a Next while a step runs does nothing (it does not
// answer the next prompt).
func (c *Console) Next() bool {
	c.mu.Lock()
	prompting, k := c.prompting, c.keys
	c.mu.Unlock()
	if !prompting || k == nil {
		return false
	}
	select {
	case k.pressed <- KeyNext:
	default:
	}
	return true
}

// write writes s as it is, after ending a wait's status line: the prompt
// takes its place.
func (c *Console) write(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.endLive()
	c.gen++ // no quiet status line under the prompt (armQuiet)
	if c.quiet != nil {
		c.quiet.Stop()
		c.quiet = nil
	}
	c.direct(s)
}

// direct writes s as it is, around the pager. Called with c.mu held.
func (c *Console) direct(s string) {
	if c.err == nil {
		_, c.err = io.WriteString(c.w, s)
	}
}

// size is the terminal's size (Size), or 0 0. Called with c.mu held.
func (c *Console) size() (cols, rows int) {
	if c.Size == nil {
		return 0, 0
	}
	return c.Size()
}

// width is the terminal's width, else Columns.
func (c *Console) width() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cols, _ := c.size(); cols > 0 {
		return cols
	}
	return Columns
}

// stepPrompt is the step prompt in lang: one line that fits width columns
// with the cursor after it, the step's title cut with "…" if need be (it
// comes in full as the step's heading).
func stepPrompt(lang i18n.Lang, lesson string, step int, title string, width int) string {
	head, keys := "  ⏸ "+lang.Msg("%s %d: ", lesson, step), lang.Msg(" · Enter runs it, q quits, ? keys ")
	if room := width - 1 - lang.Width(head+keys); lang.Width(title) > room {
		title = strings.TrimRight(cut(lang, title, max(room-lang.Width("…"), 0)), " ,:;，：；、") + "…"
	}
	return cut(lang, head+title+keys, width-1)
}

// morePrompt is the prompt where a screen is full.
func morePrompt(lang i18n.Lang, width int) string {
	return cut(lang, lang.Msg("  ── more: Enter or Space goes on, q quits, ? keys ── "), width-1)
}

// cut is the start of s that fits in width columns.
func cut(lang i18n.Lang, s string, width int) string {
	n := 0
	for i, r := range s {
		if n += lang.RuneWidth(r); n > width {
			return s[:i]
		}
	}
	return s
}

// sgr matches the color sequences the console writes.
var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// rowsOf is how many rows a line of output takes on a terminal cols wide.
func rowsOf(line string, cols int) int {
	w := i18n.Width(sgr.ReplaceAllString(line, ""))
	if cols <= 0 || w <= cols {
		return 1
	}
	return (w + cols - 1) / cols
}
