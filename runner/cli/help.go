package cli

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"etcdtour/runner/i18n"
)

// overviewText is the text of etcdtour --help around its two tables, the
// commands (from commands) and examples: all of its words in one place, for
// translators. The whole fits one 24-row, 80-column screen
// (TestCommandHelp); each command's flags are in its own help.
var overviewText = struct {
	intro, usage, commands, help, examples, more string
}{
	intro: `etcdtour teaches the etcd v3 Go client by running lessons against a real etcd
and narrating each call, its etcdctl equivalent and its result.`,
	usage:    "Usage: etcdtour [command] [flags] [arguments]   (flags go anywhere)",
	commands: "Commands:",
	help:     "this, or a command's usage and flags",
	examples: "Examples:",
	more:     `"etcdtour COMMAND --help": its flags (run's also from ETCDCTL_*); --lang en|zh.`,
}

// examples are the overview's examples: a command line and what it does.
var examples = []struct{ cmd, what string }{
	{"etcdtour", "the whole course, on an embedded etcd"},
	{"etcdtour --endpoints HOST:2379", "the course on your own etcd"},
}

// overview is etcdtour --help and etcdtour help.
func overview(w io.Writer, lang i18n.Lang) {
	t := overviewText
	fmt.Fprintf(w, "%s\n\n%s\n\n%s\n", lang.Text(t.intro), lang.Text(t.usage), lang.Text(t.commands))
	for _, c := range commands {
		fmt.Fprintf(w, "  %-19s %s\n", strings.TrimSpace(c.name+" "+c.args), lang.Text(c.short))
	}
	fmt.Fprintf(w, "  %-19s %s\n\n%s\n", "help [command]", lang.Text(t.help), lang.Text(t.examples))
	for _, e := range examples {
		fmt.Fprintf(w, "  %-30s  %s\n", e.cmd, lang.Text(e.what))
	}
	fmt.Fprintf(w, "\n%s\n", lang.Text(t.more))
}

// help is c's own help: its usage line, what it does, and its flags only.
func (c *command) help(w io.Writer, lang i18n.Lang) {
	fs := newFlagSetOf(c)
	var conn, other []*flag.Flag
	for _, name := range etcdctlFlags {
		if f := fs.Lookup(name); f != nil {
			conn = append(conn, f)
		}
	}
	fs.VisitAll(func(f *flag.Flag) {
		if !slices.Contains(etcdctlFlags, f.Name) {
			other = append(other, f)
		}
	})
	line := "etcdtour " + c.name
	if len(conn)+len(other) > 0 {
		line += lang.Msg(" [flags]")
	}
	if c.args != "" {
		line += " " + c.args
	}
	fmt.Fprintf(w, "%s\n\n%s", lang.Msg("Usage: %s", line), lang.Text(c.long))
	if len(conn)+len(other) == 0 {
		fmt.Fprintf(w, "\n%s\n", lang.Msg("%s takes no flags.", c.name))
		return
	}
	width := 0
	for _, f := range append(conn, other...) {
		width = max(width, len(flagName(f)))
	}
	if len(conn) > 0 {
		fmt.Fprint(w, "\n"+lang.Text("Connection flags, each also read from ETCDCTL_<NAME> as etcdctl does (setting\nboth a flag and its variable is an error). Unlike etcdctl's 2s, --dial-timeout\ndefaults to 5s: it also bounds the checks made before the first lesson.\n"))
		for _, f := range conn {
			writeFlag(w, f, width, lang)
		}
		fmt.Fprint(w, "\n"+lang.Text("Other flags:\n"))
	} else {
		fmt.Fprint(w, "\n"+lang.Text("Flags:\n"))
	}
	for _, f := range other {
		writeFlag(w, f, width, lang)
	}
}

// flagName is --name and, unless the flag is a bool, its value's name.
func flagName(f *flag.Flag) string {
	arg, _ := flag.UnquoteUsage(f)
	return strings.TrimSpace("--" + f.Name + " " + arg)
}

// writeFlag writes f's line of help, its usage in lang wrapped within 80
// columns. (Its value's name, the usage's `quoted` word, stays English: it
// is the same in the translation.)
func writeFlag(w io.Writer, f *flag.Flag, width int, lang i18n.Lang) {
	tf := *f
	tf.Usage = lang.Text(f.Usage)
	_, text := flag.UnquoteUsage(&tf)
	if f.DefValue != "" && f.DefValue != "false" {
		text += lang.Msg(" (default %s)", f.DefValue)
	}
	indent := 2 + width + 2
	head := fmt.Sprintf("  %-*s  ", width, flagName(f))
	for i, line := range strings.Split(i18n.Wrap(text, 79-indent), "\n") {
		if i > 0 {
			head = strings.Repeat(" ", indent)
		}
		fmt.Fprintln(w, head+line)
	}
}

// helpCmd is etcdtour help [command].
func (o *options) helpCmd(s *flagSets, args []string) int {
	if f := s.foreign("help"); f != "" {
		return o.usageErr("%s", notAFlag(o.lang, "help", f, false))
	}
	var b strings.Builder
	switch {
	case len(args) == 0 || args[0] == "help" && len(args) == 1:
		overview(&b, o.lang)
	case len(args) > 1:
		return o.usageErr("help takes one command, got %q (see etcdtour --help)", args)
	case findCommand(args[0]) == nil:
		return o.unknownCommand(args[0])
	default:
		findCommand(args[0]).help(&b, o.lang)
	}
	return o.write(b.String())
}
