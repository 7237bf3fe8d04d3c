package source

import (
	"os"
	"testing"

	"etcdtour/runner/runnertest"
)

// TestMain runs the tests and fails the run if a goroutine was left behind.
func TestMain(m *testing.M) { os.Exit(runnertest.Main(m)) }
