package exercises

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/naming/endpoints"

	"etcdtour/runner/exercise"
)

// Discovery asks for the registration of the discovery lesson, with etcd's
// endpoints manager and gRPC resolver of the resolver lesson: an instance
// registered under a lease kept alive, found through etcd, gone a TTL
// after it died, registered again when it restarts.
var Discovery = exercise.Exercise{
	ID:     "discovery",
	Title:  "Register an instance under a lease kept alive, and find the live ones through etcd's gRPC resolver",
	Lesson: "discovery",
	Doc:    "docs/discovery.md",
	Hints: []string{
		"em, _ := endpoints.NewManager(cli, service); em.AddEndpoint(ctx1, service+\"/\"+addr, endpoints.Endpoint{Addr: addr}, clientv3.WithLease(lease.ID)) writes the key the resolver reads, under the instance's lease.",
		"Keep the lease alive with cli.KeepAlive(ctx, lease.ID) and read its channel until it closes: when the process dies, the renewals stop and the key goes a TTL later.",
		"Register with a Put, whatever is there: a key its previous process left is under a dead lease, and goes when that lease expires.",
		"builder, _ := resolver.NewBuilder(cli); grpc.NewClient(\"etcd:///\"+service, grpc.WithResolvers(builder), grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithDefaultServiceConfig(`{\"loadBalancingConfig\":[{\"round_robin\":{}}]}`)).",
	},
	Files:   files("discovery"),
	Members: 1,
	Checks:  discoveryChecks,
	Mistakes: []exercise.Mistake{
		{Dir: "no-keepalive", Bug: "a lease, never renewed: a running instance is gone a TTL later", Check: dsCheck, Says: "Keep it alive"},
		{Dir: "pick-first", Bug: "Dial with gRPC's default balancer, pick_first: every call to one instance", Check: dsCheck, Says: "round_robin"},
		{Dir: "skip-if-registered", Bug: "writes the key only if it is not there: a restarted instance keeps the key of its dead process, which goes with the dead lease", Check: dsCheck, Says: "whatever is there"},
		{Dir: "no-lease", Bug: "the key put with no lease: a dead instance stays registered", Check: dsCheck, Says: "Register under a lease"},
	},
}

// dsCheck is the discovery exercise's one check: its waits overlap, so
// that it takes the TTL and a second, not three times that.
const dsCheck = "three instances register, your Dial's calls reach each; instance 3 dies, instance 2 restarts: within TTL + 1 s calls reach instances 1 and 2 only"

// dsService is the service the instances register as.
const dsService = "services/health"

var discoveryChecks = []exercise.Check{{
	Name: dsCheck,
	Step: "discovery, step 1 (Two instances start and register, each under a lease), step 3 (Instance 2 crashes: renewals stop, its key goes a TTL later) and step 4 (Instance 2 finds its lease lost, and registers again); resolver, step 2 (A gRPC client resolves etcd:///services/health, round robin)",
	Run:  discover,
}}

// registration is the instances as registered: each one's address, the
// key and lease it was last registered with, and when.
type registration struct {
	ttl   int64
	addrs []string
	keys  []string
	lease []int64
	at    []time.Time
	runs  []*exercise.Running
}

