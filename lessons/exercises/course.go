// Package exercises is the content of etcdtour's exercises: each is an
// exercise.Exercise value, its task, hints and checks here, its Go (the
// starter the learner gets, the reference solution, the wrong solutions
// the tests run) in _code/ID/, which the go command does not build as part
// of etcdtour: the checker builds it in a workspace. List orders them as
// they are taught, each after its lesson.
package exercises

import (
	"embed"
	"io/fs"

	"etcdtour/runner/exercise"
)

//go:embed _code
var code embed.FS

// files is the Go of exercise id: its dir under _code.
func files(id string) fs.FS {
	sub, err := fs.Sub(code, "_code/"+id)
	if err != nil {
		panic(err) // a constant path: TestList proves each is there
	}
	return sub
}

// List is the exercises, in the order they are taught.
var List = []exercise.Exercise{
	PutGet,
	Watch,
	Lease,
	KeepAlive,
	Lock,
	Txn,
	LockLoss,
	Election,
	Discovery,
	History,
	WatchResume,
	Failover,
}
