package exercise

import (
	"fmt"
	"strings"

	"etcdtour/runner/i18n"
)

// Format is a Result as the console shows it: the exercise, one line per
// check (✓ passed, ✗ failed, · not run), under a ✗ what went wrong and the
// lesson step that teaches it, and what to do next. next is the first
// exercise not passed yet, if more is true.
func Format(lang i18n.Lang, ex Exercise, res Result, next string, more bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", ex.ID, lang.Text(ex.Title))
	if res.Build != "" {
		fmt.Fprintf(&b, "  ✗ %s\n", lang.Msg("your code does not build:"))
		for _, l := range strings.Split(res.Build, "\n") {
			fmt.Fprintf(&b, "      %s\n", l)
		}
		return b.String()
	}
	for _, c := range res.Checks {
		switch c.Status {
		case Passed:
			fmt.Fprintf(&b, "  ✓ %s\n", c.Name)
		case Failed:
			fmt.Fprintf(&b, "  ✗ %s\n", c.Name)
			for _, l := range c.Why {
				fmt.Fprintf(&b, "      %s\n", l)
			}
			if c.Output != "" {
				fmt.Fprintf(&b, "      %s\n", lang.Msg("your code printed:"))
				for _, l := range strings.Split(c.Output, "\n") {
					fmt.Fprintf(&b, "        %s\n", l)
				}
			}
			fmt.Fprintf(&b, "      %s\n", lang.Msg("learn it in: %s · %s", lang.Text(c.Step), ex.Doc))
		default:
			fmt.Fprintf(&b, "  · %s %s\n", c.Name, lang.Msg("(not run)"))
		}
	}
	switch {
	case !res.Passed():
		fmt.Fprintf(&b, "%s\n", lang.Msg("Not yet: fix the first ✗ and check again (a hint: etcdtour hint %s)", ex.ID))
	case more:
		fmt.Fprintf(&b, "%s\n", lang.Msg("%s passed in %.1fs. Next: etcdtour check %s", ex.ID, res.Elapsed.Seconds(), next))
	default:
		fmt.Fprintf(&b, "%s\n", lang.Msg("%s passed in %.1fs: every exercise has passed.", ex.ID, res.Elapsed.Seconds()))
	}
	return b.String()
}
