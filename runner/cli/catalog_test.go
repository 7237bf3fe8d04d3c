package cli

// The catalog must have the Chinese of every text a learner reads, and
// each text's Chinese belongs to the package whose code says it (its
// zh.go): main assembles them (speak). The texts are found in the source
// itself, with go/ast, so that a t.Say added to a lesson without its
// Chinese fails here:
//
//   - in lessons: t.Step, t.Say, t.Result, t.Wait, t.Check and t.Equal
//     (their format argument), and the Title and Doc of each runner.Lesson;
//   - anywhere: calls of Lang's Msg, Err and Text with a literal argument,
//     and of main's usageErr; a command's short and long help, and its why;
//     a flag's usage; the words of main's overviewText and examples.

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"etcdtour/lessons"
	"etcdtour/lessons/exercises"
	"etcdtour/runner"
	"etcdtour/runner/embedded"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/exercise"
	"etcdtour/runner/exwatch"
	"etcdtour/runner/i18n"
	"etcdtour/runner/report"
	"etcdtour/runner/web"
)

// A message is a text found in the source, and where.
type message struct {
	text  string
	where string
	owner string // the package whose source says it
	// width is the widest a line of its translation may be, in columns; 0
	// for none (a lesson's doc: the console wraps it).
	width int
	// format is whether text is a format (its verbs must be kept).
	format bool
	// gloss marks the first clause of a lesson helper's doc comment, which
	// the console shows on the line of a call of it: its Chinese, if any,
	// is not stale (lessons' TestGlosses requires it of a helper a step
	// calls).
	gloss bool
}

// The widths: narration is indented by 5 columns on an 80-column terminal
// (TestCourse checks the same of what a run says); help and errors may
// take the terminal's 80.
const (
	narrationWidth = 74
	helpWidth      = 80
)

// narration maps each narrating method of *runner.T to its format's index.
var narration = map[string]int{"Step": 0, "Say": 0, "Result": 0, "Wait": 1, "Check": 1, "Equal": 2, "NoReplay": 0}

// owners are the packages whose texts are translated: the files of each,
// and the Chinese it hands to main's catalog.
var owners = []struct {
	name, files string
	zh          map[string]string
}{
	{"cli", "*.go", cliChinese()},
	{"lessons", root + "/lessons/*.go", lessons.Chinese()},
	{"runner", root + "/runner/*.go", runner.Chinese()},
	{"embedded", root + "/runner/embedded/*.go", embedded.Chinese()},
	{"etcdconn", root + "/runner/etcdconn/*.go", etcdconn.Chinese()},
	{"report", root + "/runner/report/*.go", report.Chinese()},
	{"exercise", root + "/runner/exercise/*.go", exercise.Chinese()},
	{"exercises", root + "/lessons/exercises/*.go", exercises.Chinese()},
	{"web", root + "/runner/web/*.go", web.Chinese()},
	{"exwatch", root + "/runner/exwatch/*.go", exwatch.Chinese()},
}

// cliChinese is the command line's catalog: the lessons' commands' (zh.go)
// and the exercises' (exercises_zh.go, watch_zh.go).
func cliChinese() map[string]string {
	m := maps.Clone(chinese)
	maps.Copy(m, exercisesChinese)
	maps.Copy(m, watchChinese)
	return m
}

// translations are all the owners' texts, keyed by the English.
func translations() map[string]string {
	out := map[string]string{}
	for _, o := range owners {
		for k, v := range o.zh {
			out[k] = v
		}
	}
	return out
}

// notYet are the kinds of text not translated yet ("usageErr", "help").
var notYet = map[string]bool{}

func messages(t *testing.T) []message {
	t.Helper()
	var out []message
	fset := token.NewFileSet()
	for _, o := range owners {
		files, err := filepath.Glob(o.files)
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no files (%v)", o.files, err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, file, nil, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			if o.name == "lessons" {
				out = append(out, docClauses(fset, f)...)
			}
			for _, m := range fileMessages(t, fset, f, o.name == "lessons") {
				m.owner = o.name
				out = append(out, m)
			}
		}
	}
	// The exercises' texts, from the values (their checks' names are
	// constants): the title and hints, each check's line and lesson step.
	for _, e := range exercises.List {
		texts := append([]string{e.Title}, e.Hints...)
		for _, c := range e.Checks {
			texts = append(texts, c.Name, c.Step)
		}
		for _, s := range texts {
			out = append(out, message{text: s, where: "exercise " + e.ID, owner: "exercises", width: helpWidth})
		}
	}
	return out
}

