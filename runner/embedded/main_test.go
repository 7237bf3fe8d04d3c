package embedded

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a server's or a relay's goroutine is left
// behind. (runnertest.Main cannot be used here: runnertest imports this
// package.)
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			os.Stderr.WriteString("goleak: goroutines left behind: " + err.Error() + "\n")
			code = 1
		}
	}
	os.Exit(code)
}
