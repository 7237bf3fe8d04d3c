// Package election: Campaign returned nil, so "I lead": when the
// candidate's key went while it queued, Campaign still returns nil
// (etcd-io/etcd#11051), and this Campaign returns a Worker that leads
// nothing.
package election

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
)

// A Worker is a candidate that leads.
type Worker struct {
	s *concurrency.Session
	e *concurrency.Election
}

// Campaign waits until it leads.
func Campaign(ctx context.Context, s *concurrency.Session, election, name string) (*Worker, error) {
	e := concurrency.NewElection(s, election)
	ctx1, cancel := context.WithTimeout(ctx, 10*time.Second)
	err := e.Campaign(ctx1, name)
	cancel()
	if err != nil {
		return nil, err
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

// Resign deletes our key: the next candidate leads at once.
func (w *Worker) Resign(ctx context.Context) error {
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return w.e.Resign(ctx1)
}
