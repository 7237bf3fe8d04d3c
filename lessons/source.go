package lessons

import (
	"embed"
	"path"

	"etcdtour/runner"
)

// sources holds the lessons' Go files, built into the binary so that
// "etcdtour show ID" prints exactly the code that ran.
//
//go:embed course.go install.go putget.go watch.go lease.go keepalive.go lock.go
var sources embed.FS

// Source returns the Go source of lesson l as built into the binary.
func Source(l runner.Lesson) ([]byte, error) {
	return sources.ReadFile(path.Base(l.Source))
}
