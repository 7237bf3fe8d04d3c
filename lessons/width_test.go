package lessons_test

import (
	"bytes"
	"fmt"
	"go/format"
	"go/scanner"
	"go/token"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"etcdtour/lessons"
	"etcdtour/runner"
	"etcdtour/runner/gowrap"
	"etcdtour/runner/i18n"
	"etcdtour/runner/report"
	"etcdtour/runner/runnertest"
)

// checkConsoleFits renders a run's events as the console shows them and
// fails t for every line wider than report.Columns display columns (a wide
// rune counts two), unless the line is one word (a key or an endpoint
// longer than the line). Where the console broke a line to fit, the broken
// form must mean the same: an etcdctl line read by sh gives etcdctl the same
// arguments and input, and a step's code is the same Go.
func checkConsoleFits(t *testing.T, rec *runnertest.Recorder) {
	t.Helper()
	events := rec.Events()
	for i, e := range events {
		var b strings.Builder
		con := report.NewConsole(&b, false)
		con.Lang = rec.Lang // the run's language: the console's own words too
		con.Report(e)
		con.Close()
		out := b.String()
		for _, line := range strings.Split(out, "\n") {
			if w := rec.Lang.Width(line); w > report.Columns && len(strings.Fields(strings.TrimSuffix(line, " \\"))) > 1 {
				t.Errorf("%s step %d: a %s line of %d columns, more than %d:\n%s", e.Lesson, e.Step, e.Kind, w, report.Columns, line)
			}
		}
		switch {
		case e.Kind == runner.KindEtcdctl && strings.Contains(out, " \\\n"):
			sameShell(t, e, strings.TrimPrefix(out, "     $ "))
		case e.Kind == runner.KindStep && e.Code != "":
			// The step's code comes with its events, a statement at a
			// time: folded, it fits; whole (--code full), it is the step's
			// Go.
			for _, mode := range []report.CodeMode{report.CodeFolded, report.CodeFull} {
				var b strings.Builder
				con := report.NewConsole(&b, false)
				con.Lang, con.Code = rec.Lang, mode
				con.Report(e)
				for _, next := range events[i+1:] {
					if next.Kind == runner.KindStep || next.Kind == runner.KindLessonEnd {
						break
					}
					con.Report(next)
				}
				con.Close()
				var code []string
				for _, line := range strings.Split(b.String(), "\n") {
					if w := rec.Lang.Width(line); w > report.Columns && len(strings.Fields(strings.TrimSuffix(line, " \\"))) > 1 {
						t.Errorf("%s step %d: a line of %d columns, more than %d:\n%s", e.Lesson, e.Step, w, report.Columns, line)
					}
					if rest, ok := strings.CutPrefix(line, "     │"); ok {
						code = append(code, strings.TrimPrefix(rest, " "))
					}
				}
				if mode != report.CodeFull {
					continue
				}
				if a, b := goTokens(e.Code), goTokens(strings.Join(code, "\n")); a != b {
					t.Errorf("%s step %d: the code shown is not the step's Go:\n%s\nwant the tokens of:\n%s", e.Lesson, e.Step, strings.Join(code, "\n"), e.Code)
				}
			}
		}
	}
}

// fakeEtcdctl prints each argument etcdctl would get, the endpoints it
// would read, and its input.
const fakeEtcdctl = `etcdctl() { printf '[%s]' "$ETCDCTL_ENDPOINTS" "$@"; echo; cat; }` + "\n"

// sameShell fails t unless sh reads the console's broken form of e's line
// as it reads the line itself.
func sameShell(t *testing.T, e runner.Event, shown string) {
	t.Helper()
	run := func(script string) string {
		out, err := exec.Command("sh", "-c", fakeEtcdctl+script).CombinedOutput()
		if err != nil {
			t.Errorf("sh: %v\n%s\n%s", err, script, out)
		}
		return string(out)
	}
	if a, b := run(e.Text), run(shown); a != b || a == "" {
		t.Errorf("%s step %d: the etcdctl line as shown is not the line:\n%s\nsh reads it as:\n%s\nwant:\n%s", e.Lesson, e.Step, shown, b, a)
	}
}

var spaceRun = regexp.MustCompile(`\s+`)

// goTokens is Go code as its tokens, automatic semicolons included, with
// its comments' words after them: breaking a line where Go allows it does
// not change it, moving a comment above its line does not either.
func goTokens(src string) string {
	var s scanner.Scanner
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(src))
	s.Init(file, []byte(src), nil, scanner.ScanComments)
	var toks, comments []string
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.COMMENT {
			comments = append(comments, strings.TrimPrefix(lit, "//"))
			continue
		}
		toks = append(toks, fmt.Sprintf("%s %q", tok, lit))
	}
	return strings.Join(toks, "\n") + "\n// " + strings.TrimSpace(spaceRun.ReplaceAllString(strings.Join(comments, " "), " "))
}

// consoleTab is how wide the console shows a tab of a step's code
// (report.Console): the lessons' source is written for it, as gofmt users
// write, with tabs of 4.
const consoleTab = 4

// TestSourceFits fails for every line of the lessons' files and of a
// lesson's "etcdtour show" wider than report.Columns with tabs of
// consoleTab, for every line of its "show --program" wider than that on a
// terminal (a tab to the next multiple of 8), and for a program that gofmt
// or a second gowrap.File would change: what the room reads fits the
// console, and what a learner saves as main.go fits an 80-column screen as
// it is.
func TestSourceFits(t *testing.T) {
	t.Parallel()
	fits := func(what, src string, tab int) {
		t.Helper()
		for i, line := range strings.Split(src, "\n") {
			if w := i18n.WidthTabs(line, tab); w > report.Columns {
				t.Errorf("%s:%d: %d columns (tabs of %d), more than %d:\n%s", what, i+1, w, tab, report.Columns, line)
			}
		}
	}
	for f, src := range lessonFiles(t) {
		fits("lessons/"+f, string(src), consoleTab)
	}
	for _, l := range lessons.Course {
		show, err := sourceCode.Show(l)
		if err != nil {
			t.Fatal(err)
		}
		fits("show "+l.ID, show, consoleTab)
		prog, err := sourceCode.Program(l)
		if err != nil {
			t.Fatal(err)
		}
		fits("show --program "+l.ID, string(prog), gowrap.TerminalTab)
		if f, err := format.Source(prog); err != nil || !bytes.Equal(f, prog) {
			t.Errorf("show --program %s is not gofmt'd (%v)", l.ID, err)
		}
		if w, err := gowrap.File(prog, report.Columns, gowrap.TerminalTab); err != nil || !bytes.Equal(w, prog) {
			t.Errorf("show --program %s: a second gowrap.File changes it (%v)", l.ID, err)
		}
	}
}
