package exwatch

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"etcdtour/runner/exercise"
	"etcdtour/runner/i18n"
	"etcdtour/runner/runnertest"
	"etcdtour/runner/workspace"
)

func TestMain(m *testing.M) { os.Exit(runnertest.Main(m)) }

// limit bounds every wait of these tests: far above what each takes.
const limit = 20 * time.Second

// screen is the watch's Out: what it wrote, and a signal on each write.
type screen struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func newScreen() *screen { return &screen{changed: make(chan struct{}, 1)} }

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Write(p)
	select {
	case s.changed <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until the screen shows want after from bytes, and returns
// where it ends.
func (s *screen) waitFor(t *testing.T, from int, want string) int {
	t.Helper()
	deadline := time.After(limit)
	for {
		if i := strings.Index(s.String()[from:], want); i >= 0 {
			return from + i + len(want)
		}
		select {
		case <-s.changed:
		case <-deadline:
			t.Fatalf("the watch never showed %q; it showed:\n%s", want, s.String()[from:])
		}
	}
}

// keys is the learner's keyboard.
type keys chan []byte

func (k keys) ReadKey(ctx context.Context, prompt func()) ([]byte, error) {
	select {
	case b := <-k:
		return b, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (k keys) press(t *testing.T, s string) {
	t.Helper()
	select {
	case k <- []byte(s):
	case <-time.After(limit):
		t.Fatalf("the watch does not read keys (pressing %q)", s)
	}
}

// course is two exercises, a and b, whose check passes when the file
// holds "DONE"; checks counts the checks run.
func course(t *testing.T) (list []exercise.Exercise, dir string) {
	t.Helper()
	return courseOf(t, "a", "b")
}

// courseOf is course with the exercises ids.
func courseOf(t *testing.T, ids ...string) (list []exercise.Exercise, dir string) {
	t.Helper()
	for _, id := range ids {
		list = append(list, exercise.Exercise{
			ID: id, Title: "exercise " + id, Lesson: "put-get", Doc: "docs/put-get.md",
			Hints: []string{"first hint of " + id, "second hint of " + id},
			Files: fstest.MapFS{
				"starter/" + id + ".go":  {Data: []byte("package " + id + " // TODO\n")},
				"solution/" + id + ".go": {Data: []byte("package " + id + " // DONE\n")},
			},
		})
	}
	dir = t.TempDir()
	var files []workspace.File
	for _, e := range list {
		fs, err := e.Source("starter")
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, fs...)
	}
	if _, err := workspace.Init(dir, files); err != nil {
		t.Fatal(err)
	}
	return list, dir
}

// checker passes an exercise whose file says DONE.
func checker(dir string) func(ctx context.Context, ex exercise.Exercise) (exercise.Result, error) {
	return func(ctx context.Context, ex exercise.Exercise) (exercise.Result, error) {
		b, err := os.ReadFile(filepath.Join(dir, ex.ID, ex.ID+".go"))
		if err != nil {
			return exercise.Result{}, err
		}
		st, why := exercise.Passed, []string(nil)
		if !bytes.Contains(b, []byte("DONE")) {
			st, why = exercise.Failed, []string{"not implemented"}
		}
		return exercise.Result{ID: ex.ID, Checks: []exercise.CheckResult{{Name: "it is done", Status: st, Why: why}}}, nil
	}
}

// start runs a watch; stop waits for it to end by itself and returns its
// error.
func start(t *testing.T, o Options) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var err error
	go func() { defer close(done); err = Run(ctx, o) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(limit):
			t.Error("the watch did not end with its context")
		}
	})
	return func() error {
		select {
		case <-done:
			return err
		case <-time.After(limit):
			t.Fatal("the watch did not end")
			return nil
		}
	}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSaveChecksAgainAndMovesOn(t *testing.T) {
	list, dir := course(t)
	scr := newScreen()
	stop := start(t, Options{Dir: dir, List: list, Lang: i18n.Lang{}, Out: scr, Check: checker(dir)})
	at := scr.waitFor(t, 0, "Exercise 1 of 2: a (a/a.go)")
	at = scr.waitFor(t, at, "not implemented")

	// A save of the fixed file: a passes, its progress is saved, and the
	// watch moves on to b.
	write(t, filepath.Join(dir, "a", "a.go"), "package a // DONE\n")
	at = scr.waitFor(t, at, "✓ a passed. Next: b")
	at = scr.waitFor(t, at, "Exercise 2 of 2: b")
	p, err := workspace.LoadProgress(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Passed["a"]; !ok || len(p.Passed) != 1 {
		t.Errorf("progress after a passed: %v, want a alone", p.Passed)
	}

	// A save by rename, as vim and many editors do: the new file is
	// written beside and renamed over the old one.
	tmp := filepath.Join(dir, "b", ".b.go.swp")
	write(t, tmp, "package b // DONE\n")
	if err := os.Rename(tmp, filepath.Join(dir, "b", "b.go")); err != nil {
		t.Fatal(err)
	}
	scr.waitFor(t, at, "All 2 exercises passed.")
	if err := stop(); err != nil {
		t.Errorf("the watch ended with %v after every exercise passed, want nil", err)
	}
}

func TestOtherFilesIgnored(t *testing.T) {
	list, dir := course(t)
	scr := newScreen()
	var mu sync.Mutex
	checked := 0
	check := checker(dir)
	start(t, Options{Dir: dir, List: list, Out: scr, Check: func(ctx context.Context, ex exercise.Exercise) (exercise.Result, error) {
		mu.Lock()
		checked++
		mu.Unlock()
		return check(ctx, ex)
	}})
	at := scr.waitFor(t, 0, "not implemented")
	// b's file and a non-Go file in a's dir do not concern a; then a's
	// own file, which is checked: exactly two checks in all.
	write(t, filepath.Join(dir, "b", "b.go"), "package b // DONE\n")
	write(t, filepath.Join(dir, "a", "notes.txt"), "DONE\n")
	write(t, filepath.Join(dir, "a", "a.go"), "package a // still TODO\n")
	at = scr.waitFor(t, at, "checking a…")
	scr.waitFor(t, at, "not implemented")
	mu.Lock()
	defer mu.Unlock()
	if checked != 2 {
		t.Errorf("%d checks, want 2: the first and the one after a.go changed\n%s", checked, scr.String())
	}
}

func TestKeys(t *testing.T) {
	list, dir := course(t)
	scr := newScreen()
	kb := make(keys)
	stop := start(t, Options{Dir: dir, List: list, Out: scr, Keys: kb, Check: checker(dir)})
	at := scr.waitFor(t, 0, "not implemented")

	kb.press(t, "\x1b[C") // → is no key of the watch's: ignored
	kb.press(t, "h")
	at = scr.waitFor(t, at, "Hint 1 of 2: first hint of a")
	kb.press(t, "h")
	at = scr.waitFor(t, at, "Hint 2 of 2: second hint of a")
	at = scr.waitFor(t, at, "Read: the put-get lesson")
	kb.press(t, "n")
	at = scr.waitFor(t, at, "n moves on once a passes")
	kb.press(t, "l")
	at = scr.waitFor(t, at, "→    1. a  exercise a")
	at = scr.waitFor(t, at, " 2. b  exercise b")

	// r asks first: anything but y keeps the file.
	mine := "package a // mine, half done\n"
	write(t, filepath.Join(dir, "a", "a.go"), mine)
	at = scr.waitFor(t, at, "checking a…")
	kb.press(t, "r")
	at = scr.waitFor(t, at, "Put the starter of a back?")
	kb.press(t, "x")
	at = scr.waitFor(t, at, "not reset")
	if b, _ := os.ReadFile(filepath.Join(dir, "a", "a.go")); string(b) != mine {
		t.Errorf("a.go after r and x: %q, want the learner's %q", b, mine)
	}
	kb.press(t, "r")
	kb.press(t, "y")
	at = scr.waitFor(t, at, "a is the starter again; yours is kept in ")
	if b, _ := os.ReadFile(filepath.Join(dir, "a", "a.go")); !strings.Contains(string(b), "TODO") {
		t.Errorf("a.go after r and y: %q, want the starter", b)
	}
	backups, _ := filepath.Glob(filepath.Join(dir, workspace.Hidden, "backup", "*", "a", "a.go"))
	if len(backups) != 1 {
		t.Fatalf("backups of a.go: %q, want one", backups)
	} else if b, _ := os.ReadFile(backups[0]); string(b) != mine {
		t.Errorf("the backup holds %q, want %q", b, mine)
	}
	scr.waitFor(t, at, "checking a…") // the reset is a change

	kb.press(t, "q")
	if err := stop(); !errors.Is(err, ErrQuit) {
		t.Errorf("after q the watch ended with %v, want ErrQuit", err)
	}
}

// TestListGoesTo: after l, a number goes to that exercise; n on a passed
// exercise goes on to the next not passed.
func TestListGoesTo(t *testing.T) {
	list, dir := course(t)
	write(t, filepath.Join(dir, "a", "a.go"), "package a // DONE\n")
	p, _ := workspace.LoadProgress(dir)
	p.Pass("a", time.Now())
	if err := p.Save(dir); err != nil {
		t.Fatal(err)
	}
	scr := newScreen()
	kb := make(keys)
	start(t, Options{Dir: dir, List: list, Out: scr, Keys: kb, Check: checker(dir)})
	at := scr.waitFor(t, 0, "Exercise 2 of 2: b") // a passed already
	at = scr.waitFor(t, at, "not implemented")
	kb.press(t, "l")
	at = scr.waitFor(t, at, "  ✓  1. a")
	kb.press(t, "1")
	at = scr.waitFor(t, at, "Exercise 1 of 2: a")
	at = scr.waitFor(t, at, "Passed. n next")
	kb.press(t, "n")
	at = scr.waitFor(t, at, "Exercise 2 of 2: b")
	scr.waitFor(t, at, "not implemented")
}

// TestListOnTerminal: on a terminal l takes the screen, one line an
// exercise, each title cut to the width (here 40 columns) with "…"; a
// number that no second digit could make another goes at once (5 of 12),
// 1 waits for a second digit or Enter; another key shows the exercise
// again.
func TestListOnTerminal(t *testing.T) {
	ids := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"}
	list, dir := courseOf(t, ids...)
	list[1].Title = "a title much longer than the forty columns of this terminal"
	scr := newScreen()
	kb := make(keys)
	start(t, Options{Dir: dir, List: list, Out: scr, Keys: kb, Check: checker(dir), Clear: true, Width: func() int { return 40 }})
	at := scr.waitFor(t, 0, "not implemented")
	kb.press(t, "l")
	at = scr.waitFor(t, at, "\x1b[2J→    1. a  exercise a\n")
	end := scr.waitFor(t, at, "any other key goes on here.")
	for _, l := range strings.Split(scr.String()[at:end], "\n") {
		if w := i18n.Width(l); w > 39 {
			t.Errorf("a line of %d columns, want at most 39: %q", w, l)
		}
	}
	if shown := scr.String()[at:end]; !strings.Contains(shown, "     2. b  a title much longer than…\n") {
		t.Errorf("b's title not cut at a word with …:\n%s", shown)
	}
	kb.press(t, "5")
	at = scr.waitFor(t, end, "Exercise 5 of 12: e")
	kb.press(t, "l")
	kb.press(t, "1")
	kb.press(t, "1")
	at = scr.waitFor(t, at, "Exercise 11 of 12: k")
	kb.press(t, "l")
	kb.press(t, "1")
	kb.press(t, "\r")
	at = scr.waitFor(t, at, "Exercise 1 of 12: a")
	at = scr.waitFor(t, at, "not implemented")
	kb.press(t, "l")
	at = scr.waitFor(t, at, "any other key goes on here.")
	kb.press(t, "x")
	scr.waitFor(t, at, "\x1b[2JExercise 1 of 12: a")
}

// TestResetPassed: r on a passed exercise puts its starter back and shows
// it as it is now, a starter not passed, at once and after its check; the
// progress file no longer counts it, and a save of a solution passes it
// again and moves on.
func TestResetPassed(t *testing.T) {
	list, dir := course(t)
	write(t, filepath.Join(dir, "a", "a.go"), "package a // DONE\n")
	p, _ := workspace.LoadProgress(dir)
	p.Pass("a", time.Now())
	if err := p.Save(dir); err != nil {
		t.Fatal(err)
	}
	scr := newScreen()
	kb := make(keys)
	start(t, Options{Dir: dir, List: list, Out: scr, Keys: kb, Check: checker(dir)})
	at := scr.waitFor(t, 0, "not implemented") // b
	kb.press(t, "l")
	kb.press(t, "1")
	at = scr.waitFor(t, at, "Exercise 1 of 2: a")
	at = scr.waitFor(t, at, "Passed. n next")
	kb.press(t, "r")
	kb.press(t, "y")
	at = scr.waitFor(t, at, "Save your file to check it again.") // at once
	at = scr.waitFor(t, at, "a is the starter again; yours is kept in ")
	at = scr.waitFor(t, at, "not implemented")
	end := scr.waitFor(t, at, "Save your file to check it again.")
	if shown := scr.String()[at:end]; strings.Contains(shown, "Passed") {
		t.Errorf("after the reset the screen says Passed:\n%s", shown)
	}
	if p, _ := workspace.LoadProgress(dir); len(p.Passed) != 0 {
		t.Errorf("progress after the reset: %v, want none passed", p.Passed)
	}
	write(t, filepath.Join(dir, "a", "a.go"), "package a // DONE\n")
	scr.waitFor(t, end, "✓ a passed. Next: b")
}

// TestPassedThenBroken: an exercise that passed once and whose file, as
// saved now, fails does not say "Passed." under its ✗.
func TestPassedThenBroken(t *testing.T) {
	list, dir := course(t)
	scr := newScreen()
	kb := make(keys)
	start(t, Options{Dir: dir, List: list, Out: scr, Keys: kb, Check: checker(dir)})
	at := scr.waitFor(t, 0, "not implemented") // a
	write(t, filepath.Join(dir, "a", "a.go"), "package a // DONE\n")
	at = scr.waitFor(t, at, "✓ a passed. Next: b")
	at = scr.waitFor(t, at, "not implemented") // b
	kb.press(t, "l")
	kb.press(t, "1")
	at = scr.waitFor(t, at, "Exercise 1 of 2: a")
	at = scr.waitFor(t, at, "Passed. n next")
	write(t, filepath.Join(dir, "a", "a.go"), "package a // TODO\n")
	at = scr.waitFor(t, at, "not implemented")
	end := scr.waitFor(t, at, "Passed before, not as saved now.")
	if shown := scr.String()[at:end]; strings.Contains(shown, "Passed. n next") {
		t.Errorf("a failing save of a passed exercise says Passed:\n%s", shown)
	}
}

// TestSaveCancelsCheck: a save while a check runs cancels it, and the
// next starts only once the cancelled one has returned.
func TestSaveCancelsCheck(t *testing.T) {
	list, dir := course(t)
	scr := newScreen()
	var mu sync.Mutex
	running, calls := 0, 0
	check := checker(dir)
	start(t, Options{Dir: dir, List: list, Out: scr, Check: func(ctx context.Context, ex exercise.Exercise) (exercise.Result, error) {
		mu.Lock()
		running++
		calls++
		n, first := running, calls == 1
		mu.Unlock()
		defer func() { mu.Lock(); running--; mu.Unlock() }()
		if n > 1 {
			t.Errorf("%d checks at once", n)
		}
		if first {
			<-ctx.Done() // a check that takes until the save
			return exercise.Result{}, ctx.Err()
		}
		return check(ctx, ex)
	}})
	at := scr.waitFor(t, 0, "checking a…")
	write(t, filepath.Join(dir, "a", "a.go"), "package a // DONE\n")
	scr.waitFor(t, at, "✓ a passed. Next: b")
	if strings.Contains(scr.String(), "could not run") {
		t.Errorf("the cancelled check's error was shown:\n%s", scr.String())
	}
}

func TestAllPassedAtStart(t *testing.T) {
	list, dir := course(t)
	p, _ := workspace.LoadProgress(dir)
	p.Pass("a", time.Now())
	p.Pass("b", time.Now())
	if err := p.Save(dir); err != nil {
		t.Fatal(err)
	}
	scr := newScreen()
	err := Run(context.Background(), Options{Dir: dir, List: list, Out: scr, Check: checker(dir)})
	if err != nil || !strings.Contains(scr.String(), "All 2 exercises passed.") {
		t.Errorf("Run = %v, showing %q; want nil and all passed", err, scr.String())
	}
}

func TestConcerns(t *testing.T) {
	list, dir := course(t)
	w := &watch{Options: Options{Dir: dir, List: list}}
	for path, want := range map[string]bool{
		filepath.Join(dir, "a", "a.go"):        true,
		filepath.Join(dir, "a", "other.go"):    true, // a second file of the package
		filepath.Join(dir, "a", ".a.go.swp"):   false,
		filepath.Join(dir, "a", "a.go~"):       false,
		filepath.Join(dir, "a", "notes.txt"):   false,
		filepath.Join(dir, "b", "b.go"):        false, // another exercise's
		filepath.Join(dir, "a.go"):             false,
		filepath.Join(dir, "a", "sub", "x.go"): false,
	} {
		if got := w.concerns(path); got != want {
			t.Errorf("concerns(%s) = %v, want %v", path, got, want)
		}
	}
}

// TestCut: a title cut to the list's width ends with "…" and fits, as
// an English or a Chinese reader's terminal draws it ("…" two columns
// wide on a Chinese one).
func TestCut(t *testing.T) {
	for _, c := range []struct {
		lang       i18n.Lang
		s          string
		width      int
		want       string
		wantColumn int
	}{
		{i18n.English, "Count under a distributed lock", 40, "Count under a distributed lock", 30},
		{i18n.English, "Count under a distributed lock", 20, "Count under a…", 14},
		{i18n.Chinese, "在分布式锁下计数：排队等候", 20, "在分布式锁下计数…", 18},
		{i18n.Chinese, "一二三四五六七八九十", 9, "一二三…", 8},
	} {
		got := cut(c.lang, c.s, c.width)
		if got != c.want || c.lang.Width(got) != c.wantColumn {
			t.Errorf("cut(%s, %q, %d) = %q (%d columns), want %q (%d)", c.lang, c.s, c.width, got, c.lang.Width(got), c.want, c.wantColumn)
		}
	}
}
