// Package election is etcdtour's election exercise: a worker that leads,
// does leader-only writes, and steps down; and a leader that lost its
// session, which must stop writing and notice.
//
// Read first: the election lesson (etcdtour run election, docs/election.md:
// step 2, Candidate 1 campaigns, and wins at once; step 4, Candidate 2
// campaigns and waits; candidate 1 resigns) and the leader-loss lesson
// (etcdtour run leader-loss, docs/leader-loss.md: step 2, Candidate 1's
// session expires, and candidate 2 leads; step 3, What a leader that lost
// its session must not assume; step 4, A waiter whose session ends:
// Campaign returns nil, not leading). Check your code with:
// etcdtour check election.
//
// What the checker does: one candidate of yours campaigns alone, writes,
// and resigns while a second one waits: the second must lead at once. Then
// your leader's lease is revoked while the second waits: the second must
// lead, your leader's Lost() close, and its next Write be refused. Then
// the same with your leader's Write paused on its way to etcd (after every
// look your code made): etcd must refuse it. Last, the checker leads, your
// candidate queues, the checker revokes your candidate's lease and
// resigns: Campaign must return an error, not a Worker. Give every request
// a deadline of its own, as the lessons do; Campaign may wait for a leader
// to go, so give it time.
package election

import (
	"context"
	"errors"

	"go.etcd.io/etcd/client/v3/concurrency"
)

// A Worker is a candidate that leads: Campaign returns one once it leads.
type Worker struct {
	// Yours: what Write, Lost and Resign need (the session, the
	// election, ...).
}

// Campaign campaigns in the election named election
// (concurrency.NewElection(s, election)) with the value name, waits until
// it leads, and returns a Worker that leads. s is the candidate's session
// (a lease kept alive in the background); s.Client() is its client.
//
// Campaign can return nil without leading: when the candidate's own key
// goes while it waits in the queue (its lease lost), Campaign still
// returns nil once the keys before it are gone (etcd-io/etcd#11051).
// Return an error then, not a Worker.
func Campaign(ctx context.Context, s *concurrency.Session, election, name string) (*Worker, error) {
	return nil, errors.New("not implemented")
}

// Write writes value to key only while w leads: etcd must refuse it once
// w's leadership is gone, even if nothing told w yet. It returns whether
// the write went in: false, with no error, when etcd refused it.
func (w *Worker) Write(ctx context.Context, key, value string) (bool, error) {
	return false, errors.New("not implemented")
}

// Lost returns a channel that is closed once w no longer leads because its
// session ended (its lease expired or was revoked).
func (w *Worker) Lost() <-chan struct{} {
	return nil
}

// Resign steps down: the next candidate leads at once, not when w's
// session ends.
func (w *Worker) Resign(ctx context.Context) error {
	return errors.New("not implemented")
}
