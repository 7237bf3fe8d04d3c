package lessons

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// Failover stops the leader of a three-member cluster under a client that
// writes, a watch and a lease.
var Failover = runner.Lesson{
	ID:    "failover",
	Title: "A cluster loses its leader",
	Doc: "Three members; the leader stops while a client writes: a new one " +
		"is elected, no acknowledged write is lost, a watch sees each once, " +
		"and a lease outlives its TTL.",
	Run: failover,
	// Its own three members: the lesson stops and restarts them.
	Needs: runner.Needs{Members: 3},
}

func failover(ctx context.Context, t *runner.T) error {
	// The client has every member's endpoint: when one stops, it moves on.
	cli := t.Client

	t.Step("Before the failure: a key under a 1 s lease, and watches")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	grant, err := cli.Grant(ctx1, 1)
	cancel()
	if err != nil {
		return err
	}
	granted := time.Now()
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	put, err := cli.Put(ctx1, "session", "alive", clientv3.WithLease(grant.ID))
	cancel()
	if err != nil {
		return err
	}
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	t.Etcdctl("watch", "--prefix",
		fmt.Sprintf("--rev=%d", put.Header.Revision+1), t.Key("w/"))
	wch := cli.Watch(wctx, "w/", clientv3.WithPrefix(),
		clientv3.WithRev(put.Header.Revision+1))
	t.Etcdctl("watch", fmt.Sprintf("--rev=%d", put.Header.Revision+1),
		t.Key("session"))
	sch := cli.Watch(wctx, "session", clientv3.WithRev(put.Header.Revision+1))

	t.Step("The leader stops while a client keeps writing")
	acked := map[string]int64{} // key -> revision, of each acknowledged write
	failed := 0
	stopWriting, done := make(chan struct{}), make(chan struct{})
	go func() { // w/00, w/01, ... one after another, each with its deadline
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stopWriting:
				return
			case <-time.After(writeEvery):
			}
			key := fmt.Sprintf("w/%02d", i)
			ctx1, cancel := context.WithTimeout(ctx, writeTimeout)
			put, err := cli.Put(ctx1, key, "v")
			cancel()
			if err != nil {
				failed++
			} else {
				acked[key] = put.Header.Revision
			}
		}
	}()
	t.Wait(writeBefore, "the client writes for %v before the leader stops",
		writeBefore)
	time.Sleep(writeBefore)
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	old, err := t.Cluster.Leader(ctx1)
	cancel()
	if err != nil {
		return err
	}
	stopped := time.Now()
	if err := t.Cluster.Stop(old); err != nil {
		return err
	}
	t.NoReplay("No etcdctl line stops the leader: pasted, no Put would fail.")
	ctx1, cancel = context.WithTimeout(ctx, electionWait)
	leader, err := t.Cluster.Leader(ctx1)
	cancel()
	if err != nil {
		return err
	}
	t.Result("%s stopped; %s leads %v later", t.Cluster.Name(old),
		t.Cluster.Name(leader), time.Since(stopped).Round(time.Millisecond))
	t.Check(leader != old, "a new leader is elected")
	time.Sleep(writeBefore) // the writes go on under the new leader
	close(stopWriting)
	<-done
	t.Result("%d writes acknowledged, %d failed", len(acked), failed)

	t.Step("Every acknowledged write is there; the watch saw each once")
	stored, lost, err := storedWrites(ctx, t, acked)
	if err != nil {
		return err
	}
	t.Result("%d keys stored (a failed write may have been applied)",
		len(stored))
	t.Equal(lost, 0, "no acknowledged write is lost")
	evs, err := nextEvents(ctx, wch, len(stored), t.Timeout())
	if err != nil {
		return err
	}
	var seen []string
	for _, ev := range evs {
		seen = append(seen, fmt.Sprintf("%s@%d", ev.Kv.Key, ev.Kv.ModRevision))
	}
	t.Equal(seen, stored, "the watch saw every stored write once, in order")

	t.Step("The lease outlives its TTL")
	t.Say(`A new leader does not know how long the old one had counted
down: it gives every lease its full TTL again, plus an election timeout
(unless the lease checkpoint feature is on: off by default).`)
	t.Wait(0, "waiting for the DELETE of %q", "session")
	if _, err := nextEvents(ctx, sch, 1, t.Timeout()); err != nil {
		return err
	}
	lived := time.Since(granted)
	t.Result("DELETE %q %v after a grant of %ds", "session",
		lived.Round(time.Millisecond), grant.TTL)
	t.Check(lived > time.Duration(grant.TTL)*time.Second+leaseCheck,
		"the key outlived its TTL (and the 500 ms of the expiry check)")
	return nil
}
