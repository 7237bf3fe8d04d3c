//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

// Package tty takes over the terminal a run shows itself on, so that keys
// typed during the run are neither echoed into its output nor left for the
// shell.
package tty

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// A Terminal is stdin while a run shows itself on the same terminal. Keys
// typed during the run are not echoed, so that they never land in a wait's
// status line; a --step prompt reads only what is typed after it was shown
// (the input queue is flushed first, and echo is on while it waits); and
// what is typed during the run is dropped at exit, so that the shell does
// not run it. Restore puts the terminal back as it was, on every way out.
type Terminal struct {
	fd    int
	mu    sync.Mutex
	saved *unix.Termios // nil once restored
	quiet unix.Termios  // saved, without echo
}

// Take takes over in if it is a terminal and this process is in its
// foreground: a process in the background must not change it (it would be
// stopped by SIGTTOU). It returns nil, and changes nothing, otherwise.
func Take(in any) *Terminal {
	f, ok := in.(*os.File)
	if !ok {
		return nil
	}
	fd := int(f.Fd())
	saved, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return nil // not a terminal
	}
	if pgrp, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP); err != nil || pgrp != unix.Getpgrp() {
		return nil
	}
	t := &Terminal{fd: fd, saved: saved, quiet: *saved}
	t.quiet.Lflag &^= unix.ECHO | unix.ECHONL
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, &t.quiet); err != nil {
		return nil
	}
	return t
}

// Restore drops what was typed and not read, and puts the terminal back as
// it was. It may be called more than once, from any goroutine.
func (t *Terminal) Restore() {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.saved == nil {
		return
	}
	flushInput(t.fd)
	unix.IoctlSetTermios(t.fd, ioctlSetTermios, t.saved)
	t.saved = nil
}

// ErrRestored is ReadLine's error once the terminal is no longer ours.
var ErrRestored = errors.New("the Terminal was restored")

// readLine drops what was typed before it was called, turns echo on, and
// reads one line, without its newline. It returns io.EOF-like ok=false for
// Ctrl-D at the start of a line, and ctx's error when ctx ends first (a
// Ctrl-C). Echo is off again when it returns.
func (t *Terminal) ReadLine(ctx context.Context, prompt func()) (line string, ok bool, err error) {
	t.mu.Lock()
	if t.saved == nil {
		t.mu.Unlock()
		return "", false, ErrRestored
	}
	flushInput(t.fd)
	unix.IoctlSetTermios(t.fd, ioctlSetTermios, t.saved)
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		if t.saved != nil {
			unix.IoctlSetTermios(t.fd, ioctlSetTermios, &t.quiet)
		}
		t.mu.Unlock()
	}()
	prompt()
	// In canonical mode the terminal is readable once a whole line (or
	// Ctrl-D) is in: poll for that, so that a Ctrl-C can end the wait.
	fds := []unix.PollFd{{Fd: int32(t.fd), Events: unix.POLLIN}}
	for {
		if err := ctx.Err(); err != nil {
			return "", false, err
		}
		n, err := unix.Poll(fds, int(pollInterval/time.Millisecond))
		if err != nil && err != unix.EINTR {
			return "", false, err
		}
		if n > 0 {
			break
		}
	}
	buf := make([]byte, 4096)
	n, err := unix.Read(t.fd, buf)
	for err == unix.EINTR {
		n, err = unix.Read(t.fd, buf)
	}
	if err != nil {
		return "", false, err
	}
	if n == 0 {
		return "", false, nil // Ctrl-D
	}
	return strings.TrimRight(string(buf[:n]), "\r\n"), true, nil
}

// pollInterval is how often readLine looks at ctx while it waits.
const pollInterval = 50 * time.Millisecond

// ReadKey drops what was typed before it was called and reads one key, as
// the bytes the terminal sends for it (an arrow or PageDown is an escape
// sequence of several), without echo and without waiting for Enter. A
// Ctrl-C still interrupts (ISIG stays on). It returns ctx's error when ctx
// ends first. The terminal is as before (no echo, lines) when it returns.
//
// prompt, if not nil, is called once the keys typed before are dropped:
// a key typed right after the prompt shows answers it.
func (t *Terminal) ReadKey(ctx context.Context, prompt func()) ([]byte, error) {
	t.mu.Lock()
	if t.saved == nil {
		t.mu.Unlock()
		return nil, ErrRestored
	}
	if prompt != nil {
		flushInput(t.fd)
	}
	raw := t.quiet
	raw.Lflag &^= unix.ICANON
	raw.Cc[unix.VMIN], raw.Cc[unix.VTIME] = 1, 0
	unix.IoctlSetTermios(t.fd, ioctlSetTermios, &raw)
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		if t.saved != nil {
			unix.IoctlSetTermios(t.fd, ioctlSetTermios, &t.quiet)
		}
		t.mu.Unlock()
	}()
	if prompt != nil {
		prompt()
	}
	fds := []unix.PollFd{{Fd: int32(t.fd), Events: unix.POLLIN}}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, err := unix.Poll(fds, int(pollInterval/time.Millisecond))
		if err != nil && err != unix.EINTR {
			return nil, err
		}
		if n > 0 {
			break
		}
	}
	buf := make([]byte, 16)
	n, err := unix.Read(t.fd, buf)
	for err == unix.EINTR {
		n, err = unix.Read(t.fd, buf)
	}
	if err != nil {
		return nil, err
	}
	return buf[:n], nil
}

// Size is the terminal's width and height, 0 0 if unknown.
func (t *Terminal) Size() (cols, rows int) {
	if t == nil {
		return 0, 0
	}
	ws, err := unix.IoctlGetWinsize(t.fd, unix.TIOCGWINSZ)
	if err != nil {
		return 0, 0
	}
	return int(ws.Col), int(ws.Row)
}
