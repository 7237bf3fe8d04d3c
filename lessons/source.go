package lessons

import "embed"

// Source holds the package's Go files as built into the binary (the tests
// too), for the code each step shows and for "etcdtour show":
// source.NewCode(Source) reads them.
//
//go:embed *.go
var Source embed.FS
