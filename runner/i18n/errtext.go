package i18n

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// minLiteral is how many letters of its own a format must have for Error
// to take a message for one it produced: "%s: %v" would match anything.
const minLiteral = 6

// verb matches a verb of a format string, with its argument index and
// flags: %d, %[2]q, %-8s, %%.
var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// Error says again, in l, an error message built in English from texts of
// the catalog (errors.New(text), fmt.Errorf(format, ...)): a lesson's own
// error reaches a Chinese learner in Chinese exactly when something broke.
// Each line of msg that a format of the catalog, with at least six
// letters of its own, produces whole is written with that format's
// translation and the values it held; what a %w, %v or %s held is
// translated the same way. A line no format produces (the client's,
// etcd's) stays as it is.
func (l Lang) Error(msg string) string {
	if l.IsEnglish() || l.cat == nil {
		return msg
	}
	lines := strings.Split(msg, "\n")
	for i, line := range lines {
		lines[i] = l.errorLine(line, 0)
	}
	return strings.Join(lines, "\n")
}

// errorLine translates one line of an error message: Error's rule, at most
// depth 3 deep in the values of a %w.
func (l Lang) errorLine(line string, depth int) string {
	if depth > 3 || line == "" {
		return line
	}
	best, bestLen := "", 0
	var bestVals []string
	for key := range l.cat.texts {
		n := literalLetters(key)
		if n < minLiteral || n <= bestLen {
			continue
		}
		if vals, ok := produces(key, line); ok {
			best, bestLen, bestVals = key, n, vals
		}
	}
	if best == "" {
		return line
	}
	verbs := verb.FindAllString(best, -1)
	args := make([]any, 0, len(bestVals))
	k := 0
	for _, v := range verbs {
		if v == "%%" {
			continue
		}
		val := bestVals[k]
		k++
		switch v[len(v)-1] {
		case 'w', 'v', 's':
			val = l.errorLine(val, depth+1)
		}
		args = append(args, val)
	}
	// The translation's verbs, each as %s of the value's text.
	tr := verb.ReplaceAllStringFunc(l.cat.texts[best], func(v string) string {
		if v == "%%" {
			return v
		}
		return "%" + verb.FindStringSubmatch(v)[1] + "s"
	})
	return fmt.Sprintf(tr, args...)
}

// produces reports whether format, given some values, prints line, and
// what each of its verbs printed.
func produces(format, line string) ([]string, bool) {
	var re strings.Builder
	re.WriteString(`^`)
	last := 0
	for _, m := range verb.FindAllStringIndex(format, -1) {
		re.WriteString(regexp.QuoteMeta(format[last:m[0]]))
		v := format[m[0]:m[1]]
		switch v[len(v)-1] {
		case '%':
			re.WriteString(`%`)
		case 'd':
			re.WriteString(`(-?\d+)`)
		case 'x':
			re.WriteString(`([0-9a-f]+)`)
		case 'q':
			re.WriteString(`("(?:[^"\\]|\\.)*")`)
		default:
			re.WriteString(`(.*?)`)
		}
		last = m[1]
	}
	re.WriteString(regexp.QuoteMeta(format[last:]) + `$`)
	m := regexp.MustCompile(re.String()).FindStringSubmatch(line)
	if m == nil {
		return nil, false
	}
	return m[1:], true
}

// literalLetters counts the letters of format outside its verbs.
func literalLetters(format string) int {
	n := 0
	for _, r := range verb.ReplaceAllString(format, "") {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}
