package report

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"etcdtour/runner/i18n"
)

// Columns is the width the console fits its lines to: a presenter's
// terminal, or a learner's split screen. A line is longer only where one
// word of it is (a long key or endpoint), which then has a line of its own.
const Columns = 80

// measure counts columns as a console in lang does (Lang.Width): a line
// of Chinese output fits Columns also where ━, │, → and “ take two.
type measure struct{ lang i18n.Lang }

func (m measure) width(s string) int { return m.lang.Width(s) }

// split breaks s at some of the byte offsets in cuts (ascending) so that
// each piece fits max columns with the columns before it (firstW on the
// first line, contW on the others) and tailW after it (all but the last).
// Of the cuts that make a piece fit it takes the last: the longest piece.
// Where no cut makes a piece fit, the piece runs to the first cut, or to
// the end of s.
func (m measure) split(s string, cuts []int, firstW, contW, tailW, max int) []string {
	var out []string
	start, w := 0, firstW
	for w+m.width(s[start:]) > max {
		best := -1
		for _, c := range cuts {
			if c <= start || c >= len(s) {
				continue
			}
			fits := w+m.width(s[start:c])+tailW <= max
			if !fits && best >= 0 {
				break
			}
			best = c
			if !fits {
				break
			}
		}
		if best < 0 {
			break
		}
		if w+m.width(s[start:best])+tailW <= max {
			best = m.noOrphan(s, start, i18n.Prefer(s, start, best, cuts), cuts, contW, max)
		}
		out = append(out, s[start:best])
		start, w = best, contW
	}
	return append(out, s[start:])
}

// orphanWidth is the widest a Chinese text's last line may be before
// noOrphan looks for a better break: "来。" alone on a line reads badly.
const orphanWidth = 6

// noOrphan returns the cut to break s at instead of best where the rest
// after best is Chinese and would make a last line of orphanWidth columns
// or less: the last cut within 24 columns before best that ends a clause
// ("，", "；") or is a space, so that the last line is a phrase; else best.
func (m measure) noOrphan(s string, start, best int, cuts []int, contW, max int) int {
	rest := strings.TrimSpace(s[best:])
	if contW+m.width(rest) > max || m.width(rest) > orphanWidth || !strings.ContainsFunc(rest, func(r rune) bool { return i18n.RuneWidth(r) == 2 }) {
		return best
	}
	for i := len(cuts) - 1; i >= 0; i-- {
		c := cuts[i]
		if c >= best {
			continue
		}
		if c <= start || m.width(s[c:best]) > 24 {
			break
		}
		prev, _ := utf8.DecodeLastRuneInString(s[:c])
		if s[c] == ' ' || strings.ContainsRune("，；：、。！？", prev) {
			return c
		}
	}
	return best
}

// spaces returns the offsets of the single spaces in s, the places where
// words can be broken onto lines of their own (but not a label from its
// number: i18n.SpaceBreaks).
func spaces(s string) []int {
	var cuts []int
	for i := 1; i < len(s)-1; i++ {
		if s[i] == ' ' && i18n.SpaceBreaks(s, i) {
			cuts = append(cuts, i)
		}
	}
	return cuts
}

// wordSplit breaks a line of prose at spaces outside double quotes, so
// that a quoted key or value stays on one line, or at any space where that
// leaves a piece too long.
func (m measure) wordSplit(line string, firstW, contW int) []string {
	wide := wideCuts(line)
	pieces := m.split(line, merge(outsideCommands(line, quoteSpaces(line)), wide), firstW, contW, 0, Columns)
	for i, p := range pieces {
		w := contW
		if i == 0 {
			w = firstW
		}
		if w+m.width(p) > Columns {
			return m.split(line, merge(spaces(line), wide), firstW, contW, 0, Columns)
		}
	}
	return pieces
}

// wideCuts returns the offsets in s between two characters where a line
// may break without a space: Chinese text (i18n.CanBreak).
func wideCuts(s string) []int {
	var cuts []int
	for i := range s {
		if i18n.CanBreak(s, i) {
			cuts = append(cuts, i)
		}
	}
	return cuts
}

// merge returns the cuts of a and b in order.
func merge(a, b []int) []int {
	m := append(slices.Clone(a), b...)
	slices.Sort(m)
	return slices.Compact(m)
}

// command is an etcdctl command in prose, such as "delete them with:
// ETCDCTL_ENDPOINTS=… etcdctl del --prefix /p/": one to copy, so not to be
// broken where it fits a line.
var command = regexp.MustCompile(`(?:ETCDCTL_[A-Z_]+=\S+ )*etcdctl(?: [^\s),&]+)+`)