// discover starts three instances, each registered before the next
// starts, and calls through the learner's Dial until each served one; then
// kills instance 3, kills instance 2 and restarts it at once (while its
// old key is there), and watches the keys: instance 2 must register
// again, instance 3's key go within TTL + 1 s, and no key of a live
// instance go; last, calls go to instances 1 and 2 only.
func discover(ctx context.Context, c *exercise.Code) error {
	ttl, err := shortTTL(ctx, c)
	if err != nil {
		return err
	}
	reg := &registration{ttl: ttl}
	for i := range 3 {
		if err := startInstance(ctx, c, reg, i); err != nil {
			return err
		}
	}
	if err := reachAll(ctx, c, reg); err != nil {
		return err
	}
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	now, err := c.Etcd.Get(ctx1, dsService+"/", clientv3.WithPrefix())
	cancel()
	if err != nil {
		return err
	}
	killed := time.Now()
	for _, i := range []int{2, 1} {
		if err := c.Call(ctx, "Kill", map[string]any{"Instance": i}, nil); err != nil {
			return err
		}
	}
	oldLease := reg.lease[1]
	err = startInstance(ctx, c, reg, 1)
	var f *exercise.Failure
	if errors.As(err, &f) {
		return c.Fail("instance 2 was killed and restarted at once, while the key its dead process left was still there (under lease %x), and in 3 s it wrote no key of its own: when that lease expires the key goes, and instance 2 with it, though it runs. Register with a Put under your new lease, whatever is there", oldLease)
	}
	if err != nil {
		return err
	}
	// Instance 1's lease is the oldest: unrenewed, it would be gone by
	// then; instance 3's, unrenewed since the kill, by the deadline.
	live := reg.at[0].Add(time.Duration(ttl)*time.Second + time.Second)
	deadline := killed.Add(time.Duration(ttl)*time.Second + time.Second)
	wctx, cancel := context.WithDeadline(clientv3.WithRequireLeader(ctx), deadline)
	defer cancel()
	dead := false
	for resp := range c.Etcd.Watch(wctx, dsService+"/", clientv3.WithPrefix(), clientv3.WithRev(now.Header.Revision+1)) {
		if err := resp.Err(); err != nil {
			return err
		}
		for _, ev := range resp.Events {
			if ev.Type != clientv3.EventTypeDelete {
				continue
			}
			switch key := string(ev.Kv.Key); key {
			case reg.keys[2]:
				dead = true
			case reg.keys[0], reg.keys[1]:
				i := 0
				if key == reg.keys[1] {
					i = 1
				}
				return c.Fail("instance %d's key was deleted %v after it was put, while the instance runs: its lease expired. Keep it alive: cli.KeepAlive(ctx, lease.ID), and read its channel", i+1, time.Since(reg.at[i]).Round(100*time.Millisecond))
			}
		}
		if dead && time.Now().After(live) {
			cancel()
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if !dead {
		return c.Fail("the checker killed instance 3 (its client closed: no more renewals); %v later its key %s is still there, and your Dial's calls still go to it: Register under a lease of the TTL given (clientv3.WithLease), so that a dead instance's key goes a TTL after its renewals stop", time.Since(killed).Round(100*time.Millisecond), reg.keys[2])
	}
	// The resolver applies the delete on a goroutine of its own, and
	// nothing says when: call in rounds until one misses instance 3.
	for start := time.Now(); ; {
		s, err := send(ctx, c, 3)
		if err != nil {
			return err
		}
		if s.Served[2] == 0 || time.Since(start) > time.Second {
			break
		}
	}
	s, err := send(ctx, c, 10)
	if err != nil {
		return err
	}
	if s.Served[2] > 0 || s.Served[0] == 0 || s.Served[1] == 0 || s.Failed > 0 {
		return c.Fail("instance 3's key went; then, of 10 calls through your Dial's connection, %d went to instance 1, %d to instance 2, %d to instance 3, and %d failed (%s): calls go to the instances registered, round robin", s.Served[0], s.Served[1], s.Served[2], s.Failed, s.Err)
	}
	return nil
}

// startInstance starts instance i's Register and waits until it is
// registered: a put of its address under the service, within 3 s.
func startInstance(ctx context.Context, c *exercise.Code, reg *registration, i int) error {
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	now, err := c.Etcd.Get(ctx1, dsService+"/", clientv3.WithPrefix())
	cancel()
	if err != nil {
		return err
	}
	r := c.Start("Register", map[string]any{"Instance": i, "Service": dsService, "TTL": reg.ttl})
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	var addr string
	err = r.Next(ctx1, &addr)
	cancel()
	if err != nil {
		return err
	}
	for len(reg.addrs) <= i {
		reg.addrs, reg.keys, reg.lease = append(reg.addrs, ""), append(reg.keys, ""), append(reg.lease, 0)
		reg.at, reg.runs = append(reg.at, time.Time{}), append(reg.runs, nil)
	}
	reg.addrs[i], reg.runs[i] = addr, r
	return registered(ctx, c, reg, i, now.Header.Revision)
}

// registered watches the service's keys from after rev, at most 3 s, for
// the put of instance i's address, and notes its key, lease and time; the
// instance's Register must not return meanwhile.
func registered(ctx context.Context, c *exercise.Code, reg *registration, i int, rev int64) error {
	wctx, cancel := context.WithTimeout(clientv3.WithRequireLeader(ctx), 3*time.Second)
	returned := make(chan error, 1)
	go func() { returned <- reg.runs[i].Wait(wctx, nil) }()
	defer func() {
		cancel()
		<-returned
	}()
	wch := c.Etcd.Watch(wctx, dsService+"/", clientv3.WithPrefix(), clientv3.WithRev(rev+1))
	rch := returned
	for {
		select {
		case resp, ok := <-wch:
			if !ok {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return c.Fail("instance %d (%s) was not registered under %s/ within 3 s of its Register: em.AddEndpoint(ctx1, service+\"/\"+addr, endpoints.Endpoint{Addr: addr}, clientv3.WithLease(lease.ID))", i+1, reg.addrs[i], dsService)
			}
			if err := resp.Err(); err != nil {
				return err
			}
			for _, ev := range resp.Events {
				var ep endpoints.Endpoint
				if ev.Type == clientv3.EventTypePut && json.Unmarshal(ev.Kv.Value, &ep) == nil && ep.Addr == reg.addrs[i] {
					reg.keys[i], reg.lease[i], reg.at[i] = string(ev.Kv.Key), ev.Kv.Lease, time.Now()
					return nil
				}
			}
		case err := <-rch:
			returned <- nil // for the deferred receive
			rch = nil
			switch {
			case wctx.Err() != nil:
				continue // the watch ends, and says why
			case err == nil:
				return c.Fail("Register returned before its ctx ended: keep the instance registered until ctx ends")
			}
			return err
		}
	}
}

// sent is what Send returned: the calls each instance served, and the
// calls that failed, with the last failure.
type sent struct {
	Served map[int]int
	Failed int
	Err    string
}

func send(ctx context.Context, c *exercise.Code, n int) (sent, error) {
	var s sent
	err := c.Call(ctx, "Send", map[string]any{"Service": dsService, "N": n}, &s)
	return s, err
}

// reachAll calls through the learner's Dial in rounds until every
// instance has served a call, for at most 3 s.
func reachAll(ctx context.Context, c *exercise.Code, reg *registration) error {
	total := sent{Served: map[int]int{}}
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		s, err := send(ctx, c, len(reg.addrs))
		if err != nil {
			return err
		}
		for i, n := range s.Served {
			total.Served[i] += n
		}
		total.Failed += s.Failed
		if s.Err != "" {
			total.Err = s.Err
		}
		all := true
		for i := range reg.addrs {
			all = all && total.Served[i] > 0
		}
		if all {
			return nil
		}
	}
	// A key gone is the registration's fault, not the balancer's.
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	resp, err := c.Etcd.Get(ctx1, dsService+"/", clientv3.WithPrefix(), clientv3.WithKeysOnly())
	cancel()
	if err != nil {
		return err
	}
	there := map[string]bool{}
	for _, kv := range resp.Kvs {
		there[string(kv.Key)] = true
	}
	reached, none := []int{}, 0
	for i, key := range reg.keys {
		if !there[key] {
			return c.Fail("instance %d's key was deleted %v after it was put, while the instance runs: its lease expired. Keep it alive: cli.KeepAlive(ctx, lease.ID), and read its channel", i+1, time.Since(reg.at[i]).Round(100*time.Millisecond))
		}
		if total.Served[i] > 0 {
			reached = append(reached, i)
		} else {
			none = i
		}
	}
	if len(reached) == 0 {
		return c.Fail("no call through your Dial's connection reached an instance in 3 s (%d failed: %s): resolve \"etcd:///\"+service with resolver.NewBuilder(cli)", total.Failed, total.Err)
	}
	return c.Fail("in 3 s of calls through your Dial's connection, %d went to instance %d and none to instance %d: gRPC's default balancer, pick_first, uses one address. Spread them: grpc.WithDefaultServiceConfig(`{\"loadBalancingConfig\":[{\"round_robin\":{}}]}`)", total.Served[reached[0]], reached[0]+1, none+1)
}
