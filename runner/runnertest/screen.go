package runnertest

import (
	"regexp"
	"strings"
)

// sgr is a color escape.
var sgrEscape = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// Screen is what a terminal shows after it has been written s: "\r"
// returns to column 0, "\x1b[K" erases to the end of the line, "\n" starts
// the next line; color escapes are dropped. It is enough to see what a
// live line leaves behind.
func Screen(s string) []string {
	s = sgrEscape.ReplaceAllString(s, "")
	lines := []string{""}
	col := 0
	for len(s) > 0 {
		cur := &lines[len(lines)-1]
		switch {
		case strings.HasPrefix(s, "\x1b[K"):
			*cur = string([]rune(*cur)[:col])
			s = s[3:]
			continue
		case s[0] == '\r':
			col = 0
		case s[0] == '\n':
			lines = append(lines, "")
			col = 0
		default:
			r := []rune(s)[0]
			line := []rune(*cur)
			if col < len(line) {
				line[col] = r
			} else {
				line = append(line, r)
			}
			*cur = string(line)
			col++
			s = s[len(string(r)):]
			continue
		}
		s = s[1:]
	}
	return lines
}