// clauseEnd is where the first clause of a doc comment ends (as
// runner/source cuts a helper's gloss).
var clauseEnd = regexp.MustCompile(`[,:;] |\. |\.$| \(`)

// docClauses are the first clauses of the doc comments of f's functions,
// their names left out: what the console says of a call of a helper.
func docClauses(fset *token.FileSet, f *ast.File) []message {
	var out []message
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Doc == nil || fd.Recv != nil {
			continue
		}
		doc := strings.TrimPrefix(strings.Join(strings.Fields(fd.Doc.Text()), " "), fd.Name.Name+" ")
		if loc := clauseEnd.FindStringIndex(doc); loc != nil {
			doc = doc[:loc[0]]
		}
		out = append(out, message{text: doc, where: fset.Position(fd.Pos()).String(), gloss: true, owner: "lessons"})
	}
	return out
}

// fileMessages finds the texts of a file; with errs, also those of its
// errors (errors.New, fmt.Errorf): a lesson's own errors, which the runner
// says in the learner's language (i18n.Lang.Error).
func fileMessages(t *testing.T, fset *token.FileSet, f *ast.File, errs bool) []message {
	var out []message
	add := func(e ast.Expr, width int, format, mustBeLiteral bool) {
		s, ok := literal(e)
		where := fset.Position(e.Pos()).String()
		switch {
		case ok && s != "":
			out = append(out, message{text: s, where: where, width: width, format: format})
		case !ok && mustBeLiteral:
			t.Errorf("%s: the text is not a string literal: the catalog is keyed by the literal, and this test finds it there", where)
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			// main's overview: the words of overviewText, and what each of
			// the examples does.
			for i, name := range n.Names {
				if i >= len(n.Values) || notYet["help"] {
					continue
				}
				lit, ok := n.Values[i].(*ast.CompositeLit)
				if !ok {
					continue
				}
				for _, el := range lit.Elts {
					switch name.Name {
					case "overviewText":
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							add(kv.Value, helpWidth, false, true)
						}
					case "examples":
						if e, ok := el.(*ast.CompositeLit); ok && len(e.Elts) == 2 {
							add(e.Elts[1], helpWidth-34, false, true)
						}
					}
				}
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "usageErr" && len(n.Args) > 0 && !notYet["usageErr"] {
					add(n.Args[0], helpWidth, true, false)
				}
				return true
			}
			recv, _ := sel.X.(*ast.Ident)
			name := sel.Sel.Name
			if i, ok := narration[name]; ok && recv != nil && recv.Name == "t" && len(n.Args) > i {
				add(n.Args[i], narrationWidth, true, true)
				return true
			}
			if recv != nil && (recv.Name == "fmt" || recv.Name == "errors") {
				if errs && len(n.Args) > 0 && (recv.Name == "fmt" && name == "Errorf" || recv.Name == "errors" && name == "New") {
					add(n.Args[0], 0, true, false)
				}
				return true
			}
			switch {
			case (name == "Msg" || name == "Err" || name == "Fail") && len(n.Args) > 0:
				add(n.Args[0], helpWidth, true, false)
			case name == "said" && len(n.Args) > 1: // the runner's own narration: T.said(kind, format, args)
				add(n.Args[1], narrationWidth, true, false)
			case name == "Text" && len(n.Args) == 1:
				add(n.Args[0], helpWidth, false, false)
			case name == "usageErr" && len(n.Args) > 0 && !notYet["usageErr"]:
				add(n.Args[0], helpWidth, true, false)
			case strings.HasSuffix(name, "Var") && len(n.Args) == 4 && recv != nil && recv.Name == "fs" && !notYet["help"]:
				add(n.Args[3], helpWidth, false, false) // a flag's usage
			case name == "Var" && len(n.Args) == 3 && recv != nil && recv.Name == "fs" && !notYet["help"]:
				add(n.Args[2], helpWidth, false, false) // a flag of its own Value's usage (--web)
			}
		case *ast.CompositeLit:
			for _, el := range n.Elts {
				kv, ok := el.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				key, _ := kv.Key.(*ast.Ident)
				if key == nil {
					continue
				}
				switch {
				case isLesson(n.Type) && key.Name == "Title":
					add(kv.Value, narrationWidth, false, true)
				case isLesson(n.Type) && key.Name == "Doc":
					add(kv.Value, 0, false, true)
				case (key.Name == "short" || key.Name == "long") && !notYet["help"]:
					add(kv.Value, helpWidth, false, false)
				case key.Name == "why" && !notYet["help"]:
					if m, ok := kv.Value.(*ast.CompositeLit); ok {
						for _, el := range m.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok {
								add(kv.Value, helpWidth, false, false)
							}
						}
					}
				}
			}
		}
		return true
	})
	return out
}

