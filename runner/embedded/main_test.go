package embedded

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a server's or a relay's goroutine is left
// behind. (runnertest.Main cannot be used here: runnertest imports this
// package.)
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
