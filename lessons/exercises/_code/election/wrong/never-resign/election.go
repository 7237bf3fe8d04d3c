// Package election: Resign forgets to delete the key: the next candidate
// waits until this one's session ends.
package election

import (
	"context"
	"errors"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
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

// Write writes only while our key is the one we campaigned with.
func (w *Worker) Write(ctx context.Context, key, value string) (bool, error) {
	leads := clientv3.Compare(clientv3.CreateRevision(w.e.Key()), "=", w.e.Rev())
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	resp, err := w.s.Client().Txn(ctx1).If(leads).Then(clientv3.OpPut(key, value)).Commit()
	cancel()
	if err != nil {
		return false, err
	}
	return resp.Succeeded, nil
}

// Lost is the session's Done(): it closes when the lease is gone.
func (w *Worker) Lost() <-chan struct{} { return w.s.Done() }

// Resign steps down.
func (w *Worker) Resign(ctx context.Context) error {
	return nil // the session ends some day, and the key with it
}
