package lessons_test

// The docs show the lessons' code, but never as a copy kept by hand: every
// ```go block of a lesson's page is cut from the lesson as a program
// ("etcdtour show --program ID"), and every step a doc shows, with its
// file:line, is a step of today's source. These tests fail when a lesson
// changes and its page does not.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"etcdtour/lessons"
	"etcdtour/runner"
)

// docsDir holds one page per lesson, docs/ID.md, and the course's index.
const docsDir = "../docs"

// minBlock is the fewest lines a ```go block may have: fewer would match
// almost anywhere ("}", "return err").
const minBlock = 3

// TestDocsPerLesson checks that every lesson of the course has its page,
// that every ```go block on it is the lesson's program or a contiguous run
// of its lines, and that docs/README.md links every lesson.
func TestDocsPerLesson(t *testing.T) {
	t.Parallel()
	index, err := os.ReadFile(filepath.Join(docsDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lessons.Course {
		t.Run(l.ID, func(t *testing.T) {
			t.Parallel()
			if link := "[" + l.ID + "](" + l.ID + ".md)"; !strings.Contains(string(index), link) {
				t.Errorf("docs/README.md does not list lesson %s: want a link %s", l.ID, link)
			}
			page := filepath.Join(docsDir, l.ID+".md")
			md, err := os.ReadFile(page)
			if err != nil {
				t.Fatalf("lesson %s has no page: %v", l.ID, err)
			}
			src, err := sourceCode.Program(l)
			if err != nil {
				t.Fatal(err)
			}
			prog := trimmedLines(string(src))
			for _, b := range goBlocks(t, page, string(md)) {
				if at, err := b.cutFrom(prog); err != nil {
					t.Errorf("%s:%d: the ```go block starting at line %d is not cut from \"etcdtour show --program %s\": %v",
						page, b.line+at, b.line, l.ID, err)
				}
			}
		})
	}
}

// TestDocsSteps checks every step the docs show by its place in the source:
// a console heading's "(lessons/FILE.go:N)" or a JSON step's "source" must
// name a line of today's source that calls t.Step, and the code shown under
// it (the console's "│ " lines, the JSON "code") must be that step's code.
func TestDocsSteps(t *testing.T) {
	t.Parallel()
	pages, err := filepath.Glob(filepath.Join(docsDir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, filepath.Join(docsDir, "..", "README.md"))
	for _, page := range pages {
		md, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(md), "\n")
		for i, line := range lines {
			where := fmt.Sprintf("%s:%d", page, i+1)
			for _, m := range sourceRef.FindAllStringSubmatch(line, -1) {
				code := stepCode(t, where, m[1], m[2])
				if code == "" || !strings.HasPrefix(line, " ") {
					continue
				}
				// The console prints the step's code right below the line
				// that names it: what a doc shows of it must be its first
				// lines, and a line "│ …" may cut it short.
				var shown []string
				for _, l := range lines[i+1:] {
					s, ok := strings.CutPrefix(strings.TrimLeft(l, " "), "│")
					if !ok {
						break
					}
					shown = append(shown, strings.TrimPrefix(strings.TrimRight(s, " \t"), " "))
				}
				want := trimmedLines(code)
				for j, s := range shown {
					if s == "…" {
						break
					}
					if j >= len(want) || s != want[j] {
						got := "(nothing)"
						if j < len(want) {
							got = strconv.Quote(want[j])
						}
						t.Errorf("%s: the code shown under step %s:%s differs at its line %d:\n doc:  %q\n step: %s",
							where, m[1], m[2], j+1, s, got)
						break
					}
				}
			}
			var e runner.Event
			if strings.HasPrefix(line, `{"event":"step"`) && json.Unmarshal([]byte(line), &e) == nil && e.Source != "" {
				file, n, _ := strings.Cut(strings.TrimPrefix(e.Source, "lessons/"), ":")
				if code := stepCode(t, where, file, n); code != "" && e.Code != code {
					t.Errorf("%s: the JSON step's code is not that of %s today:\n doc:  %q\n step: %q", where, e.Source, e.Code, code)
				}
			}
		}
	}
}

var sourceRef = regexp.MustCompile(`\(lessons/([a-z_]+\.go):([0-9]+)\)`)

// stepCode is the code of the step at file:line, or "" after reporting
// that no step starts there.
func stepCode(t *testing.T, where, file, line string) string {
	n, _ := strconv.Atoi(line)
	src, err := os.ReadFile(file)
	if err != nil {
		t.Errorf("%s: lessons/%s:%s: %v", where, file, line, err)
		return ""
	}
	if l := strings.Split(string(src), "\n"); n < 1 || n > len(l) || !strings.Contains(l[n-1], "t.Step(") {
		t.Errorf("%s: lessons/%s:%s is not a line that calls t.Step: the reference is stale", where, file, line)
		return ""
	}
	return sourceCode.Step(file, n)
}

// block is a fenced ```go block of a page: its lines, without the fence's
// indentation, and the page line of its first.
type block struct {
	line  int
	lines []string
}

var fence = regexp.MustCompile("^( *)```+ *([A-Za-z]*)")

// goBlocks returns the ```go blocks of a page.
func goBlocks(t *testing.T, page, md string) []block {
	var out []block
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		m := fence.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		indent, lang := m[1], strings.ToLower(m[2])
		b := block{line: i + 2}
		for i++; i < len(lines) && !strings.HasPrefix(strings.TrimLeft(lines[i], " "), "```"); i++ {
			b.lines = append(b.lines, strings.TrimRight(strings.TrimPrefix(lines[i], indent), " \t"))
		}
		if lang != "go" && lang != "golang" {
			continue
		}
		if len(b.lines) < minBlock {
			t.Errorf("%s:%d: a ```go block of %d line(s): cut at least %d lines from the program, or write the code inline",
				page, b.line, len(b.lines), minBlock)
			continue
		}
		out = append(out, b)
	}
	return out
}

// cutFrom reports whether b is a contiguous run of prog's lines, and if it
// is not, the first line (counted from 0) that differs from the run it
// starts best.
func (b block) cutFrom(prog []string) (int, error) {
	best, bestLen := -1, 0
	for i := range prog {
		n := 0
		for n < len(b.lines) && i+n < len(prog) && b.lines[n] == prog[i+n] {
			n++
		}
		if n == len(b.lines) {
			return 0, nil
		}
		if n > bestLen {
			best, bestLen = i, n
		}
	}
	if best < 0 {
		return 0, fmt.Errorf("its first line %q is not a line of the program", b.lines[0])
	}
	next := "(the end of the program)"
	if best+bestLen < len(prog) {
		next = strconv.Quote(prog[best+bestLen])
	}
	return bestLen, fmt.Errorf("its line %d differs from the program's line %d:\n doc:     %q\n program: %s",
		bestLen+1, best+bestLen+1, b.lines[bestLen], next)
}

// trimmedLines splits s into lines without trailing white space, and
// without the empty line after a final newline.
func trimmedLines(s string) []string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return lines
}
