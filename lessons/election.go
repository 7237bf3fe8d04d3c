package lessons

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"etcdtour/runner"
)

// Election shows two candidates for one leadership, and how it changes hands.
var Election = runner.Lesson{
	ID:    "election",
	Title: "Leader election",
	Doc: "Two candidates campaign: one leads, the other waits. Observe " +
		"follows the leader as it proclaims and resigns, and the other leads.",
	Run: election,
}

func election(ctx context.Context, t *runner.T) error {
	cli := t.Client

	t.Step("A session and an election for each candidate; nobody leads yet")
	s1, err := concurrency.NewSession(cli, concurrency.WithTTL(2))
	if err != nil {
		return err
	}
	defer s1.Close()
	s2, err := concurrency.NewSession(cli, concurrency.WithTTL(2))
	if err != nil {
		return err
	}
	defer s2.Close()
	e1 := concurrency.NewElection(s1, "election")
	e2 := concurrency.NewElection(s2, "election")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	_, err = e2.Leader(ctx1)
	cancel()
	t.Check(errors.Is(err, concurrency.ErrElectionNoLeader),
		"Leader before any campaign returns ErrElectionNoLeader (%v)", err)
	wctx, stop := context.WithCancel(ctx) // for Observe and, later, a watch
	defer stop()
	t.Etcdctl("elect", "--listen", t.Key("election"))
	leaders := e2.Observe(wctx) // each leader, and each new value

	t.Step("Candidate 1 campaigns, and wins at once")
	t.Etcdctl("elect", t.Key("election"), "node-1")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = e1.Campaign(ctx1, "node-1")
	cancel()
	if err != nil {
		return err
	}
	t.Say(`The key is the name, "/", the lease in hex, attached to the
lease. Of the keys under "election/", the one with the lowest
create_revision leads.`)
	leader, err := nextLeader(ctx, leaders, t.Timeout())
	if err != nil {
		return err
	}
	t.Result("Observe: %s", kvString(leader))
	t.Equal(string(leader.Key), e1.Key(), "Observe reports candidate 1's key")

	t.Step("The leader proclaims a new value")
	value := "node-1 serving"
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = e1.Proclaim(ctx1, value)
	cancel()
	if err != nil {
		return err
	}
	leader, err = nextLeader(ctx, leaders, t.Timeout())
	if err != nil {
		return err
	}
	t.Result("Observe: %s", kvString(leader))
	t.Equal(string(leader.Value), value, "Observe reports the proclaimed value")

	t.Step("Candidate 2 campaigns and waits; candidate 1 resigns")
	from := leader.ModRevision + 1 // after Proclaim's, which Observe saw
	t.Etcdctl("watch", "--prefix", fmt.Sprintf("--rev=%d", from),
		t.Key("election/"))
	wch := cli.Watch(wctx, "election/", clientv3.WithPrefix(),
		clientv3.WithRev(from))
	t.Etcdctl("elect", t.Key("election"), "node-2")
	elected2 := campaign(ctx, e2, "node-2", leaderHold+t.Timeout())
	evs, err := nextEvents(ctx, wch, 1, t.Timeout())
	if err != nil {
		return err
	}
	t.Result("candidate 2 queued: %s", evString(evs[0]))
	t.Wait(leaderHold, "candidate 1 leads; candidate 2 waits")
	select {
	case err := <-elected2:
		return errors.Join(
			errors.New("candidate 2 was elected while candidate 1 led"), err)
	case <-time.After(leaderHold):
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = e1.Resign(ctx1)
	cancel()
	if err != nil {
		return err
	}
	if err := <-elected2; err != nil {
		return err
	}
	leader, err = nextLeader(ctx, leaders, t.Timeout())
	if err != nil {
		return err
	}
	t.Result("Observe: %s", kvString(leader))
	t.Equal(string(leader.Key), e2.Key(),
		"Resign deleted candidate 1's key: candidate 2 leads")
	return nil
}

// leaderHold is how long the election lesson's first leader keeps leading
// while another candidate waits: long enough to see that candidate 2 is not
// elected while candidate 1 leads, short enough not to slow the course.
const leaderHold = 100 * time.Millisecond

// campaign runs e.Campaign in the background: it returns once e leads, or
// when timeout has passed.
func campaign(ctx context.Context, e *concurrency.Election, value string,
	timeout time.Duration) <-chan error {
	elected := make(chan error, 1)
	go func() {
		ctx1, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		elected <- e.Campaign(ctx1, value)
	}()
	return elected
}

// nextLeader reads the next leader an Observe channel reports, waiting at
// most timeout.
func nextLeader(ctx context.Context, leaders <-chan *clientv3.GetResponse,
	timeout time.Duration) (*mvccpb.KeyValue, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	select {
	case resp, ok := <-leaders:
		if !ok {
			return nil, errors.New("the Observe channel closed")
		}
		return resp.Kvs[0], nil
	case <-ctx.Done():
		return nil, fmt.Errorf("no leader reported: %w", ctx.Err())
	}
}
