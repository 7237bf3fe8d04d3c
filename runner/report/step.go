package report

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"etcdtour/runner/i18n"
	"etcdtour/runner/tty"
)

// keys is where Pause reads the presenter's answers.
type keys struct {
	term  *tty.Terminal // stdin, if etcdtour controls it
	lines chan string   // stdin's lines, if it does not
}

// StepKeys makes the console ready to Pause: it reads the presenter's keys
// from term, which etcdtour controls (tty.Take), or, if term is nil, the
// lines of in, read from now until in ends.
func (c *Console) StepKeys(in io.Reader, term *tty.Terminal) {
	k := &keys{term: term}
	if term == nil {
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
	c.keys = k
}

// Pause is a runner.Config.Pause for --step: before each step it shows a
// prompt and waits for the presenter's Enter, which runs the step, or q
// Enter, which quits, as do Ctrl-D and ctx's end (a Ctrl-C). A wait's status
// line ends where the prompt begins. It reads the keys StepKeys gave; with
// none it quits.
func (c *Console) Pause(ctx context.Context, lesson string, step int, title string) bool {
	c.mu.Lock()
	k, lang := c.keys, c.Lang
	c.mu.Unlock()
	if k == nil {
		return false
	}
	prompt := stepPrompt(lang, lesson, step, title)
	// Next (the --web page's button) answers the prompt as Enter does,
	// from the moment it shows.
	next := make(chan struct{})
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-next:
			cancel()
		case <-rctx.Done():
		}
	}()
	line, ok, err := k.readLine(rctx, func() {
		c.write("\n" + prompt)
		c.mu.Lock()
		c.next = next
		c.mu.Unlock()
	})
	c.mu.Lock()
	c.next = nil
	c.mu.Unlock()
	select {
	case <-next:
		if ctx.Err() == nil {
			c.write("\n") // the cursor was after the prompt
			return true
		}
	default:
	}
	if err != nil || !ok {
		c.write("\n") // Ctrl-C or Ctrl-D at the prompt: quit, on a line of its own
		return false
	}
	return !strings.EqualFold(strings.TrimSpace(line), "q")
}

// Next answers the --step prompt as Enter does, if one is shown: the
// presenter's Next on the --web page. It reports whether one was; a Next
// while a step runs does nothing (it does not answer the next prompt).
func (c *Console) Next() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.next == nil {
		return false
	}
	close(c.next)
	c.next = nil
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
	if c.err == nil {
		_, c.err = io.WriteString(c.w, s)
	}
}

// stepPrompt is the step prompt in lang: one line that fits 60 columns
// with the cursor after it (a terminal beside the code, a large font on a
// projector), the step's title cut with "…" if need be (it comes in full
// as the step's heading).
func stepPrompt(lang i18n.Lang, lesson string, step int, title string) string {
	head, keys := fmt.Sprintf("  ⏸ %s %d: ", lesson, step), lang.Msg(" · Enter runs it, q quits ")
	if room := 59 - i18n.Width(head+keys); i18n.Width(title) > room {
		title = strings.TrimRight(cut(title, room-1), " ,:;") + "…"
	}
	return head + title + keys
}

// readLine shows the prompt and reads the line typed after it. It returns
// ok false for end of input (Ctrl-D), and ctx's error if ctx ends first.
func (k *keys) readLine(ctx context.Context, prompt func()) (string, bool, error) {
	if k.term != nil {
		// Drops what was typed before the prompt, in the terminal's queue.
		return k.term.ReadLine(ctx, prompt)
	}
	// Lines typed while the last step ran (an Enter pressed twice) must
	// not answer this prompt: drop those read already.
	for drained := false; !drained; {
		select {
		case _, ok := <-k.lines:
			drained = !ok
		default:
			drained = true
		}
	}
	prompt()
	select {
	case line, ok := <-k.lines:
		return line, ok, nil
	case <-ctx.Done():
		return "", false, ctx.Err()
	}
}

// cut is the start of s that fits in width columns.
func cut(s string, width int) string {
	n := 0
	for i, r := range s {
		if n += i18n.RuneWidth(r); n > width {
			return s[:i]
		}
	}
	return s
}
