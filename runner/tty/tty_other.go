//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package tty

import (
	"context"
	"errors"
)

// Terminal does nothing here: stdin is read line by line (stepper).
type Terminal struct{}

func Take(in any) *Terminal { return nil }

func (t *Terminal) Restore() {}

func (t *Terminal) ReadLine(ctx context.Context, prompt func()) (string, bool, error) {
	return "", false, errors.New("no Terminal control on this system")
}

func (t *Terminal) ReadKey(ctx context.Context, prompt func()) ([]byte, error) {
	return nil, errors.New("no Terminal control on this system")
}

func (t *Terminal) Size() (cols, rows int) { return 0, 0 }
