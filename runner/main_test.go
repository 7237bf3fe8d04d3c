package runner_test

import (
	"flag"
	"os"
	"strconv"
	"testing"

	"etcdtour/runner/runnertest"
)

// parallel is how many of this package's parallel tests run at once unless
// -parallel says otherwise. They mostly wait (for a server, a dial timeout,
// a lease to expire), not compute; with the default, GOMAXPROCS (2 on a
// small machine), they would wait in turn.
const parallel = 16

// TestMain runs the tests, closes the embedded server they share
// (runnertest.Server), and fails the run if a goroutine was left behind.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", strconv.Itoa(parallel))
	}
	os.Exit(runnertest.Main(m))
}
