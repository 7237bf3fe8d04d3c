package lessons

import (
	"context"
	"errors"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

const (
	yourWritesTimeout = 2 * time.Minute // how long to wait for the learner
	yourWritesEvents  = 3               // the events that end it
	aliveEvery        = time.Second     // a ping's period
)

// watchYourWrites is the watch lesson as the article ran it: the learner
// writes from another terminal with etcdctl, and the watch shows each event.
func watchYourWrites(ctx context.Context, t *runner.T,
	wch clientv3.WatchChan) error {
	t.Step("You write the key from another terminal; the watch sees it")
	defer t.SayStray(ctx, t.Key("name"))()
	t.Say(`The watch is on the key the lines below write, and on no other.
In another terminal, run
  export %s
and then any of these:`, t.EtcdctlEnv())
	t.Etcdctl("put", t.Key("name"), "hello")
	t.Etcdctl("put", t.Key("name"), "world")
	t.Etcdctl("del", t.Key("name"))
	t.Wait(yourWritesTimeout, "watching %q for %d events or %v",
		t.Key("name"), yourWritesEvents, yourWritesTimeout)
	seen, end := 0, time.Now().Add(yourWritesTimeout)
	for seen < yourWritesEvents && time.Now().Before(end) {
		evs, err := nextEvents(ctx, wch, 1, min(aliveEvery, time.Until(end)))
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			// A watch does not tell when its server has gone: ask etcd.
			if err := t.Ping(ctx); err != nil {
				return fmt.Errorf("etcd stopped answering: %w", err)
			}
		case err != nil:
			return err
		}
		for _, ev := range evs {
			seen++
			t.Result("%s", evString(ev))
			if seen < yourWritesEvents {
				t.Wait(time.Until(end), "waiting for %d more event(s)",
					yourWritesEvents-seen)
			}
		}
	}
	t.Say("%d event(s) seen: the watch ends.", seen)
	return nil
}
