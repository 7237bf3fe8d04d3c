package cli

import (
	"fmt"
	"strings"

	"etcdtour/lessons"
	"etcdtour/runner"
	"etcdtour/runner/i18n"
)

// readsAtPace reports whether a run pauses for its reader at a full screen:
// on a terminal (stdin and stdout both), not with --no-pause, --json or in
// CI (CI set), which run straight through.
func readsAtPace(o *options) bool {
	return !o.noPause && !o.jsonOut && o.getenv("CI") == "" && isTerminal(o.stdin) && isTerminal(o.stdout)
}

// nextSteps is what the end of a run suggests trying next: a lesson on its
// own, by number, step by step; its code as a program; the exercises,
// once the command exists.
func nextSteps(lang i18n.Lang, chosen []runner.Lesson, exercises bool) string {
	n, id := 2, "put-get"
	if len(chosen) > 0 && len(chosen) < len(lessons.Course) {
		id = chosen[0].ID
		for i, l := range lessons.Course {
			if l.ID == id {
				n = i + 1
			}
		}
	}
	var b strings.Builder
	b.WriteString(lang.Msg("Next: %s runs lesson %d again, a step at a time; %s prints it as a program of its own",
		fmt.Sprintf("etcdtour --step run %d", n), n, "etcdtour show --program "+id))
	if exercises {
		b.WriteString(lang.Msg("; %s lists exercises to try", "etcdtour exercises"))
	}
	b.WriteString(lang.Msg("; %s lists the lessons.", "etcdtour list"))
	return b.String()
}
