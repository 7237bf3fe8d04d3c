// Package election: Write looks at the session's Done(), then writes with
// a plain Put: a lease lost between the look and the Put goes unseen.
package election

import (
	"context"
	"errors"
	"time"

	"go.etcd.io/etcd/client/v3/concurrency"
)

// A Worker is a candidate that leads.
type Worker struct {
	s *concurrency.Session
	e *concurrency.Election
}

// ErrNotLeader is Campaign's error when it returned without leading.
var ErrNotLeader = errors.New("campaign returned, but this candidate does not lead")

// Campaign waits until it leads, and makes sure it does.
func Campaign(ctx context.Context, s *concurrency.Session, election, name string) (*Worker, error) {
	e := concurrency.NewElection(s, election)
	ctx1, cancel := context.WithTimeout(ctx, 10*time.Second)
	err := e.Campaign(ctx1, name)
	cancel()
	if err != nil {
		return nil, err
	}
	// Campaign waits for the older keys to go, and never checks its own
	// (etcd-io/etcd#11051): the guard is that the leader is our key.
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	leader, err := e.Leader(ctx1)
	cancel()
	if err != nil {
		return nil, err // ErrElectionNoLeader: our key is gone too
	}
	if string(leader.Kvs[0].Key) != e.Key() {
		return nil, ErrNotLeader
	}
	return &Worker{s: s, e: e}, nil
}

// Write writes while the session is not done.
func (w *Worker) Write(ctx context.Context, key, value string) (bool, error) {
	select {
	case <-w.s.Done():
		return false, nil // the session is gone: we no longer lead
	default:
	}
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	_, err := w.s.Client().Put(ctx1, key, value)
	cancel()
	if err != nil {
		return false, err
	}
	return true, nil
}

// Lost is the session's Done(): it closes when the lease is gone.
func (w *Worker) Lost() <-chan struct{} { return w.s.Done() }

// Resign deletes our key: the next candidate leads at once.
func (w *Worker) Resign(ctx context.Context) error {
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return w.e.Resign(ctx1)
}
