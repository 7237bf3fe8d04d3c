package lessons

import (
	"embed"
	"io/fs"
	"path"
	"strings"

	"etcdtour/runner"
)

// sources holds the lessons' Go files, built into the binary so that
// "etcdtour show ID" prints exactly the code that ran.
//
//go:embed course.go install.go putget.go watch.go watch_interactive.go lease.go keepalive.go lock.go
var sources embed.FS

// Source returns the Go source of lesson l as built into the binary: its
// file, followed by the files that continue it (watch.go, then
// watch_interactive.go).
func Source(l runner.Lesson) ([]byte, error) {
	base := path.Base(l.Source)
	src, err := sources.ReadFile(base)
	if err != nil {
		return nil, err
	}
	more, _ := fs.Glob(sources, strings.TrimSuffix(base, ".go")+"_*.go")
	for _, f := range more {
		b, err := sources.ReadFile(f)
		if err != nil {
			return nil, err
		}
		src = append(append(src, "\n// "+f+"\n\n"...), b...)
	}
	return src, nil
}
