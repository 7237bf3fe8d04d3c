package lessons

import (
	"context"
	"errors"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// Quorum shows what a majority is to a three-member cluster: a member that
// was away catches up, and one member alone serves only what it can.
var Quorum = runner.Lesson{
	ID:    "quorum",
	Title: "A majority is a quorum",
	Doc: "Three members name one leader; a member stops, misses writes, " +
		"comes back and catches up; with two stopped, the one left still " +
		"reads, serializably only, until a second one is back.",
	Run: quorum,
	// Its own three members: the lesson stops and restarts them.
	Needs: runner.Needs{Members: 3},
}

// quorumWait is how long the quorum lesson gives a read that needs a
// quorum when there is none: it would wait as long as it is let.
const quorumWait = 500 * time.Millisecond

func quorum(ctx context.Context, t *runner.T) error {
	// The client has every member's endpoint: when one stops, it moves on.
	cli := t.Client

	t.Step("Three members: which one leads?")
	leader, err := leaderOf(ctx, t)
	if err != nil {
		return err
	}
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	named, err := t.Cluster.Leader(ctx1)
	cancel()
	if err != nil {
		return err
	}
	t.Equal(t.Cluster.Name(leader), t.Cluster.Name(named),
		"every member names the same leader")

	t.Step("A member stops, misses writes, restarts and catches up")
	away := (leader + 1) % t.Cluster.Size() // not the leader: no election
	if err := t.Cluster.Stop(away); err != nil {
		return err
	}
	for _, v := range []string{"v1", "v2", "v3"} {
		ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
		_, err = cli.Put(ctx1, "config", v)
		cancel()
		if err != nil {
			return err
		}
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = t.Cluster.Restart(ctx1, away)
	cancel()
	if err != nil {
		return err
	}
	revs, err := revisions(ctx, t)
	if err != nil {
		return err
	}
	t.Equal(revs[away], revs[leader], "%s's revision equals the leader's",
		t.Cluster.Name(away))

	t.Step("Two members stop: the one left reads, but serializably only")
	for i := range t.Cluster.Size() {
		if i != leader {
			if err := t.Cluster.Stop(i); err != nil {
				return err
			}
		}
	}
	t.NoReplay("No etcdctl line stops a member: pasted, the Get below would " +
		"not fail.")
	one, err := t.Cluster.Client(leader) // a client of that member alone
	if err != nil {
		return err
	}
	defer one.Close()
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	get, err := one.Get(ctx1, "config", clientv3.WithSerializable())
	cancel()
	if err != nil {
		return err
	}
	t.Result("serializable: %d key(s), revision %d of %s's own copy",
		get.Count, get.Header.Revision, t.Cluster.Name(leader))
	t.Say(`It answers from its own copy and cannot know whether a
majority elsewhere has moved on since: a serializable read may be stale.`)
	t.Equal(get.Count, int64(1), "the survivor answers a serializable Get")
	ctx1, cancel = context.WithTimeout(ctx, quorumWait)
	_, err = one.Get(ctx1, "config")
	cancel()
	t.Result("linearizable: %v", err)
	t.Check(err != nil,
		"a linearizable Get fails: it needs a quorum to confirm")

	// One comes back in this step: a presenter's pause with no quorum
	// would stall the course's own requests.
	back := (leader + 1) % t.Cluster.Size()
	t.Say("%s starts again: two of three members are a quorum, a "+
		"majority,\nand linearizable reads work again.",
		t.Cluster.Name(back))
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = t.Cluster.Restart(ctx1, back)
	cancel()
	if err != nil {
		return err
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	get, err = one.Get(ctx1, "config")
	cancel()
	if err != nil {
		return err
	}
	t.Equal(get.Count, int64(1), "the linearizable Get is answered again")
	return nil
}

// leaderOf finds the member that leads: it asks each member for its
// status and returns the index of the one that says it leads.
func leaderOf(ctx context.Context, t *runner.T) (int, error) {
	leader := -1
	for i, ep := range t.Cluster.Endpoints() {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		st, err := t.Client.Status(ctx1, ep)
		cancel()
		if err != nil {
			return -1, err
		}
		t.Result("%s: member %x, leader %x, raft term %d, revision %d",
			t.Cluster.Name(i), st.Header.MemberId, st.Leader,
			st.RaftTerm, st.Header.Revision)
		if st.Header.MemberId == st.Leader {
			leader = i
		}
	}
	if leader < 0 {
		return -1, errors.New("no member says it leads")
	}
	return leader, nil
}

// revisions asks every member for its revision until they agree, or the
// timeout has passed, and returns the last answers.
func revisions(ctx context.Context, t *runner.T) ([]int64, error) {
	deadline := time.Now().Add(t.Timeout())
	for {
		revs := make([]int64, t.Cluster.Size())
		for i, ep := range t.Cluster.Endpoints() {
			ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
			st, err := t.Client.Status(ctx1, ep)
			cancel()
			if err != nil {
				return nil, err
			}
			revs[i] = st.Header.Revision
		}
		agree := revs[0] == revs[1] && revs[1] == revs[2]
		if agree || time.Now().After(deadline) {
			t.Result("revisions: %v", revs)
			return revs, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
}
