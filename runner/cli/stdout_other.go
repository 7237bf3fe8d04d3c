//go:build !linux

package cli

// stdoutClosed: only Linux is checked for a stdout closed at start.
func stdoutClosed() bool { return false }
