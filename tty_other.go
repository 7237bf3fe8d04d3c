//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

import (
	"context"
	"errors"
)

// terminal does nothing here: stdin is read line by line (stepper).
type terminal struct{}

func takeTerminal(in any) *terminal { return nil }

func (t *terminal) Restore() {}

func (t *terminal) readLine(ctx context.Context, prompt func()) (string, bool, error) {
	return "", false, errors.New("no terminal control on this system")
}
