package lessons

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// watchAway is the history lesson's last step: a running watch, on a member
// that goes away while the others write and compact, ends with
// ErrCompacted when it comes back. (Stopping a member needs the cluster
// etcdtour starts for the lesson.)
func watchAway(ctx context.Context, t *runner.T, lead int, last int64) error {
	t.Step("A watch that was away comes back to compacted history")
	away := (lead + 1) % t.Cluster.Size() // not the leader: no election
	member, err := t.Cluster.Client(away)
	if err != nil {
		return err
	}
	defer member.Close()
	// The writes go to the leader: a request in flight to a member that
	// stops fails, and the client does not resend a Put (it may have been
	// applied).
	leader, err := t.Cluster.Client(lead)
	if err != nil {
		return err
	}
	defer leader.Close()
	t.Etcdctl("watch", fmt.Sprintf("--rev=%d", last+1), t.Key("config"))
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	wch := member.Watch(wctx, "config", clientv3.WithRev(last+1))
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	_, err = leader.Put(ctx1, "config", "v4")
	cancel()
	if err != nil {
		return err
	}
	evs, err := nextEvents(ctx, wch, 1, t.Timeout())
	if err != nil {
		return err
	}
	t.Result("%s", evString(evs[0]))
	if err := t.Cluster.Stop(away); err != nil {
		return err
	}
	t.Say("Member %s stopped: the watch waits to reconnect. Meanwhile:",
		t.Cluster.Name(away))
	for _, v := range []string{"v5", "v6"} {
		ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
		_, err = leader.Put(ctx1, "config", v)
		cancel()
		if err != nil {
			return err
		}
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	_, err = leader.Compact(ctx1, last+3)
	cancel()
	if err != nil {
		return err
	}
	t.Result("the watch's next revision, %d, is compacted", last+2)
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	err = t.Cluster.Restart(ctx1, away)
	cancel()
	if err != nil {
		return err
	}
	t.Wait(300*time.Millisecond, "for the watch to reconnect to the member")
	_, err = nextEvents(ctx, wch, 1, 2*t.Timeout())
	t.Check(errors.Is(err, rpctypes.ErrCompacted),
		"the watch ends with ErrCompacted: %v", err)
	t.Say(`A watch resumes after a reconnect from the revision after
the last it delivered; if that is compacted, it ends. Get the key again
and watch from that revision + 1, or use a retention longer than any
outage.`)
	return nil
}

// dbSize asks member ep how big its database file is.
func dbSize(ctx context.Context, t *runner.T, ep string) (int64, error) {
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	st, err := t.Client.Status(ctx1, ep)
	cancel()
	if err != nil {
		return 0, err
	}
	t.Result("db size %d bytes (revision %d)", st.DbSize, st.Header.Revision)
	return st.DbSize, nil
}
