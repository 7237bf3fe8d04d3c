package i18n

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// durationUnits are Go's duration units in Chinese, as a person writes them
// in prose: "1 秒", "500 毫秒", "2 分钟".
var durationUnits = map[string]string{
	"h": "小时", "m": "分", "s": "秒", "ms": "毫秒", "µs": "微秒", "us": "微秒", "ns": "纳秒",
}

var durationPart = regexp.MustCompile(`([0-9.]+)(h|ms|µs|us|ns|m|s)`)

// zhDuration prints a time.Duration in Chinese with %v and %s: "1 秒",
// "2.425 秒", "500 毫秒", "2 分钟", "1 分 30 秒". Other verbs print it as
// Go does.
type zhDuration time.Duration

func (d zhDuration) Format(f fmt.State, verb rune) {
	if verb != 'v' && verb != 's' {
		fmt.Fprintf(f, fmt.FormatString(f, verb), time.Duration(d))
		return
	}
	parts := []string{"0 秒"}
	if d != 0 {
		parts = parts[:0]
	}
	for _, m := range durationPart.FindAllStringSubmatch(time.Duration(d).String(), -1) {
		if m[1] != "0" { // "2m0s": the zero seconds say nothing
			parts = append(parts, m[1]+" "+durationUnits[m[2]])
		}
	}
	s := strings.Join(parts, " ")
	if len(parts) == 1 && strings.HasSuffix(s, " 分") {
		s += "钟" // "2 分钟", but "1 分 30 秒"
	}
	if time.Duration(d) < 0 {
		s = "-" + strings.TrimPrefix(s, "-")
	}
	fmt.Fprint(f, s)
}

var (
	fmtVerb     = regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0]*\d*(?:\.\d+)?([a-zA-Z%])`)
	hanAfterGap = regexp.MustCompile(`^ [\p{Han}（]`)
)

// zhFormat is a Chinese format whose durations (the args of its %v and %s
// that are a time.Duration) are no longer followed by a space before a
// Chinese character: "%v 后" reads "1 秒后", as "1s 后" needed the gap.
func zhFormat(format string, args []any) string {
	var b strings.Builder
	next, last := 0, 0
	for _, m := range fmtVerb.FindAllStringSubmatchIndex(format, -1) {
		if format[m[4]:m[5]] == "%" {
			continue
		}
		i := next
		if m[2] >= 0 {
			fmt.Sscan(format[m[2]:m[3]], &i)
			i--
		}
		next = i + 1
		if v := format[m[4]:m[5]]; (v == "v" || v == "s") && i >= 0 && i < len(args) {
			if _, ok := args[i].(time.Duration); ok && hanAfterGap.MatchString(format[m[1]:]) {
				b.WriteString(format[last:m[1]])
				last = m[1] + 1 // the space
			}
		}
	}
	b.WriteString(format[last:])
	return b.String()
}

// zhArgs is args with each time.Duration printed the Chinese way.
func zhArgs(args []any) []any {
	var out []any
	for i, a := range args {
		if d, ok := a.(time.Duration); ok {
			if out == nil {
				out = append([]any(nil), args...) // the caller's stay as they are
			}
			out[i] = zhDuration(d)
		}
	}
	if out == nil {
		return args
	}
	return out
}
