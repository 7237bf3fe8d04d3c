// Package exwatch owns etcdtour watch: the exercise the learner is working
// on, checked again each time they save it, as rustlings watch does. It
// shows the exercise and its last result, re-checks on every save (a save
// by rename, as many editors do, counts), moves on to the next exercise once
// the current one passes, and answers keys: h a hint, n the next exercise
// (once this one passed), l the list, r reset (asks first; the learner's
// file is kept), q quit.
//
// It knows neither how a check reaches etcd nor the terminal: the caller
// hands in Check and the keys.
package exwatch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"etcdtour/runner/exercise"
	"etcdtour/runner/i18n"
	"etcdtour/runner/workspace"
)

// Keys is where the watch reads the learner's keys: a terminal without
// echo, one key at a time (tty.Terminal). ReadKey returns the bytes of one
// key, and ctx's error once ctx ends.
type Keys interface {
	ReadKey(ctx context.Context, prompt func()) ([]byte, error)
}

// Options are what a watch works with.
type Options struct {
	// Dir is the workspace (workspace.Find).
	Dir string
	// List is the course's exercises, in order.
	List []exercise.Exercise
	// Lang is the language of what the watch says.
	Lang i18n.Lang
	// Out is where the watch writes; only the watch writes to it while it
	// runs.
	Out io.Writer
	// Keys are the learner's keys; nil when stdin is no terminal: the
	// watch then only re-checks, until ctx ends.
	Keys Keys
	// Clear clears the screen before each result, as on a terminal.
	Clear bool
	// Width is the terminal's width now (it may change), 0 for none.
	Width func() int
	// Check checks one exercise in the workspace; it must end soon after
	// ctx does (a save during a check cancels it and checks again).
	Check func(ctx context.Context, ex exercise.Exercise) (exercise.Result, error)
	// Debounce is how long the watch waits after a change for the next
	// before it checks (an editor's save is several events, within a
	// millisecond or two of each other); 0: 50 ms.
	Debounce time.Duration
	// Now is the clock (for the progress file and reset's backups); nil:
	// time.Now.
	Now func() time.Time
}

// ErrQuit is Run's answer when the learner pressed q.
var ErrQuit = errors.New("quit")

// Run watches until the learner quits (ErrQuit), every exercise has passed
// (nil), or ctx ends (ctx's error). Errors of a check are shown, not
// returned: the learner fixes their code and saves again.
func Run(ctx context.Context, o Options) error {
	if o.Debounce == 0 {
		o.Debounce = 50 * time.Millisecond
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Width == nil {
		o.Width = func() int { return 0 }
	}
	w := &watch{Options: o}
	progress, err := workspace.LoadProgress(o.Dir)
	if err != nil {
		return err
	}
	w.progress = progress
	next, ok := progress.Next(w.ids())
	if !ok {
		w.printf("%s\n", o.Lang.Msg("All %d exercises passed.", len(o.List)))
		return nil
	}
	w.cur = w.index(next)

	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer fw.Close()
	if err := w.watchDirs(fw); err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	keys := make(chan []byte)
	keysDone := make(chan struct{})
	if o.Keys != nil {
		go func() {
			defer close(keysDone)
			for {
				k, err := o.Keys.ReadKey(ctx, nil)
				if err != nil {
					return
				}
				select {
				case keys <- k:
				case <-ctx.Done():
					return
				}
			}
		}()
	} else {
		close(keysDone)
	}
	defer func() { cancel(); <-keysDone }()

	results := make(chan checked)
	var stop context.CancelFunc // the check running, if any
	checking := make(chan struct{})
	close(checking) // none yet
	// A check's result is sent only while its context lives, and start
	// cancels the running check and waits for it before the next: a
	// result received is always the current check's.
	start := func() {
		if stop != nil {
			stop()
			<-checking // one check at a time: the cancelled one cleans up first
		}
		cctx, c := context.WithCancel(ctx)
		stop = c
		done := make(chan struct{})
		checking = done
		ex := o.List[w.cur]
		w.status(o.Lang.Msg("checking %s…", ex.ID))
		go func() {
			defer close(done)
			res, err := o.Check(cctx, ex)
			select {
			case results <- checked{res: res, err: err}:
			case <-cctx.Done():
			}
		}()
	}
	defer func() {
		if stop != nil {
			stop()
			<-checking
		}
	}()

	w.intro = ""
	start()
	var debounce <-chan time.Time
	var timer *time.Timer
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-fw.Errors:
			if err != nil {
				w.printf("%s\n", o.Lang.Msg("watching the files: %v", err))
			}
		case ev := <-fw.Events:
			if ev.Op&fsnotify.Create != 0 {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
					fw.Add(ev.Name) // an exercise's dir made again
				}
			}
			if !w.concerns(ev.Name) {
				continue
			}
			if timer == nil {
				timer = time.NewTimer(o.Debounce)
			} else {
				timer.Reset(o.Debounce)
			}
			debounce = timer.C
		case <-debounce:
			debounce = nil
			w.confirm = false
			start()
		case r := <-results:
			if r.err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				w.last, w.lastErr = exercise.Result{}, r.err
				w.show()
				continue
			}
			w.last, w.lastErr = r.res, nil
			ex := o.List[w.cur]
			if !r.res.Passed() {
				w.show()
				continue
			}
			_, before := w.progress.Passed[ex.ID]
			if !before {
				w.progress.Pass(ex.ID, o.Now())
				if err := w.progress.Save(o.Dir); err != nil {
					return err
				}
			}
			w.show()
			if before {
				continue // a passed one looked at again: n moves on
			}
			nx, ok := w.nextAfter(w.cur)
			if !ok {
				w.printf("\n%s\n", o.Lang.Msg("All %d exercises passed.", len(o.List)))
				return nil
			}
			w.intro = o.Lang.Msg("✓ %s passed. Next: %s", ex.ID, o.List[nx].ID)
			w.cur, w.hints = nx, 0
			start()
		case k := <-keys:
			if err := w.key(k, start); err != nil {
				return err
			}
		}
	}
}

