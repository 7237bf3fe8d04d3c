package report

import (
	"strings"
	"testing"
	"unicode/utf8"

	"etcdtour/runner/i18n"
)

// TestFitKinsoku: the console breaks Chinese prose by the rules of a
// Chinese reader (i18n.Wrap's): no line ends with opening punctuation or
// starts with closing punctuation, a label keeps its number, a line
// ends after a clause's "，" when that gives up at most 10 columns, and
// the last line is not a lone character or two.
func TestFitKinsoku(t *testing.T) {
	pad := strings.Repeat("字", 35) // 70 columns, after a 5-column indent
	for _, c := range []struct{ text, want string }{
		{pad + "一二（三四五", "     " + pad + "一二\n     （三四五\n"},
		{pad + "一二三，四五", "     " + pad + "一二\n     三，四五\n"},
		{pad + "修订号 1 了", "     " + pad + "\n     修订号 1 了\n"},
		{pad[:3*30] + "一二，三四五六七八九十", "     " + pad[:3*30] + "一二，\n     三四五六七八九十\n"},
		// "修订号 + 1" stays whole, like "修订号 1".
		{pad + "修订号 + 1 了", "     " + pad + "\n     修订号 + 1 了\n"},
		// No orphan: "壬来。" alone would end the text; the clause's "，"
		// 14 columns back ends the line instead.
		{pad[:3*28] + "甲，乙丙丁戊己庚辛壬来。", "     " + pad[:3*28] + "甲，\n     乙丙丁戊己庚辛壬来。\n"},
	} {
		got := measure{}.fit("     ", "     ", c.text)
		if got != c.want {
			t.Errorf("fit(%q) =\n%s\nwant\n%s", c.text, got, c.want)
		}
		for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
			line = strings.TrimLeft(line, " ")
			if r, _ := utf8.DecodeRuneInString(line); strings.ContainsRune("，。、；：）》」』”", r) {
				t.Errorf("fit: line %q starts with %q", line, r)
			}
			if r, _ := utf8.DecodeLastRuneInString(line); strings.ContainsRune("（“‘《「『【", r) {
				t.Errorf("fit: line %q ends with %q", line, r)
			}
			if i18n.Width(line)+5 > Columns {
				t.Errorf("fit: line %q is wider than %d", line, Columns)
			}
		}
	}
}
