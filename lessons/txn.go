package lessons

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"etcdtour/runner"
)

// Txn shows compare-and-swap, and the lost update it prevents.
var Txn = runner.Lesson{
	ID:    "txn",
	Title: "Transactions and compare-and-swap",
	Doc: "If/Then/Else in one request: create a key only if it is absent, " +
		"swap it only if nobody changed it, and count the updates that " +
		"plain Get and Put lose.",
	Run: txn,
}

func txn(ctx context.Context, t *runner.T) error {
	cli := t.Client

	t.Step("Create a key only if it does not exist")
	t.Say(`A key never written (or deleted) has create_revision 0:
Redis's SETNX. (The article likened a lease to SETNX; it is like EXPIRE.)`)
	absent := clientv3.Compare(clientv3.CreateRevision("owner"), "=", 0)
	var won []bool
	for _, owner := range []string{"a", "b"} {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		resp, err := cli.Txn(ctx1).If(absent).
			Then(clientv3.OpPut("owner", owner)).
			Else(clientv3.OpGet("owner")).Commit()
		cancel()
		if err != nil {
			return err
		}
		t.Result("%s: succeeded=%v", owner, resp.Succeeded)
		won = append(won, resp.Succeeded)
		if !resp.Succeeded {
			kv := resp.Responses[0].GetResponseRange().Kvs[0]
			t.Result("the Else branch read %s", kvString(kv))
		}
	}
	t.Equal(won, []bool{true, false},
		"the first create succeeds, the second runs Else")

	t.Step("Compare-and-swap on mod_revision")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	get, err := cli.Get(ctx1, "owner")
	cancel()
	if err != nil {
		return err
	}
	seen := get.Kvs[0].ModRevision
	// The second swap compares with a revision that the first made stale.
	unchanged := clientv3.Compare(clientv3.ModRevision("owner"), "=", seen)
	var swapped []bool
	for _, value := range []string{"c", "d"} {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		resp, err := cli.Txn(ctx1).If(unchanged).Then(
			clientv3.OpPut("owner", value),
			clientv3.OpPut("owner-since", strconv.FormatInt(seen, 10)),
		).Commit()
		cancel()
		if err != nil {
			return err
		}
		t.Result("swap to %q: succeeded=%v at revision %d",
			value, resp.Succeeded, resp.Header.Revision)
		swapped = append(swapped, resp.Succeeded)
	}
	t.Equal(swapped, []bool{true, false},
		"the swap from the revision read succeeds, from a stale one fails")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	get, err = cli.Get(ctx1, "owner", clientv3.WithPrefix())
	cancel()
	if err != nil {
		return err
	}
	for _, kv := range get.Kvs {
		t.Result("%s", kvString(kv))
	}
	t.Equal(get.Kvs[0].ModRevision, get.Kvs[1].ModRevision,
		"both puts of the swap are at one revision")

	t.Step("Lost updates: four clients, Get then Put")
	t.Say(`Four callers of one client add 1 to a counter ten times
each, interleaved to lose updates: each round all read, then all write.`)
	const clients, rounds = 4, 10
	for range rounds {
		read := make([]int, clients)
		for i := range read {
			ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
			get, err := cli.Get(ctx1, "counter")
			cancel()
			if err != nil {
				return err
			}
			if len(get.Kvs) > 0 {
				read[i], _ = strconv.Atoi(string(get.Kvs[0].Value))
			}
		}
		for _, n := range read {
			ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
			_, err := cli.Put(ctx1, "counter", strconv.Itoa(n+1))
			cancel()
			if err != nil {
				return err
			}
		}
	}
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	get, err = cli.Get(ctx1, "counter")
	cancel()
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(string(get.Kvs[0].Value))
	t.Result("counter=%d after %d increments: %d lost",
		n, clients*rounds, clients*rounds-n)
	t.Equal(n, rounds, "each round, three of the four increments are lost")

	t.Step("The same with a Txn retry loop, and with STM, all at once")
	t.Say(`Each increment writes only if mod_revision is what it read
and retries if not: optimistic concurrency. NewSTM is that loop.`)
	var retried atomic.Int64
	casIncrement := func(c int) error {
		value, rev := 0, int64(0) // mod_revision 0: no such key yet
		for done := 0; done < rounds; {
			unchanged := clientv3.Compare(clientv3.ModRevision("cas"), "=", rev)
			ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
			resp, err := cli.Txn(ctx1).If(unchanged).
				Then(clientv3.OpPut("cas", strconv.Itoa(value+1))).
				Else(clientv3.OpGet("cas")).Commit()
			cancel()
			if err != nil {
				return fmt.Errorf("cas client %d, increment %d of %d: %w",
					c, done+1, rounds, err)
			}
			if resp.Succeeded {
				done++
				value, rev = value+1, resp.Header.Revision
				continue
			}
			retried.Add(1) // someone wrote first: Else read it, again
			kv := resp.Responses[0].GetResponseRange().Kvs[0]
			value, _ = strconv.Atoi(string(kv.Value))
			rev = kv.ModRevision
		}
		return nil
	}
	stmIncrement := func(c int) error {
		for i := range rounds {
			// A try loses only to another client's increment.
			ctx1, cancel := context.WithTimeout(ctx, clients*t.Timeout())
			tries := 0
			_, err := concurrency.NewSTM(cli, func(s concurrency.STM) error {
				tries++
				value, _ := strconv.Atoi(s.Get("stm"))
				s.Put("stm", strconv.Itoa(value+1))
				return nil
			}, concurrency.WithAbortContext(ctx1))
			cancel()
			if err != nil {
				return fmt.Errorf("stm client %d, increment %d: "+
					"%d tries lost: %w", c, i+1, tries, err)
			}
		}
		return nil
	}
	var wg sync.WaitGroup
	errs := make([]error, 2*clients)
	for i := range clients {
		wg.Go(func() { errs[i] = casIncrement(i + 1) })
		wg.Go(func() { errs[clients+i] = stmIncrement(i + 1) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	t.Result("the Txn loop retried %d times, each after a stale "+
		"read: a plain Put would have lost an update", retried.Load())
	for _, key := range []string{"cas", "stm"} {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		get, err := cli.Get(ctx1, key)
		cancel()
		if err != nil {
			return err
		}
		t.Equal(string(get.Kvs[0].Value), strconv.Itoa(clients*rounds),
			"%s: no increment lost", key)
	}
	return nil
}
