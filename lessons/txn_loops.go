package lessons

import (
	"context"
	"strconv"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"etcdtour/runner"
)

// interleavedIncrements has clients add 1 to key rounds times each with a
// plain Get and Put, in the order that loses updates: in each round every
// client reads, then every client writes what it read + 1.
func interleavedIncrements(ctx context.Context, t *runner.T, key string,
	clients, rounds int) error {
	cli := t.Client
	for round := 0; round < rounds; round++ {
		read := make([]int, clients)
		for i := range read {
			ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
			get, err := cli.Get(ctx1, key)
			cancel()
			if err != nil {
				return err
			}
			if len(get.Kvs) > 0 {
				read[i], _ = strconv.Atoi(
					string(get.Kvs[0].Value))
			}
		}
		for _, n := range read {
			ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
			_, err := cli.Put(ctx1, key, strconv.Itoa(n+1))
			cancel()
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// casIncrement adds 1 to key n times with compare-and-swap: read the value
// and its mod_revision, write only if the key has not moved since, retry if
// it has. It returns how many times it retried.
func casIncrement(ctx context.Context, t *runner.T, key string, n int) (int,
	error) {
	cli := t.Client
	retries := 0
	for done := 0; done < n; {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		get, err := cli.Get(ctx1, key)
		cancel()
		if err != nil {
			return retries, err
		}
		// mod_revision 0: the key does not exist
		value, rev := 0, int64(0)
		if len(get.Kvs) > 0 {
			value, _ = strconv.Atoi(string(get.Kvs[0].Value))
			rev = get.Kvs[0].ModRevision
		}
		unchanged := clientv3.Compare(clientv3.ModRevision(key), "=",
			rev)
		ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
		resp, err := cli.Txn(ctx1).
			If(unchanged).
			Then(clientv3.OpPut(key, strconv.Itoa(value+1))).
			Commit()
		cancel()
		if err != nil {
			return retries, err
		}
		if resp.Succeeded {
			done++
		} else {
			retries++ // someone wrote first: read again
		}
	}
	return retries, nil
}

// stmIncrement adds 1 to key n times in software transactional memory:
// NewSTM runs the function, and retries it when a key it read has moved.
func stmIncrement(ctx context.Context, t *runner.T, key string, n int) error {
	for i := 0; i < n; i++ {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		_, err := concurrency.NewSTM(t.Client,
			func(s concurrency.STM) error {
				value, _ := strconv.Atoi(s.Get(key))
				s.Put(key, strconv.Itoa(value+1))
				return nil
			}, concurrency.WithAbortContext(ctx1))
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// incrementAll runs clients Txn loops on "cas" and as many STMs on "stm",
// all at once, each adding 1 rounds times, and returns how many times the
// Txn loops retried.
func incrementAll(ctx context.Context, t *runner.T,
	clients, rounds int) (int, error) {
	var wg sync.WaitGroup
	errs := make(chan error, 2*clients)
	retries := make(chan int, clients)
	for i := 0; i < clients; i++ {
		wg.Go(func() {
			n, err := casIncrement(ctx, t, "cas", rounds)
			retries <- n
			errs <- err
		})
		wg.Go(func() { errs <- stmIncrement(ctx, t, "stm", rounds) })
	}
	wg.Wait()
	close(errs)
	close(retries)
	for err := range errs {
		if err != nil {
			return 0, err
		}
	}
	retried := 0
	for n := range retries {
		retried += n
	}
	return retried, nil
}
