// Command etcdtour teaches the etcd v3 Go client by running lessons against
// a real etcd server and narrating what happens.
//
// main is the process: signals, stdout, the exit code. The command line is
// package runner/cli.
package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"google.golang.org/grpc/grpclog"

	"etcdtour/runner/cli"
)

// The course's own module: the exercises' workspace requires what it
// requires, at the same versions, so that it builds from the module cache
// the course was built from, offline.
var (
	//go:embed go.mod
	goMod []byte
	//go:embed go.sum
	goSum []byte
)

func main() {
	// grpc logs connection trouble to stderr by itself; the runner reports
	// what matters in one line instead.
	grpclog.SetLoggerV2(grpclog.NewLoggerV2(io.Discard, io.Discard, io.Discard))

	ctx, stop := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	// SIGHUP too: a closed terminal or tmux pane must still clean up.
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	// A closed stdout ("etcdtour | head") must not kill the process before
	// it has stopped its server and removed its temp dir. With SIGPIPE
	// ignored the write fails with EPIPE instead, and stdout below stops the
	// run. (signal.Notify would be no good: it also hears the SIGPIPEs of
	// sockets that a server closed, and would stop the run for those.)
	signal.Ignore(syscall.SIGPIPE)
	abort := &cli.Abort{}
	go func() {
		<-sigs
		stop() // first Ctrl-C: interrupt the lesson, clean up, summarize
		<-sigs
		fmt.Fprintln(os.Stderr, "\netcdtour: "+abort.Message(os.Args[1:], os.Getenv))
		abort.Run()
		os.Exit(cli.ExitInterrupted)
	}()
	code := cli.Main(ctx, cli.Process{
		Args:   os.Args[1:],
		Stdin:  os.Stdin,
		Stdout: &stopOnEPIPE{f: os.Stdout, stop: stop},
		Stderr: os.Stderr,
		Getenv: os.Getenv,
		Abort:  abort,
		GoMod:  goMod,
		GoSum:  goSum,
	})
	stop()
	os.Exit(code)
}

// stopOnEPIPE is stdout that stops the run once it cannot be written: its
// reader has gone (EPIPE, an interrupt), or the disk is full (a failure,
// which the command reports). (It does not embed *os.File: io.WriteString
// would call the file's WriteString and go around Write.)
type stopOnEPIPE struct {
	f    *os.File
	stop func()
}

func (w *stopOnEPIPE) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		w.stop() // no one sees the run any more
	}
	return n, err
}

// Fd lets the command line see that stdout is a terminal.
func (w *stopOnEPIPE) Fd() uintptr { return w.f.Fd() }