func isLesson(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Lesson"
}

// literal is the value of a string literal, or of a sum of them.
func literal(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		x, ok1 := literal(e.X)
		y, ok2 := literal(e.Y)
		return x + y, ok1 && ok2
	case *ast.ParenExpr:
		return literal(e.X)
	}
	return "", false
}

// TestCatalogComplete fails for every text of a package's source that the
// package has no Chinese for (in its zh.go), and for every translation its
// source does not say (any more).
func TestCatalogComplete(t *testing.T) {
	msgs := messages(t)
	if len(msgs) < 100 {
		t.Fatalf("found %d texts in the source: the walk is broken", len(msgs))
	}
	for _, o := range owners {
		used := map[string]bool{}
		var missing []string
		for _, m := range msgs {
			if m.owner != o.name {
				continue
			}
			used[m.text] = true
			if _, ok := o.zh[m.text]; !ok && !m.gloss {
				missing = append(missing, fmt.Sprintf("%s: %q", m.where, m.text))
			}
		}
		if len(missing) > 0 {
			t.Errorf("%d text(s) of %s have no Chinese: add them to its zh.go (the English is the key):\n%s",
				len(missing), o.name, strings.Join(missing, "\n"))
		}
		var stale []string
		for k := range o.zh {
			if !used[k] {
				stale = append(stale, strconv.Quote(k))
			}
		}
		sort.Strings(stale)
		if len(stale) > 0 {
			t.Errorf("%d translation(s) in %s whose English its source does not say: remove them, move them to the package that says them, or correct the key:\n%s",
				len(stale), o.name, strings.Join(stale, "\n"))
		}
	}
}

// TestCatalogOwners fails when two packages translate one text
// differently: main's catalog would keep only one of them.
func TestCatalogOwners(t *testing.T) {
	seen := map[string]string{} // text -> owner
	for _, o := range owners {
		for k, v := range o.zh {
			if prev, ok := seen[k]; ok {
				if other := ownerZh(prev)[k]; other != v {
					t.Errorf("%s and %s translate %q differently: %q, %q", prev, o.name, k, other, v)
				}
				continue
			}
			seen[k] = o.name
		}
	}
}

func ownerZh(name string) map[string]string {
	for _, o := range owners {
		if o.name == name {
			return o.zh
		}
	}
	return nil
}

// TestCatalogVerbs fails for a translation whose format verbs are not its
// key's: a dropped %d loses a number, an added one prints %!d(MISSING).
// The order may change, with explicit argument indexes (%[2]s).
func TestCatalogVerbs(t *testing.T) {
	formats := map[string]bool{}
	for _, m := range messages(t) {
		formats[m.text] = formats[m.text] || m.format
	}
	quoted := regexp.MustCompile("`[^`]*`")
	for k, v := range translations() {
		// A flag's usage names its value in backquotes, and help prints
		// that name as the flag's argument: it must be the same.
		if got, want := quoted.FindAllString(v, -1), quoted.FindAllString(k, -1); !slices.Equal(got, want) {
			t.Errorf("the translation of %q quotes %q, the English %q", k, got, want)
		}
		if !formats[k] {
			continue
		}
		if got, want := verbs(v), verbs(k); !slices.Equal(got, want) {
			t.Errorf("the translation of %q has the verbs %q, the English %q:\n%s", k, got, want, v)
		}
	}
}

