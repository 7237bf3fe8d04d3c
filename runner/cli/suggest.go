package cli

import (
	"errors"
	"flag"

	"etcdtour/lessons"
	"etcdtour/runner"
	"etcdtour/runner/suggest"
)

// lessonErr is the usage error for lesson arguments Select refused: an
// argument close to a lesson ID gets that ID ("did you mean"), one that is
// no ID at all the list of them, a number out of range only the range.
func (o *options) lessonErr(err error, numbers bool) int {
	var ue *runner.UnknownLessonError
	if !errors.As(err, &ue) || ue.Suggestion != "" {
		return o.usageErr("%v", err)
	}
	if numbers {
		return o.usageErr("%v: valid lessons are %s, or their numbers 1-%d", err, lessonIDs(o.lang), len(lessons.Course))
	}
	return o.usageErr("%v: valid lessons are %s", err, lessonIDs(o.lang))
}

// unknownCommand is the usage error for a command etcdtour does not have:
// a lesson's ID is run ("etcdtour lock": did you mean "etcdtour run
// lock"?), a near miss gets the command it misspells.
func (o *options) unknownCommand(name string) int {
	var ids, names []string
	for _, l := range lessons.Course {
		ids = append(ids, l.ID)
	}
	for _, c := range commands {
		names = append(names, c.name)
	}
	if c, ok := suggest.Closest(name, names); ok {
		return o.usageErr("unknown command %q: did you mean %q? (see etcdtour --help)", name, c)
	}
	if _, err := runner.Select(o.lang, lessons.Course, []string{name}); err == nil {
		return o.usageErr("unknown command %q: did you mean %q? (see etcdtour --help)", name, "etcdtour run "+name)
	}
	if id, ok := suggest.Closest(name, ids); ok {
		return o.usageErr("unknown command %q: did you mean %q? (see etcdtour --help)", name, "etcdtour run "+id)
	}
	return o.usageErr("unknown command %q: want one of %s (see etcdtour --help)", name, commandNames(o.lang))
}

// closestFlag is the flag of fs that name most likely misspells, as
// --name, or "".
func closestFlag(fs *flag.FlagSet, name string) string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) {
		if len(f.Name) > 1 { // not -h
			names = append(names, f.Name)
		}
	})
	if s, ok := suggest.Closest(name, names); ok {
		return "--" + s
	}
	return ""
}
