package report

import (
	"strings"
	"testing"

	"etcdtour/runner"
)

// TestFoldMarkShown: a folded call's line says what was folded, on the
// line where it fits, else on a line of its own under it, with a gloss or
// without.
func TestFoldMarkShown(t *testing.T) {
	short := `get, err := cli.Get(ctx1, "name")`
	long := `del, err := cli.Delete(ctx1, "name", clientv3.WithPrevKV())` // no marker fits beside it
	for _, c := range []struct {
		text  string
		gloss []string
	}{{short, nil}, {long, nil}, {short, []string{"nextEvents: reads n events"}}, {long, []string{"nextEvents: reads n events"}}} {
		var b strings.Builder
		con := NewConsole(&b, false)
		con.codeLine(runner.CodeLine{Text: c.text, From: 1, To: 1, Fold: runner.FoldTimeout | runner.FoldErr, Gloss: c.gloss})
		out := b.String()
		if !strings.Contains(out, "// with a timeout; error returned") && !strings.Contains(out, "// timeout; err") {
			t.Errorf("%q: no fold marker:\n%s", c.text, out)
		}
		if c.gloss != nil && !strings.Contains(out, "nextEvents: reads n events") {
			t.Errorf("%q: no gloss:\n%s", c.text, out)
		}
		for _, l := range strings.Split(out, "\n") {
			if len([]rune(l)) > Columns {
				t.Errorf("%q: a line wider than %d: %q", c.text, Columns, l)
			}
		}
	}
}