// outsideCommands returns the cuts that are not inside a command, nor
// before the && that joins two ("etcdctl del K && etcdctl del --prefix P"
// may break after it: the shell reads on).
func outsideCommands(s string, cuts []int) []int {
	spans := command.FindAllStringIndex(s, -1)
	var out []int
	for _, c := range cuts {
		inside := strings.HasPrefix(s[c:], " &&")
		for _, sp := range spans {
			inside = inside || c > sp[0] && c < sp[1]
		}
		if !inside {
			out = append(out, c)
		}
	}
	return out
}

// quoteSpaces returns the offsets of the single spaces in s that are
// outside double quotes.
func quoteSpaces(s string) []int {
	var cuts []int
	in := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case s[i] == '"':
			in = !in
		case !in && s[i] == ' ' && i18n.SpaceBreaks(s, i):
			cuts = append(cuts, i)
		}
	}
	return cuts
}

// fit writes text after first, each line of it broken at spaces so that it
// fits Columns; lines after the first begin with cont. It ends in "\n".
func (m measure) fit(first, cont, text string) string {
	var b strings.Builder
	pre := first
	for _, line := range strings.Split(text, "\n") {
		for i, piece := range m.wordSplit(line, m.width(pre), m.width(cont)) {
			if i > 0 && strings.HasPrefix(piece, " ") {
				piece = piece[1:] // the space it was broken at
			}
			b.WriteString(pre + piece + "\n")
			pre = cont
		}
	}
	return b.String()
}

// fitShell writes an etcdctl line (with a here-document's lines after it,
// if any) after first so that it still pastes into a shell: a line too long
// is broken at a space between words with " \" at the end, and its
// continuation begins with cont (at column 0 in a here-document, whose
// lines must come out as they were). A here-document with a broken line
// becomes <<EOF instead of <<'EOF', so that the shell joins the pieces, and
// its $, ` and \ are escaped as that needs.
func (m measure) fitShell(first, cont, text string) string {
	lines := strings.Split(text, "\n")
	var b strings.Builder
	b.WriteString(m.joinPieces(first, cont, lines[0]))
	body := lines[1:]
	if len(body) == 0 {
		return b.String()
	}
	quoted := strings.HasSuffix(lines[0], "<<'EOF'")
	wide := false
	for _, l := range body {
		wide = wide || m.width(l) > Columns
	}
	if quoted && wide {
		b.Reset()
		b.WriteString(m.joinPieces(first, cont, strings.TrimSuffix(lines[0], "<<'EOF'")+"<<EOF"))
		for i, l := range body {
			if i < len(body)-1 { // not the closing EOF
				body[i] = escapeHeredoc(l)
			}
		}
	}
	// The input is indented with the step where it fits: etcdctl txn
	// trims each line. The closing EOF stays alone at column 0.
	indent := quoted
	for _, l := range body {
		indent = indent && m.width(cont+l) <= Columns
	}
	for i, l := range body {
		if !quoted || !wide {
			if l != "" && i < len(body)-1 && indent {
				l = cont + l
			}
			b.WriteString(l + "\n")
			continue
		}
		b.WriteString(m.joinPieces("", "", l))
	}
	return b.String()
}

// joinPieces writes one shell line broken as fitShell says.
func (m measure) joinPieces(first, cont, line string) string {
	pieces := m.split(line, shellSpaces(line), m.width(first), m.width(cont), 2, Columns)
	var b strings.Builder
	for i, p := range pieces {
		pre := cont
		if i == 0 {
			pre = first
		} else {
			p = p[1:] // the space it was broken at, now the line break
		}
		b.WriteString(pre + p)
		if i < len(pieces)-1 {
			b.WriteString(" \\")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// shellSpaces returns the offsets of the single spaces in s that are
// outside quotes: where a shell line can be broken with " \".
func shellSpaces(s string) []int {
	var cuts []int
	var quote byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			}
		case c == '\\':
			i++
		case quote == '"':
			if c == '"' {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == ' ' && i > 0 && i < len(s)-1 && s[i-1] != ' ' && s[i+1] != ' ':
			cuts = append(cuts, i)
		}
	}
	return cuts
}

// escapeHeredoc escapes a line for an unquoted here-document, in which the
// shell removes a backslash before $, `, \ and a newline: the document then
// holds the line as it was.
func escapeHeredoc(l string) string {
	var b strings.Builder
	for i := 0; i < len(l); i++ {
		switch c := l[i]; {
		case c == '$' || c == '`':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\\' && (i == len(l)-1 || strings.IndexByte("$`\\", l[i+1]) >= 0):
			b.WriteString(`\\`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
