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

// WatchAway shows a running watch whose member goes away while the others
// write and compact: when the member is back, the watch ends.
var WatchAway = runner.Lesson{
	ID:    "watch-away",
	Title: "A watch comes back to compacted history",
	Doc: "A watch on one member; the member stops while the others write " +
		"and compact; back, the watch cannot resume from history that is " +
		"gone, and ends with ErrCompacted.",
	Run: watchAway,
	// Its own three members: the lesson stops one, and compacts.
	Needs: runner.Needs{Members: 3},
}

func watchAway(ctx context.Context, t *runner.T) error {
	t.Step("A watch on a member that is not the leader")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	lead, err := t.Cluster.Leader(ctx1)
	cancel()
	if err != nil {
		return err
	}
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
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	put, err := leader.Put(ctx1, "config", "v1")
	cancel()
	if err != nil {
		return err
	}
	last := put.Header.Revision
	t.Etcdctl("--endpoints="+t.Cluster.Endpoints()[away], "watch",
		fmt.Sprintf("--rev=%d", last+1), t.Key("config"))
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	wch := member.Watch(wctx, "config", clientv3.WithRev(last+1))
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	_, err = leader.Put(ctx1, "config", "v2")
	cancel()
	if err != nil {
		return err
	}
	evs, err := nextEvents(ctx, wch, 1, t.Timeout())
	if err != nil {
		return err
	}
	t.Result("%s", evString(evs[0]))

	t.Step("The member stops; the others write, and compact")
	if err := t.Cluster.Stop(away); err != nil {
		return err
	}
	t.Say("Member %s stopped: the watch waits to reconnect. Meanwhile:",
		t.Cluster.Name(away))
	for _, v := range []string{"v3", "v4"} {
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

	t.Step("The member is back: the watch ends with ErrCompacted")
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
