//go:build ignore

// The main of a program that talks to the etcd at $ETCDCTL_ENDPOINTS.
// lessonRun stands for the lesson's Run function (stub.go).

package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

func main() {
	log.SetFlags(0)
	cli, err := newClient()
	if err != nil {
		log.Fatal(err)
	}
	/*{{- if .Own}}*/
	fmt.Printf("This program may compact the etcd at %s: give it one of its own.\n", strings.Join(cli.Endpoints(), ","))
	/*{{- end}}*/
	// Ctrl-C (or SIGTERM) ends the lesson; its keys go all the same.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = runWithin(ctx, cli, lessonLimit)
	interrupted := ctx.Err() != nil
	if err != nil && !interrupted {
		err = errors.New(failures.named(err)) // before the clean-up's requests
	}
	// Delete the keys, also when the lesson failed.
	derr := deleteKeys(cli)
	stop()
	if err != nil && !interrupted {
		err = fmt.Errorf("%v%s", err, unanswered(cli))
	}
	cli.Close()
	if derr != nil {
		fmt.Fprintf(os.Stderr, "could not delete the keys under %s (%s): etcdctl del --prefix %s\n", prefix, failures.named(derr), prefix)
	}
	switch {
	case interrupted:
		fmt.Fprintln(os.Stderr, "interrupted")
		os.Exit(130)
	case err != nil:
		log.Fatal(err)
	case derr != nil:
		os.Exit(1)
	}
}

// lessonLimit is how long the lesson may run.
const lessonLimit = 90 * time.Second

// runWithin runs the lesson until it returns, ctx ends or limit passes. A
// call on a stalled connection can outlive its context (the concurrency
// package's waits are watches): the lesson gets requestTimeout more to
// return, then the program cleans up without it.
func runWithin(ctx context.Context, cli *clientv3.Client, limit time.Duration) error {
	lctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- lessonRun(lctx, cli) }()
	select {
	case err := <-done:
		return err
	case <-lctx.Done():
	}
	select {
	case err := <-done:
		if ctx.Err() == nil && lctx.Err() == context.DeadlineExceeded {
			return fmt.Errorf("did not finish within %v: %w", limit, err)
		}
		return err
	case <-time.After(requestTimeout):
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("did not finish within %v", limit)
	}
}

// deleteKeys deletes every key under prefix, through each member in turn
// until one answers, and again while keys are there: a write the lesson
// gave up on (Ctrl-C) may still land just after the first delete.
func deleteKeys(cli *clientv3.Client) error {
	var err error
	for try := 0; try < 3*len(cli.Endpoints()); try++ {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		if _, err = cli.Delete(ctx, "", clientv3.WithPrefix()); err == nil {
			time.Sleep(100 * time.Millisecond) // for a late write to land
			var get *clientv3.GetResponse
			get, err = cli.Get(ctx, "", clientv3.WithPrefix(), clientv3.WithCountOnly())
			if err == nil && get.Count > 0 {
				err = fmt.Errorf("%d key(s) written after the delete", get.Count)
			}
		}
		cancel()
		if err == nil {
			return nil
		}
	}
	return err
}

// unanswered names, after a failure, the members that do not answer a
// status request within 2 s: one that stalled, if one did.
func unanswered(cli *clientv3.Client) string {
	var mu sync.Mutex
	var silent []string
	var wg sync.WaitGroup
	for _, ep := range cli.Endpoints() {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if _, err := cli.Status(ctx, ep); err != nil {
				mu.Lock()
				silent = append(silent, ep)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(silent) == 0 {
		return ""
	}
	slices.Sort(silent)
	return fmt.Sprintf("; %s did not answer a status request within 2s", strings.Join(silent, ", "))
}

// newClient connects to $ETCDCTL_ENDPOINTS (127.0.0.1:2379 if unset), and
// asks the cluster for its members: the client itself does not fail when
// no one answers, it waits.
func newClient() (*clientv3.Client, error) {
	endpoints := os.Getenv("ETCDCTL_ENDPOINTS")
	if endpoints == "" {
		endpoints = "127.0.0.1:2379"
	}
	cli, err := newClientTo(strings.Split(endpoints, ","))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	_, err = cli.MemberList(ctx)
	cancel()
	if err != nil {
		cli.Close()
		return nil, fmt.Errorf("cannot reach etcd at %s (%v): "+
			"set ETCDCTL_ENDPOINTS to its address", endpoints, err)
	}
	return cli, nil
}
