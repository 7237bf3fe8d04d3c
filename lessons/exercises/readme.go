package exercises

import (
	"fmt"
	"strings"

	"etcdtour/runner/exercise"
	"etcdtour/runner/i18n"
	"etcdtour/runner/workspace"
)

// Readmes are the workspace's README.md and README.zh-CN.md: their text
// is in _code/, the list of exercises is made here.
func Readmes() []workspace.File {
	zh := i18n.Chinese.With(Chinese())
	var out []workspace.File
	for _, r := range []struct {
		name string
		lang i18n.Lang
	}{{"README.md", i18n.English}, {"README.zh-CN.md", zh}} {
		b, err := code.ReadFile("_code/" + r.name)
		if err != nil {
			panic(err) // a constant path: TestList reads both
		}
		out = append(out, workspace.File{Path: r.name, Data: []byte(strings.Replace(string(b), "{{LIST}}", list(r.lang), 1))})
	}
	return out
}

// list is the exercises as a Markdown list.
func list(lang i18n.Lang) string {
	var b strings.Builder
	for i, e := range List {
		fmt.Fprintf(&b, "%d. %s/: %s (%s)\n", i+1, e.ID, lang.Text(e.Title), lang.Msg("lesson %s, %s", e.Lesson, exercise.DocPage(lang, e.Doc)))
	}
	return b.String()
}
