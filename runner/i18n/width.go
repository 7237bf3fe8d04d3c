package i18n

import (
	"strings"
	"unicode"
	"unicode/utf8"

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
func WidthTabs(s string, tab int) int {
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

// Wrap breaks each line of s that is wider than w columns: at a space, or
// between two characters where one of them is wide (Chinese has no spaces),
// but never before closing punctuation. A word wider than w stays whole.
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
	col := 0 // the width of line[:i]
	var prev rune
	for i, r := range line {
		if i > 0 {
			switch {
			case r == ' ':
				cut, skip = i, 1
			case prev == ' ': // the space before was the place
			case (RuneWidth(r) == 2 || RuneWidth(prev) == 2) && !strings.ContainsRune(noLineStart, r):
				cut, skip = i, 0
			}
		}
		if col += RuneWidth(r); col > w {
			return cut, skip
		}
		prev = r
	}
	return cut, skip
}

// CanBreak reports whether a line may break between prev and r where there
// is no space: where one of them is wide (Chinese has no spaces) and r is
// not closing punctuation. It is Wrap's rule, for the console's own
// breaking of lines (runner's fit).
func CanBreak(prev, r rune) bool {
	return prev != ' ' && r != ' ' && (RuneWidth(r) == 2 || RuneWidth(prev) == 2) && !strings.ContainsRune(noLineStart, r)
}
