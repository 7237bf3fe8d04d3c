package runner_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"etcdtour/runner"
	"etcdtour/runner/i18n"
)

func noop(context.Context, *runner.T) error { return nil }

func TestValidate(t *testing.T) {
	t.Parallel()
	ok := runner.Lesson{ID: "put-get", Title: "Put", Doc: "doc", Run: noop}
	if err := runner.Validate([]runner.Lesson{ok}); err != nil {
		t.Fatalf("valid course rejected: %v", err)
	}
	for _, tc := range []struct {
		name   string
		course []runner.Lesson
		want   string
	}{
		{"empty course", nil, "no lessons"},
		{"empty id", []runner.Lesson{{Title: "t", Doc: "d", Run: noop}}, "empty ID"},
		{"upper case", []runner.Lesson{{ID: "Put", Title: "t", Doc: "d", Run: noop}}, "lower-case"},
		{"underscore", []runner.Lesson{{ID: "put_get", Title: "t", Doc: "d", Run: noop}}, "lower-case"},
		{"trailing dash", []runner.Lesson{{ID: "put-", Title: "t", Doc: "d", Run: noop}}, "lower-case"},
		{"double dash", []runner.Lesson{{ID: "put--get", Title: "t", Doc: "d", Run: noop}}, "lower-case"},
		{"duplicate", []runner.Lesson{ok, ok}, "duplicate ID"},
		{"empty doc", []runner.Lesson{{ID: "a", Title: "t", Run: noop}}, "empty doc"},
		{"empty title", []runner.Lesson{{ID: "a", Doc: "d", Run: noop}}, "empty title"},
		{"nil run", []runner.Lesson{{ID: "a", Title: "t", Doc: "d"}}, "nil Run"},
		{"two members", []runner.Lesson{{ID: "a", Title: "t", Doc: "d", Run: noop, Needs: runner.Needs{Members: 2}}}, "1 or 3 members"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := runner.Validate(tc.course)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestSelect(t *testing.T) {
	t.Parallel()
	var course []runner.Lesson
	for _, id := range []string{"install", "put-get", "watch", "lease", "keepalive", "lock"} {
		course = append(course, runner.Lesson{ID: id, Title: id, Doc: id, Run: noop})
	}
	ids := func(ls []runner.Lesson) string {
		var s []string
		for _, l := range ls {
			s = append(s, l.ID)
		}
		return strings.Join(s, " ")
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "install put-get watch lease keepalive lock"},
		{[]string{"lock"}, "lock"},
		{[]string{"lease", "watch"}, "watch lease"}, // course order, not argument order
		{[]string{"3"}, "watch"},
		{[]string{"2-4"}, "put-get watch lease"},
		{[]string{"lock", "6", "5-6"}, "keepalive lock"}, // each once
		{[]string{"Lock", "PUT-GET"}, "put-get lock"},    // any case
	} {
		got, err := runner.Select(i18n.English, course, tc.args)
		if err != nil || ids(got) != tc.want {
			t.Errorf("Select(%q) = %q, %v; want %q", tc.args, ids(got), err, tc.want)
		}
	}
	for _, bad := range []string{"nope", "0", "7", "4-2", "1-9", "-1", "x-y"} {
		if _, err := runner.Select(i18n.English, course, []string{bad}); err == nil {
			t.Errorf("Select(%q) succeeded, want an error", bad)
		}
	}
	// A word gets the ID it most likely misspells; a number, none.
	for arg, want := range map[string]string{"put-gte": "put-get",
		"putget": "put-get", "put_get": "put-get", "leas": "lease",
		"nope": "", "x-y": ""} {
		_, err := runner.Select(i18n.English, course, []string{arg})
		var ue *runner.UnknownLessonError
		if !errors.As(err, &ue) || ue.Suggestion != want {
			t.Errorf("Select(%q): %v, want an UnknownLessonError suggesting %q", arg, err, want)
		}
		if want != "" && !strings.Contains(err.Error(), `did you mean "`+want+`"?`) {
			t.Errorf("Select(%q): %q does not ask: did you mean %q?", arg, err, want)
		}
	}
	for _, n := range []string{"0", "7", "4-2", "1-9"} {
		_, err := runner.Select(i18n.English, course, []string{n})
		var ue *runner.UnknownLessonError
		if errors.As(err, &ue) {
			t.Errorf("Select(%q): %v is an UnknownLessonError, want a range error", n, err)
		}
	}
}