// TestCatalogWidth fails for a translated line wider than its text may be
// on an 80-column terminal, in display columns: a Chinese character takes
// two. A verb counts as its width in the format. A one-line error longer
// than that in English (the terminal wraps it) may be as long in Chinese.
func TestCatalogWidth(t *testing.T) {
	zh := translations()
	for _, m := range messages(t) {
		tr, ok := zh[m.text]
		if !ok || m.width == 0 {
			continue
		}
		limit := m.width
		for _, line := range strings.Split(m.text, "\n") {
			limit = max(limit, i18n.Width(line))
		}
		for _, line := range strings.Split(tr, "\n") {
			if w := i18n.Chinese.Width(line); w > limit {
				t.Errorf("%s: a line of the Chinese is %d columns wide, more than %d: %q", m.where, w, limit, line)
			}
		}
	}
}

// TestCatalogRoundTrip checks that the language main speaks gives back
// every translation as written: it is assembled from all of them (speak).
func TestCatalogRoundTrip(t *testing.T) {
	zh := speak(i18n.Chinese)
	for k, v := range translations() {
		if got := zh.Text(k); got != v {
			t.Errorf("the catalog gives %q for %q, not its translation %q", got, k, v)
		}
	}
}

var verb = regexp.MustCompile(`%([-+# 0]*)(\[\d+\])?(\*|\d+)?(\.(\*|\d+)?)?(\[\d+\])?([a-zA-Z%])`)

// verbs lists the verbs of a format, each with the argument it formats:
// "1:d", "2:q", sorted by argument.
func verbs(format string) []string {
	var out []string
	arg := 1
	for _, m := range verb.FindAllStringSubmatch(format, -1) {
		if m[7] == "%" {
			continue
		}
		for _, idx := range []string{m[2], m[6]} {
			if idx != "" {
				arg, _ = strconv.Atoi(strings.Trim(idx, "[]"))
			}
		}
		if m[3] == "*" {
			arg++
		}
		out = append(out, fmt.Sprintf("%d:%s%s", arg, m[1], m[7]))
		arg++
	}
	sort.Strings(out)
	return out
}

func TestVerbs(t *testing.T) {
	for _, c := range []struct {
		format string
		want   []string
	}{
		{"lease %x, TTL %ds", []string{"1:x", "2:d"}},
		{"租约 %[2]d 秒，%[1]x", []string{"1:x", "2:d"}},
		{"100%% %-12s", []string{"1:-s"}},
		{"%w: %v", []string{"1:w", "2:v"}},
	} {
		if got := verbs(c.format); !slices.Equal(got, c.want) {
			t.Errorf("verbs(%q) = %q, want %q", c.format, got, c.want)
		}
	}
}

// TestCatalogArguments formats every message of every package's catalog,
// in English and in Chinese, with one distinct sample value per argument
// (sample: a string ‹n› for %s, %q and %v, an error ‹n› for %w, 4100n for
// %d and %f, fac0+n for %x, U+2460+n for %U), and fails when
//
//   - either side prints a %!verb(…) (a missing, extra or badly indexed
//     argument, or a value of the wrong kind for its verb);
//   - an argument is printed a different number of times in the Chinese
//     than in the English (a dropped or doubled argument, or one argument
//     printed in another's place: with TestCatalogVerbs, which wants the
//     same (argument index, verb) pairs on both sides, a swap of two
//     arguments with different verbs fails one or the other);
//   - the English relates two arguments in a way the Chinese must say in
//     a known form (relations), and the Chinese says it of other
//     arguments or not at all: "‹2› on ‹3›" must be "‹3› 上的 ‹2›". This
//     catches what counting cannot: two %s arguments in distinct roles
//     printed in each other's place ("不能读写 %s 上的 %s" kept the
//     English order and so said the endpoints are on the prefix).
//
// A swap of two arguments of the same verb in a sentence none of the
// relations describes still passes: only a reader can tell it.
func TestCatalogArguments(t *testing.T) {
	formats := map[string]bool{}
	for _, m := range messages(t) {
		formats[m.text] = formats[m.text] || m.format
	}
	checked, related := 0, 0
	for _, o := range owners {
		for en, zh := range o.zh {
			if !formats[en] {
				continue
			}
			args := sampleArgs(en)
			enOut := fmt.Errorf(en, args...).Error()
			zhOut := fmt.Errorf(zh, args...).Error()
			checked++
			for _, out := range []string{enOut, zhOut} {
				if strings.Contains(out, "%!") {
					t.Errorf("%s: a verb has no argument of its kind:\n%q\n%q\nprints %q", o.name, en, zh, out)
				}
			}
			for i, a := range args {
				mark := sampleText(a)
				if got, want := strings.Count(zhOut, mark), strings.Count(enOut, mark); got != want {
					t.Errorf("%s: argument %d (%s) is printed %d time(s) in the Chinese, %d in the English:\n%s\n%s",
						o.name, i+1, mark, got, want, enOut, zhOut)
				}
			}
			n, err := checkRelations(enOut, zhOut)
			related += n
			if err != nil {
				t.Errorf("%s: %v:\n%q\n%q\nprint\n%s\n%s", o.name, err, en, zh, enOut, zhOut)
			}
		}
	}
	t.Logf("checked %d formats, %d relations", checked, related)
	if checked < 100 || related < 3 {
		t.Fatalf("checked %d formats, %d relations: the walk or the relations are broken", checked, related)
	}
}

