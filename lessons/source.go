package lessons

import (
	"embed"

	"etcdtour/runner"
)

// sources holds the package's Go files, built into the binary, so that a
// step shows the code that ran and "etcdtour show" prints it. (The pattern
// takes the tests too; Code ignores them.)
//
//go:embed *.go
var sources embed.FS

// Code is the course's source as built into the binary.
var Code = runner.NewCode(sources)