// checked is one check's outcome.
type checked struct {
	res exercise.Result
	err error
}

type watch struct {
	Options
	progress workspace.Progress
	cur      int    // the exercise shown
	intro    string // said above the next result (the one that passed)
	last     exercise.Result
	lastErr  error
	hints    int    // hints said for the current exercise
	confirm  bool   // r was pressed: y resets
	picking  bool   // l was pressed: a number goes to that exercise
	pick     string // the digits typed so far
	lastOut  string // what the last printf wrote
}

func (w *watch) ids() []string {
	ids := make([]string, len(w.List))
	for i, e := range w.List {
		ids[i] = e.ID
	}
	return ids
}

func (w *watch) index(id string) int {
	for i, e := range w.List {
		if e.ID == id {
			return i
		}
	}
	return 0
}

// nextAfter is the first exercise not passed after i, else before it.
func (w *watch) nextAfter(i int) (int, bool) {
	n := len(w.List)
	for d := 1; d < n; d++ {
		j := (i + d) % n
		if _, ok := w.progress.Passed[w.List[j].ID]; !ok {
			return j, true
		}
	}
	return 0, false
}

// watchDirs watches the workspace and each exercise's directory (watching
// directories, not files, sees a save by rename).
func (w *watch) watchDirs(fw *fsnotify.Watcher) error {
	if err := fw.Add(w.Dir); err != nil {
		return err
	}
	for _, e := range w.List {
		d := filepath.Join(w.Dir, e.ID)
		if err := fw.Add(d); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// concerns tells whether a change to path may change the current
// exercise's result: a Go file in its directory (not an editor's backup or
// swap file).
func (w *watch) concerns(path string) bool {
	dir := filepath.Join(w.Dir, w.List[w.cur].ID)
	if filepath.Dir(path) != dir {
		return false
	}
	base := filepath.Base(path)
	return strings.HasSuffix(base, ".go") && !strings.HasPrefix(base, ".")
}

func (w *watch) printf(format string, args ...any) {
	w.lastOut = fmt.Sprintf(format, args...)
	fmt.Fprint(w.Out, w.lastOut)
}

// say writes one line of prose, broken between words to fit the
// terminal, its continuation indented by indent.
func (w *watch) say(indent, line string) {
	if width := w.Width(); width > 0 {
		line = strings.ReplaceAll(i18n.Wrap(line, width-len(indent)-1), "\n", "\n"+indent)
	}
	w.printf("%s\n", line)
}

// status says what the watch is doing, under the last result, unless it
// is the last thing said (a check started again by a save, or a reset,
// while it ran).
func (w *watch) status(s string) {
	if w.lastOut != s+"\n" {
		w.printf("%s\n", s)
	}
}

// show shows the current exercise and its last result, then the keys.
func (w *watch) show() {
	if w.Clear {
		w.printf("\x1b[H\x1b[2J")
	}
	ex := w.List[w.cur]
	if w.intro != "" {
		for _, l := range strings.Split(w.intro, "\n") {
			w.say("", l)
		}
		w.printf("\n")
		w.intro = ""
	}
	files, _ := ex.Source("starter")
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	w.printf("%s\n", w.Lang.Msg("Exercise %d of %d: %s (%s)", w.cur+1, len(w.List), ex.ID, strings.Join(paths, ", ")))
	if w.lastErr != nil {
		w.printf("%s\n", w.Lang.Msg("the check could not run: %v", w.lastErr))
	} else {
		w.printf("%s", exercise.FormatChecks(w.Lang, ex, w.last, w.Width()))
	}
	w.printf("\n%s\n", w.keysLine())
}

func (w *watch) keysLine() string {
	ex := w.List[w.cur]
	if _, ok := w.progress.Passed[ex.ID]; ok {
		ran := w.lastErr != nil || w.last.Build != "" || len(w.last.Checks) > 0
		if ran && !w.last.Passed() {
			// It passed once; the file as saved now does not.
			return w.Lang.Msg("Passed before, not as saved now. n next · h hint · l list · r reset · q quit")
		}
		return w.Lang.Msg("Passed. n next · h hint · l list · r reset · q quit")
	}
	if w.Keys == nil {
		return w.Lang.Msg("Save your file to check it again. Ctrl-C quits.")
	}
	return w.Lang.Msg("Save your file to check it again. h hint · l list · r reset · q quit")
}

// key does what key k asks.
func (w *watch) key(k []byte, check func()) error {
	if len(k) != 1 {
		return nil // an arrow, a function key: not ours
	}
	ex := w.List[w.cur]
	if w.confirm {
		w.confirm = false
		if k[0] != 'y' && k[0] != 'Y' {
			w.printf("%s\n", w.Lang.Msg("not reset"))
			return nil
		}
		files, err := ex.Source("starter")
		if err != nil {
			return err
		}
		backups, err := workspace.Reset(w.Dir, files, w.Now())
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			w.printf("%s\n", w.Lang.Msg("resetting %s: %v", ex.ID, err))
			return nil
		}
		// The starter has not passed: the exercise is to do again, and
		// the screen shows it so at once, not its last result.
		if _, ok := w.progress.Passed[ex.ID]; ok {
			delete(w.progress.Passed, ex.ID)
			if err := w.progress.Save(w.Dir); err != nil {
				return err
			}
		}
		var said []string
		for _, b := range backups {
			said = append(said, w.Lang.Msg("%s is the starter again; yours is kept in %s", ex.ID, b))
		}
		if len(backups) == 0 {
			said = append(said, w.Lang.Msg("%s is the starter again", ex.ID))
		}
		w.last, w.lastErr, w.hints = exercise.Result{}, nil, 0
		w.show()
		for _, l := range said {
			w.say("", l)
		}
		w.intro = strings.Join(said, "\n") // above its result too
		// A check of the file before the reset, still running, is
		// not the exercise's result now: cancelled for a new one.
		check()
		return nil
	}
	if w.picking {
		switch c := k[0]; {
		case c >= '0' && c <= '9' && len(w.pick) < 2:
			w.pick += string(c)
			// At once, unless a second digit could make another
			// number: 5 of 12 goes to 5, 1 waits for 10-12 or Enter.
			if n, _ := strconv.Atoi(w.pick); len(w.pick) == 2 || n == 0 || n*10 > len(w.List) {
				return w.goTo(check)
			}
			return nil
		case (c == '\r' || c == '\n') && w.pick != "":
			return w.goTo(check)
		}
		w.picking, w.pick = false, ""
		if w.Clear {
			w.show() // the exercise again, in the list's place
		}
	}
	switch k[0] {
	case 'q', 'Q':
		return ErrQuit
	case 'h', 'H':
		if len(ex.Hints) == 0 {
			w.printf("%s\n", w.Lang.Msg("no hints for %s", ex.ID))
			return nil
		}
		if w.hints < len(ex.Hints) {
			w.hints++
		}
		w.printf("\n")
		w.say("  ", w.Lang.Msg("Hint %d of %d: %s", w.hints, len(ex.Hints), w.Lang.Text(ex.Hints[w.hints-1])))
		if w.hints == len(ex.Hints) {
			w.say("  ", w.Lang.Msg("Read: the %s lesson (etcdtour run %s) and %s", ex.Lesson, ex.Lesson, exercise.DocPage(w.Lang, ex.Doc)))
		}
	case 'l', 'L':
		w.list()
		w.picking, w.pick = true, ""
	case 'n', 'N':
		if _, ok := w.progress.Passed[ex.ID]; !ok {
			w.printf("%s\n", w.Lang.Msg("n moves on once %s passes (h for a hint)", ex.ID))
			return nil
		}
		nx, ok := w.nextAfter(w.cur)
		if !ok {
			return nil
		}
		w.cur, w.hints = nx, 0
		check()
	case 'r', 'R':
		w.confirm = true
		w.printf("%s ", w.Lang.Msg("Put the starter of %s back? Your file is kept in %s/backup/. y/N", ex.ID, workspace.Hidden))
	case '?':
		w.printf("\n%s\n", w.keysLine())
	}
	return nil
}

// list shows the exercises, one line each: the one shown (→), those
// passed (✓), the number to type, the ID and the title, cut to the
// terminal's width (the exercise's screen shows it whole). On a terminal
// it takes the screen, 12 lines in 24 rows.
func (w *watch) list() {
	if w.Clear {
		w.printf("\x1b[H\x1b[2J")
	} else {
		w.printf("\n")
	}
	idw := 0
	for _, e := range w.List {
		idw = max(idw, len(e.ID))
	}
	for i, e := range w.List {
		mark := " "
		if _, ok := w.progress.Passed[e.ID]; ok {
			mark = "✓"
		}
		cur := "  "
		if i == w.cur {
			cur = "→ "
		}
		head := fmt.Sprintf("%s%s %2d. %-*s  ", cur, mark, i+1, idw, e.ID)
		title := w.Lang.Text(e.Title)
		if width := w.Width(); width > 0 {
			title = cut(w.Lang, title, width-1-w.Lang.Width(head))
		}
		w.printf("%s%s\n", head, title)
	}
	w.printf("\n")
	w.say("", w.Lang.Msg("Type an exercise's number to work on it; any other key goes on here."))
}

// cut is s in at most width columns as lang's reader's terminal draws
// them: whole if it fits, else its start, broken where a line would break
// (between words), and "…".
func cut(lang i18n.Lang, s string, width int) string {
	if lang.Width(s) <= width {
		return s
	}
	room := width - lang.Width("…")
	if room < 1 {
		return ""
	}
	first, _, _ := strings.Cut(i18n.Wrap(s, room), "\n")
	for lang.Width(first) > room { // one word wider than all, or wide quotes: cut more
		r := []rune(first)
		first = string(r[:len(r)-1])
	}
	return strings.TrimRight(first, " ,;:，；：、") + "…"
}

// goTo makes the exercise numbered w.pick the current one.
func (w *watch) goTo(check func()) error {
	var n int
	fmt.Sscan(w.pick, &n)
	w.picking, w.pick = false, ""
	if n < 1 || n > len(w.List) {
		if w.Clear {
			w.show()
		}
		w.printf("%s\n", w.Lang.Msg("no exercise %d: 1 to %d", n, len(w.List)))
		return nil
	}
	if n-1 != w.cur {
		w.cur, w.hints = n-1, 0
		w.last, w.lastErr = exercise.Result{}, nil
		if w.Clear {
			w.show() // at once, in the list's place; its result follows
		}
		check()
	} else if w.Clear {
		w.show() // the list's place
	}
	return nil
}
