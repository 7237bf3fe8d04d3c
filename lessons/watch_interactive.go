package lessons

import (
	"context"
	"errors"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// Interactive watch: how long to wait for the learner, and how many events
// end the lesson early.
const (
	yourWritesTimeout = 2 * time.Minute
	yourWritesEvents  = 3
	aliveEvery        = time.Second // how often to check etcd still answers
)

// watchYourWrites is the watch lesson as the article ran it: the learner
// writes from another terminal with etcdctl, and the watch shows each event.
func watchYourWrites(ctx context.Context, t *runner.T) error {
	cli := t.Client

	t.Step("Watch a key while you write it from another terminal")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	get, err := cli.Get(ctx1, "name")
	cancel()
	if err != nil {
		return err
	}
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	wch := cli.Watch(wctx, "name", clientv3.WithRev(get.Header.Revision+1))
	// Not --endpoints: etcdctl refuses the flag when ETCDCTL_ENDPOINTS is
	// set, as the course's first line suggests.
	t.Say(`The watch is in place. In another terminal, run
  export %s
and then any of these:`, t.EtcdctlEnv())
	t.Etcdctl("put", t.Key("name"), "hello")
	t.Etcdctl("put", t.Key("name"), "world")
	t.Etcdctl("del", t.Key("name"))
	t.Wait(yourWritesTimeout, "watching %q for %d events or %v",
		t.Key("name"), yourWritesEvents, yourWritesTimeout)

	seen := 0
	deadline := time.Now().Add(yourWritesTimeout)
	for seen < yourWritesEvents && time.Now().Before(deadline) &&
		ctx.Err() == nil {
		evs, err := nextEvents(ctx, wch, 1,
			min(aliveEvery, time.Until(deadline)))
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			// A watch does not tell when its server has gone (serve
			// stopped, say): ask etcd between waits.
			if err := t.Ping(ctx); err != nil {
				return fmt.Errorf("etcd stopped answering "+
					"while we watched: %w", err)
			}
			continue
		}
		if err != nil && ctx.Err() == nil {
			return err
		}
		for _, ev := range evs {
			seen++
			t.Result("%s", evString(ev))
			if ev.Type == clientv3.EventTypePut {
				// The value the watch reported is the value the
				// store had then.
				ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
				then, err := cli.Get(ctx1, string(ev.Kv.Key),
					clientv3.WithRev(ev.Kv.ModRevision))
				cancel()
				same := err == nil && len(then.Kvs) == 1 &&
					string(then.Kvs[0].Value) == string(ev.Kv.Value)
				t.Check(same, "Get at revision %d "+
					"agrees with the event",
					ev.Kv.ModRevision)
			}
			if seen < yourWritesEvents {
				t.Wait(time.Until(deadline),
					"waiting for %d more event(s)",
					yourWritesEvents-seen)
			}
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	switch {
	case seen == 0:
		t.Say("No events within %v: the watch ends.", yourWritesTimeout)
	case seen < yourWritesEvents:
		t.Say("No more events within %v: the watch "+
			"ends after %d event(s).", yourWritesTimeout, seen)
	default:
		t.Say("%d events seen: the watch ends here.", seen)
	}
	stop()
	t.Check(closed(wch, t.Timeout()), "the channel is closed after cancel")
	return nil
}
