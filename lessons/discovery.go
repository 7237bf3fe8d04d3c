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

// Discovery registers instances of a service in etcd and finds them.
var Discovery = runner.Lesson{
	ID:    "discovery",
	Title: "Service discovery",
	Doc: "Two instances register under leases kept alive; a client lists " +
		"and watches them, and sees a crashed one go after its TTL and " +
		"come back.",
	Run: discovery,
}

func discovery(ctx context.Context, t *runner.T) error {
	cli := t.Client

	t.Step("Two instances start and register, each under a lease")
	t.Say(`Each instance puts services/health/<id> = its address under
a lease it keeps alive. Instance 2 asks for a TTL of 1 s (the server may
raise it), so that its crash shows soon; instance 1, 2 s.`)
	addr1, addr2 := "127.0.0.1:50051", "127.0.0.1:50052"
	key1, key2 := "services/health/1", "services/health/2"
	// Each instance is a process of its own, with a client of its own.
	cli1, err := t.NewClient()
	if err != nil {
		return err
	}
	defer cli1.Close()
	lease1, err := register(ctx, t, cli1, key1, addr1, 2)
	if err != nil {
		return err
	}
	cli2, err := t.NewClient()
	if err != nil {
		return err
	}
	defer cli2.Close()
	lease2, err := register(ctx, t, cli2, key2, addr2, 1)
	if err != nil {
		return err
	}
	defer revoke(ctx, t, lease1.ID)

	t.Step("A client lists the instances, then watches for changes")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	list, err := cli.Get(ctx1, "services/health/", clientv3.WithPrefix())
	cancel()
	if err != nil {
		return err
	}
	live := map[string]string{} // the client's view: key -> address
	for _, kv := range list.Kvs {
		live[string(kv.Key)] = string(kv.Value)
	}
	t.Result("%v", live)
	t.Equal(len(live), 2, "the client lists both instances")
	wctx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	rev := list.Header.Revision + 1 // no change after the Get is missed
	t.Etcdctl("watch", "--prefix", fmt.Sprintf("--rev=%d", rev),
		t.Key("services/health/"))
	wch := cli.Watch(wctx, "services/health/", clientv3.WithPrefix(),
		clientv3.WithRev(rev))

	t.Step("Instance 2 crashes: renewals stop, its key goes a TTL later")
	cli2.Close() // the process dies, and its client with it
	t.NoReplay("A crash has no etcdctl line: in a shell, Ctrl-C instance 2's " +
		"keep-alive.")
	crashed := time.Now()
	ttl2 := time.Duration(lease2.TTL) * time.Second
	t.Wait(ttl2, "waiting for lease %x to expire (TTL %v)", lease2.ID, ttl2)
	evs, err := nextEvents(ctx, wch, 1, ttl2+time.Second+expirySlack)
	if err != nil {
		return err
	}
	t.Result("%s after %v", evString(evs[0]),
		time.Since(crashed).Round(100*time.Millisecond))
	t.Say(`A TTL after the last renewal, and up to 500 ms more: the
leader looks for expired leases every 500 ms.`)
	delete(live, string(evs[0].Kv.Key))
	t.Equal(fmt.Sprintf("%s %s", evs[0].Type, evs[0].Kv.Key), "DELETE "+key2,
		"the watch sees instance 2's key deleted")
	t.Equal(len(live), 1, "the client now lists instance 1 only")

	t.Step("Instance 2 finds its lease lost, and registers again")
	cli2, err = t.NewClient() // instance 2 starts again
	if err != nil {
		return err
	}
	defer cli2.Close()
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	_, err = cli2.KeepAliveOnce(ctx1, lease2.ID)
	cancel()
	t.Result("renew lease %x: %v", lease2.ID, err)
	t.Check(errors.Is(err, rpctypes.ErrLeaseNotFound),
		"a lost lease cannot be renewed: ErrLeaseNotFound")
	t.Say(`The lease and its keys are gone for good: register again,
under a new lease. (A running KeepAlive says so by closing its channel.)`)
	lease2, err = register(ctx, t, cli2, key2, addr2, 2)
	if err != nil {
		return err
	}
	defer revoke(ctx, t, lease2.ID)
	evs, err = nextEvents(ctx, wch, 1, t.Timeout())
	if err != nil {
		return err
	}
	t.Result("%s", evString(evs[0]))
	live[string(evs[0].Kv.Key)] = string(evs[0].Kv.Value)
	t.Equal(len(live), 2, "the client lists both instances again")
	return nil
}
