package runner

// A leader change gives every lease its full TTL again (etcd-io/etcd#9395):
// the new leader does not know when the old one last renewed a lease, so it
// counts each TTL from its own start. A lesson that waits for a lease to
// expire then waits up to a TTL longer, and may time out. The runner
// follows the raft term in the headers of the lesson's answers, and says so
// when a lesson that failed saw it move.

import (
	"context"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner/i18n"
)

// terms is what a lesson's answers said of the raft term.
type terms struct {
	first, last uint64    // the term of the first answer, and the highest since
	movedAt     time.Time // when an answer first had a term above first
}

// saw records the term in msg's header, if it has one. Called with t.mu
// held.
func (tt *terms) saw(msg any) {
	h, ok := msg.(interface{ GetHeader() *pb.ResponseHeader })
	if !ok || h.GetHeader() == nil || h.GetHeader().RaftTerm == 0 {
		return
	}
	term := h.GetHeader().RaftTerm
	switch {
	case tt.first == 0:
		tt.first, tt.last = term, term
	case term > tt.last:
		if tt.movedAt.IsZero() {
			tt.movedAt = time.Now()
		}
		tt.last = term
	}
}

// sawTerm records the term of a lesson's answer.
func (t *T) sawTerm(msg any) {
	t.mu.Lock()
	t.terms.saw(msg)
	t.mu.Unlock()
}

// leaderChanged says, for a lesson that failed, that the leader changed
// while it ran, when its answers or the cluster's status now (asked within
// ctx) show a later term than its first answer; "" otherwise.
func (t *T) leaderChanged(ctx context.Context, lang i18n.Lang, m *members) string {
	t.mu.Lock()
	tt := t.terms
	t.mu.Unlock()
	if tt.first == 0 {
		return ""
	}
	at := ""
	if !tt.movedAt.IsZero() {
		at = tt.movedAt.Format("15:04:05.000")
	} else {
		var now uint64
		m.do(ctx, func(ctx context.Context, cli *clientv3.Client) error {
			st, err := cli.Status(ctx, cli.Endpoints()[0])
			if err == nil {
				now = st.RaftTerm
			}
			return err
		})
		if now <= tt.first {
			return ""
		}
		tt.last = now
		at = time.Now().Format("15:04:05.000")
		return lang.Msg("the leader changed during the lesson, by %s (raft term %d → %d): a new leader gives every lease its full TTL again (etcd-io/etcd#9395), so a wait for a lease to expire may last up to a TTL longer", at, tt.first, tt.last)
	}
	return lang.Msg("the leader changed at %s (raft term %d → %d): a new leader gives every lease its full TTL again (etcd-io/etcd#9395), so a wait for a lease to expire may last up to a TTL longer", at, tt.first, tt.last)
}