// sampleArgs gives a format one distinct value per argument, of the kind
// its first verb for that argument in the English takes.
func sampleArgs(format string) []any {
	kind := map[int]byte{}
	n := 0
	for _, v := range verbs(format) {
		i, _ := strconv.Atoi(v[:strings.IndexByte(v, ':')])
		if _, ok := kind[i]; !ok {
			kind[i] = v[len(v)-1]
		}
		n = max(n, i)
	}
	args := make([]any, n)
	for i := range args {
		switch kind[i+1] {
		case 'd':
			args[i] = 41000 + i + 1
		case 'f':
			args[i] = float64(41000 + i + 1)
		case 'x', 'X':
			args[i] = 0xfac0 + i + 1
		case 'U':
			args[i] = rune(0x2460 + i + 1)
		case 'w':
			args[i] = errors.New(fmt.Sprintf("‹%d›", i+1))
		default:
			args[i] = fmt.Sprintf("‹%d›", i+1)
		}
	}
	return args
}

// sampleText is what every verb this catalog uses prints of a sample
// value (within any quotes or padding).
func sampleText(a any) string {
	switch a := a.(type) {
	case int:
		if a > 0xfac0 && a < 0xfb00 {
			return fmt.Sprintf("%x", a)
		}
		return strconv.Itoa(a)
	case float64:
		return strconv.Itoa(int(a))
	case rune:
		return fmt.Sprintf("%U", a)
	}
	return fmt.Sprint(a)
}

// sample matches a printed sample value, with its quotes if %q quoted it.
const sample = `"?(?:‹\d+›|410\d\d(?:\.\d+)?|fac[0-9a-f]|U\+24[0-9A-F]{2})"?`

// relations are ways the English relates two arguments, with the forms
// the Chinese says them in: X and Y stand for the printed arguments.
var relations = []struct {
	en string
	zh []string
}{
	// "/etcdtour/ on 127.0.0.1:2379" is 127.0.0.1:2379 上的 /etcdtour/.
	{`(X) on (Y)`, []string{`Y 上的 X`}},
	// "etcd 3.4.23 at 127.0.0.1:2379".
	{`etcd (X) at (Y)`, []string{`Y 上的 etcd X`, `etcd X，地址 Y`}},
	// "invalid value "x" for --color".
	{`value (X) for (Y)`, []string{`Y 的值 X`}},
	// "revision 7 of m1's own copy".
	{`revision (X) of (Y)`, []string{`Y 自己副本的修订号 X`}},
	{`from (X) to (Y)`, []string{`从 X \S* ?缩小到 Y`}},
}

// checkRelations finds the relations between arguments in the English and
// fails for one the Chinese does not say of the same arguments. It returns
// how many it found.
func checkRelations(en, zh string) (int, error) {
	found := 0
	for _, r := range relations {
		re := regexp.MustCompile(strings.NewReplacer("X", sample, "Y", sample).Replace(r.en))
		for _, m := range re.FindAllStringSubmatch(en, -1) {
			found++
			x, y := regexp.QuoteMeta(m[1]), regexp.QuoteMeta(m[2])
			ok := false
			for _, form := range r.zh {
				if regexp.MustCompile(strings.NewReplacer("X", x, "Y", y).Replace(form)).MatchString(zh) {
					ok = true
				}
			}
			if !ok {
				return found, fmt.Errorf("the English says %q, the Chinese none of %q of those arguments", m[0], r.zh)
			}
		}
	}
	return found, nil
}
