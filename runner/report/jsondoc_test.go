package report_test

// docs/json.md is the JSON output's contract: its table of fields says
// which field each event kind carries. This test reads the table and feeds
// the JSON reporter an event of every documented kind with every field set:
// each documented field must come out under its documented name on each
// kind it is documented for, and nothing undocumented may come out. A
// renamed struct tag, a dropped kind or a dropped field fails it.

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"etcdtour/runner"
	"etcdtour/runner/report"
)

// documented reads docs/json.md's table of fields: for each event kind, the
// fields documented on it; and the fields of the summary's lessons.
func documented(t *testing.T) (byKind map[string][]string, lessonFields []string) {
	t.Helper()
	b, err := os.ReadFile("../../docs/json.md")
	if err != nil {
		t.Fatal(err)
	}
	kinds := regexp.MustCompile("(?m)^### `([a-z-]+)`$").FindAllStringSubmatch(string(b), -1)
	byKind = map[string][]string{}
	for _, k := range kinds {
		byKind[k[1]] = []string{"event"}
	}
	tick := regexp.MustCompile("`([a-z_-]+)`")
	section := ""
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "## ") {
			section = line
		}
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cols := strings.Split(line, " | ")
		var fields []string
		for _, m := range tick.FindAllStringSubmatch(cols[0], -1) {
			fields = append(fields, m[1])
		}
		if strings.Contains(section, "summary's `lessons`") {
			lessonFields = append(lessonFields, fields...)
			continue
		}
		if section != "## Fields" || fields[0] == "event" {
			continue
		}
		on := cols[len(cols)-1]
		for _, m := range tick.FindAllStringSubmatch(on, -1) {
			if _, ok := byKind[m[1]]; !ok {
				t.Errorf("docs/json.md: field %s is documented on %q, which has no section of its own", fields[0], m[1])
			}
			byKind[m[1]] = append(byKind[m[1]], fields...)
		}
	}
	if len(byKind) < 10 || len(lessonFields) < 4 {
		t.Fatalf("read %d event kinds and %d lesson fields from docs/json.md: the table's format changed?", len(byKind), len(lessonFields))
	}
	return byKind, lessonFields
}

func TestJSONFieldsAsDocumented(t *testing.T) {
	t.Parallel()
	byKind, lessonFields := documented(t)
	yes := true
	full := runner.Event{Lesson: "l", Title: "t", Index: 1, Total: 2, Step: 3, Source: "s", Code: "c", Text: "x",
		Request: "Put", OK: &yes, Got: "g", Want: "w", Status: runner.StatusFailed, Seconds: 1.5, Error: "e",
		Failures: []string{"f"}, Passed: 1, Failed: 1, Interrupted: 1, NotRun: 1, Skipped: 1,
		Lessons: []runner.LessonResult{{ID: "l", Status: runner.StatusFailed, Seconds: 1, Error: "e", Failures: []string{"f"}}},
		Version: "3.4", Endpoints: []string{"127.0.0.1:2379"}, Prefix: "/p/", Line: 7}
	kinds := []runner.Kind{runner.KindCourseStart, runner.KindLessonStart, runner.KindStep, runner.KindSay,
		runner.KindEtcdctl, runner.KindResult, runner.KindCheck, runner.KindCleanup, runner.KindLessonEnd,
		runner.KindNote, runner.KindSummary}
	for _, k := range kinds {
		want, ok := byKind[string(k)]
		if !ok {
			t.Errorf("event kind %q is written but docs/json.md has no section for it", k)
			continue
		}
		// The reporter writes every field it is given; the runner sets only
		// those of the kind. Keep the documented ones, and check that each
		// comes out under its documented name.
		var buf bytes.Buffer
		e := full
		e.Kind = k
		report.NewJSON(&buf).Report(e)
		var got map[string]any
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Errorf("%s: %v: %q", k, err, buf.String())
			continue
		}
		for _, f := range want {
			if _, ok := got[f]; !ok {
				t.Errorf("%s: documented field %q is not in the JSON line %s", k, f, buf.String())
			}
		}
		if k == runner.KindSummary {
			var keys []string
			for key := range got {
				keys = append(keys, key)
			}
			sort.Strings(keys)
			for _, key := range keys {
				if !slices.Contains(want, key) {
					t.Errorf("summary: field %q is written but not documented on it", key)
				}
			}
			for _, l := range got["lessons"].([]any) {
				for key := range l.(map[string]any) {
					if !slices.Contains(lessonFields, key) {
						t.Errorf("summary lessons: field %q is written but not documented", key)
					}
				}
				for _, f := range lessonFields {
					if _, ok := l.(map[string]any)[f]; !ok {
						t.Errorf("summary lessons: documented field %q is missing", f)
					}
				}
			}
		}
	}
	// Every field the reporter can write is documented somewhere.
	var buf bytes.Buffer
	e := full
	e.Kind = runner.KindStep
	report.NewJSON(&buf).Report(e)
	var got map[string]any
	json.Unmarshal(buf.Bytes(), &got)
	all := map[string]bool{}
	for _, fs := range byKind {
		for _, f := range fs {
			all[f] = true
		}
	}
	for key := range got {
		if !all[key] {
			t.Errorf("field %q can be written but docs/json.md does not document it", key)
		}
	}
}
