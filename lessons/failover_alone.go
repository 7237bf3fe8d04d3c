package lessons

import (
	"context"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// alone is the failover lesson's end: two members stop, and the one left
// serves what it can.
func alone(ctx context.Context, t *runner.T, survivor int) error {
	t.Step("Two members stop: the one left reads, but serializably only")
	for i := 0; i < t.Cluster.Size(); i++ {
		if i != survivor {
			if err := t.Cluster.Stop(i); err != nil {
				return err
			}
		}
	}
	one, err := t.Cluster.Client(survivor) // a client of that member alone
	if err != nil {
		return err
	}
	defer one.Close()
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	get, err := one.Get(ctx1, "w/00", clientv3.WithSerializable())
	cancel()
	if err != nil {
		return err
	}
	t.Result("serializable: %d key(s), revision %d of %s's own copy",
		get.Count, get.Header.Revision, t.Cluster.Name(survivor))
	t.Say(`It answers from its own copy and cannot know whether a
majority elsewhere has moved on since: a serializable read may be stale.`)
	t.Equal(get.Count, int64(1), "the survivor answers a serializable Get")
	ctx1, cancel = context.WithTimeout(ctx, quorumWait)
	_, err = one.Get(ctx1, "w/00")
	cancel()
	t.Result("linearizable: %v", err)
	t.Check(err != nil,
		"a linearizable Get fails: it needs a quorum to confirm")

	// One comes back in this step: a presenter's pause with no quorum
	// would stall the course's own requests.
	back := (survivor + 1) % t.Cluster.Size()
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
	get, err = one.Get(ctx1, "w/00")
	cancel()
	if err != nil {
		return err
	}
	t.Equal(get.Count, int64(1), "the linearizable Get is answered again")
	return nil
}
