package lessons

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// leaseAsYou is the lease lesson with you renewing the lease, in a shell.
func leaseAsYou(ctx context.Context, t *runner.T) error {
	cli := t.Client
	t.Step("A lease for you to put a key with, and to renew")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	grant, err := cli.Grant(ctx1, 20)
	cancel()
	if err != nil {
		return err
	}
	granted := time.Now()
	ttl := time.Duration(grant.TTL) * time.Second
	t.Say(`In another terminal, run
  export %s
and, within the lease's %v, the two lines below; leave the second
running.`, t.EtcdctlEnv(), ttl)
	id := fmt.Sprintf("%x", grant.ID)
	t.Etcdctl("put", "--lease="+id, t.Key("session"), "alive")
	t.Etcdctl("lease", "keep-alive", id)
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	wch := cli.Watch(wctx, "session",
		clientv3.WithRev(grant.ResponseHeader.Revision+1))
	evs, err := nextEvents(ctx, wch, 1, ttl)
	if err != nil {
		return err
	}
	t.Check(evs[0].Kv.Lease == int64(grant.ID), "%s: lease %x",
		evString(evs[0]), evs[0].Kv.Lease)

	t.Step("The key outlives the lease's TTL: you renew it")
	limit := time.Until(granted.Add(ttl + time.Second))
	t.Wait(limit, "waiting past the TTL (%v after the grant)", ttl)
	evs, err = nextEvents(ctx, wch, 1, limit)
	t.Check(len(evs) == 0 && err != nil, "renewed: the key outlived the TTL")
	if len(evs) > 0 {
		return nil // the key went: the check above failed
	}

	t.Step("Ctrl-C the keep-alive: the key goes a TTL after your last renewal")
	evs, err = nextEvents(ctx, wch, 1, 2*time.Minute)
	if err != nil {
		return err
	}
	t.Check(evs[0].Type == clientv3.EventTypeDelete,
		"the lease expired, and its key with it: %s", evString(evs[0]))
	return nil
}
