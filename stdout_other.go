//go:build !linux

package main

// stdoutClosed: only Linux is checked for a stdout closed at start.
func stdoutClosed() bool { return false }
