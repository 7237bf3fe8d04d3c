//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package tty

import "golang.org/x/sys/unix"

const (
	ioctlGetTermios = unix.TIOCGETA
	ioctlSetTermios = unix.TIOCSETA
)

// fread is FREAD of <sys/fcntl.h>: TIOCFLUSH with it flushes the input.
const fread = 1

// flushInput drops what was typed and not yet read (tcflush TCIFLUSH).
func flushInput(fd int) error { return unix.IoctlSetPointerInt(fd, unix.TIOCFLUSH, fread) }
