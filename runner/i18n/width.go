package i18n

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/width"
)

// Width is the number of columns s, one line, takes on a terminal: two
// for a wide or full-width character (汉字, "，"), none for a combining
// mark, a control character or an escape sequence (colors, "\r\033[K"),
// one for the rest. It is the one measure of width for the console, the
// help and the Go shown or written (WidthTabs, for text with tabs).
func Width(s string) int { return WidthTabs(s, 0) }

// WidthTabs is Width for text with tabs: a tab takes the columns to the
// next multiple of tab (8 on a terminal, in less and in cat), none if tab
// is 0.
func WidthTabs(s string, tab int) int { return widthTabs(s, tab, false) }

// Width is the number of columns s, one line, takes on the terminal of a
// reader of l: Width's count, but for Chinese a character of East Asian
// Ambiguous width (━ │ → … · “ ”) takes two columns, as a terminal set up
// for Chinese, Japanese or Korean (ambiguous width = wide) draws it. The
// console measures the lines it fits with it: they fit 80 columns on
// either kind of terminal.
func (l Lang) Width(s string) int { return widthTabs(s, 0, l.ambiguousWide()) }

// RuneWidth is Lang.Width's rule for one character.
func (l Lang) RuneWidth(r rune) int {
	if l.ambiguousWide() && width.LookupRune(r).Kind() == width.EastAsianAmbiguous && r >= ' ' {
		return 2
	}
	return RuneWidth(r)
}

// ambiguousWide is whether l's readers may have a terminal that draws an
// ambiguous-width character two columns wide: Chinese.
func (l Lang) ambiguousWide() bool {
	base, _ := l.tag.Base()
	zh, _ := language.Chinese.Base()
	return base == zh
}

func widthTabs(s string, tab int, ambiguousWide bool) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] == '\x1b' && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j + 1
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\t' && tab > 0 {
			n += tab - n%tab
		} else if ambiguousWide && r >= ' ' && width.LookupRune(r).Kind() == width.EastAsianAmbiguous {
			n += 2
		} else {
			n += RuneWidth(r)
		}
		i += size
	}
	return n
}

// RuneWidth is the number of columns r takes on a terminal: Width's rule
// for one character.
func RuneWidth(r rune) int {
	switch {
	case r < ' ' || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || r == '\u200b':
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// noLineStart are the characters a line must not start with: closing
// punctuation stays with the text before it.
const noLineStart = "，。、；：！？）》」』”’,.;:!?)]}…"

// noLineEnd are the characters a line must not end with: opening
// punctuation stays with the text after it (kinsoku).
const noLineEnd = "（“‘《「『【〈"

// preferAfter are the characters after which a Chinese line breaks best:
// the end of a clause.
const preferAfter = "，；：、。！？"

// preferWithin is how many columns a line may give up to end after a
// clause (preferAfter) rather than in the middle of one.
const preferWithin = 10

// Wrap breaks each line of s that is wider than w columns: at a space, or
// between two characters where one of them is wide (Chinese has no spaces),
// by the rules of CanBreak and SpaceBreaks, and after a clause's
// punctuation ("，", "。") where one is within 10 columns of the widest
// cut. A word wider than w stays whole.
func Wrap(s string, w int) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		for Width(line) > w {
			cut, skip := breakAt(line, w)
			if cut <= 0 {
				break // one long word: leave it
			}
			out = append(out, strings.TrimRight(line[:cut], " "))
			line = line[cut+skip:]
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// breakAt returns where to break line so that its first part fits w
// columns: the byte offset of the cut and how many bytes (a space) to drop
// there; cut is 0 if there is no such place.
func breakAt(line string, w int) (cut, skip int) {
	var cuts []int
	col := 0 // the width of line[:i]
	for i, r := range line {
		if i > 0 {
			switch {
			case r == ' ' && SpaceBreaks(line, i):
				cuts = append(cuts, i)
			case CanBreak(line, i):
				cuts = append(cuts, i)
			}
		}
		if col += RuneWidth(r); col > w {
			break
		}
	}
	if len(cuts) == 0 {
		return 0, 0
	}
	cut = Prefer(line, 0, cuts[len(cuts)-1], cuts)
	if line[cut] == ' ' {
		skip = 1
	}
	return cut, skip
}

// CanBreak reports whether a line may break at s[i] where there is no
// space: where the character before or at i is wide (Chinese has no
// spaces), the one at i is not closing punctuation, the one before not
// opening punctuation, and not inside the last three characters of a
// label before its number ("修订号 1" and "修订号 + 1" stay whole). It is
// Wrap's rule, for the console's own breaking of lines (runner's fit).
func CanBreak(s string, i int) bool {
	if i <= 0 || i >= len(s) {
		return false
	}
	prev, _ := utf8.DecodeLastRuneInString(s[:i])
	r, _ := utf8.DecodeRuneInString(s[i:])
	if prev == ' ' || r == ' ' || RuneWidth(r) != 2 && RuneWidth(prev) != 2 ||
		strings.ContainsRune(noLineStart, r) || strings.ContainsRune(noLineEnd, prev) {
		return false
	}
	if RuneWidth(prev) != 2 {
		return true
	}
	rest := s[i:]
	for n := 0; n < 3 && rest != ""; n++ {
		c, size := utf8.DecodeRuneInString(rest)
		if c == ' ' {
			return n == 0 || len(rest) < 2 || !unicode.IsDigit(rune(rest[1])) && rest[1] != '+'
		}
		if RuneWidth(c) != 2 {
			return true
		}
		rest = rest[size:]
	}
	return true
}

// SpaceBreaks reports whether a line may break at the space s[i]: not
// between a Chinese word and a number, nor between a number and the
// Chinese word after it ("修订号 1", "1 秒"), nor before a number a Chinese
// word follows ("TTL 1 秒"), nor around the "+" of "修订号 + 1": a label
// stays with its number. It is Wrap's rule, for the console's own breaking
// of lines (runner's fit).
func SpaceBreaks(s string, i int) bool {
	if i <= 0 || i >= len(s)-1 || s[i] != ' ' {
		return false
	}
	prev, _ := utf8.DecodeLastRuneInString(s[:i])
	next, _ := utf8.DecodeRuneInString(s[i+1:])
	if prev == ' ' || next == ' ' {
		return false
	}
	switch {
	case RuneWidth(prev) == 2 && (unicode.IsDigit(next) || next == '+'), prev == '+':
		return false
	case unicode.IsDigit(prev) && RuneWidth(next) == 2:
		return false
	case unicode.IsDigit(next):
		j := i + 1
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
			j++
		}
		if j+1 < len(s) && s[j] == ' ' {
			after, _ := utf8.DecodeRuneInString(s[j+1:])
			return RuneWidth(after) != 2
		}
	}
	return true
}

// Prefer returns the cut to break s at, given best, the widest of the
// ascending cuts that fits, and start, where the line begins: a cut right
// after a clause's punctuation ("，", "；", "。") that gives up at most 10
// columns, else best.
func Prefer(s string, start, best int, cuts []int) int {
	for i := len(cuts) - 1; i >= 0; i-- {
		c := cuts[i]
		if c > best {
			continue
		}
		if c <= start || Width(s[c:best]) > preferWithin {
			break
		}
		if r, _ := utf8.DecodeLastRuneInString(s[:c]); strings.ContainsRune(preferAfter, r) {
			return c
		}
	}
	return best
}
