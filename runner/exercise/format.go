package exercise

import (
	"fmt"
	"strings"

	"etcdtour/runner/i18n"
)

// DocPage is doc, a lesson's page ("docs/put-get.md"), as lang's reader
// reads it: the Chinese page (docs/zh-CN/put-get.md) in Chinese.
func DocPage(lang i18n.Lang, doc string) string {
	return lang.Msg("docs/%s", strings.TrimPrefix(doc, "docs/"))
}

// Format is a Result as the console shows it: the exercise, one line per
// check (✓ passed, ✗ failed, · not run), under a ✗ what went wrong and the
// lesson step that teaches it, and what to do next. next is the first
// exercise not passed yet, if more is true. A line wider than width
// columns is broken, its continuation indented; width 0 breaks none (a
// pipe, a log).
func Format(lang i18n.Lang, ex Exercise, res Result, next string, more bool, width int) string {
	var b strings.Builder
	b.WriteString(FormatChecks(lang, ex, res, width))
	switch {
	case res.Skipped != "":
	case !res.Passed():
		fmt.Fprintf(&b, "%s\n", lang.Msg("Not yet: fix the first ✗ and check again (a hint: etcdtour hint %s)", ex.ID))
	case more:
		fmt.Fprintf(&b, "%s\n", lang.Msg("%s passed in %.1fs. Next: etcdtour check %s", ex.ID, res.Elapsed.Seconds(), next))
	default:
		fmt.Fprintf(&b, "%s\n", lang.Msg("%s passed in %.1fs: every exercise has passed.", ex.ID, res.Elapsed.Seconds()))
	}
	return b.String()
}

// FormatChecks is Format without its last line, what to do next: for a
// caller that says that itself (etcdtour watch).
func FormatChecks(lang i18n.Lang, ex Exercise, res Result, width int) string {
	var b strings.Builder
	// why writes an explanation's line under a check's, indented.
	why := func(indent, l string) {
		if width > 0 {
			l = strings.ReplaceAll(i18n.Wrap(l, width-len(indent)-1), "\n", "\n"+indent)
		}
		fmt.Fprintf(&b, "%s%s\n", indent, l)
	}
	// check writes a check's line: its mark, its name, broken to fit.
	check := func(mark, l string) {
		if width > 0 {
			l = strings.ReplaceAll(i18n.Wrap(l, width-5), "\n", "\n    ")
		}
		fmt.Fprintf(&b, "  %s %s\n", mark, l)
	}
	if res.Skipped != "" {
		fmt.Fprintf(&b, "- %s: %s\n", ex.ID, res.Skipped)
		return b.String()
	}
	title := fmt.Sprintf("%s: %s", ex.ID, lang.Text(ex.Title))
	if width > 0 { // broken between words, not where the terminal's edge falls
		title = strings.ReplaceAll(i18n.Wrap(title, width-3), "\n", "\n  ")
	}
	fmt.Fprintf(&b, "%s\n", title)
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
			check("✓", c.Name)
		case Failed:
			check("✗", c.Name)
			for _, l := range c.Why {
				why("      ", l)
			}
			if c.Output != "" {
				fmt.Fprintf(&b, "      %s\n", lang.Msg("your code printed:"))
				for _, l := range strings.Split(c.Output, "\n") {
					fmt.Fprintf(&b, "        %s\n", l)
				}
			}
			why("      ", lang.Msg("learn it in: %s · %s", lang.Text(c.Step), DocPage(lang, ex.Doc)))
		default:
			check("·", lang.Msg("%s (not run)", c.Name))
		}
	}
	return b.String()
}
