package lessons_test

// The two facts the lock lesson's docs page states, checked against a real
// server: a lock under contention serializes a read-modify-write exactly,
// and a holder whose lease is gone can no longer write through a fence.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
	"go.uber.org/zap"

	"etcdtour/runner/runnertest"
)

// lockServer returns a function that opens a client to the package's
// server. t.Cleanup closes the clients.
func lockServer(t *testing.T) func() *clientv3.Client {
	t.Helper()
	t.Parallel()
	srv := runnertest.Server(t)
	return func() *clientv3.Client {
		t.Helper()
		cli, err := clientv3.New(clientv3.Config{Endpoints: []string{srv.Endpoint()},
			DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cli.Close() })
		return cli
	}
}

// TestLockContention has 8 sessions, each with its own client, do 25
// lock–read–increment–write–unlock rounds on one counter. Without mutual
// exclusion two sessions would read the same value and an increment would be
// lost; with it the counter ends at exactly 8×25.
func TestLockContention(t *testing.T) {
	const sessions, rounds = 8, 25
	newClient := lockServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const counter = "/contention/counter"
	if _, err := newClient().Put(ctx, counter, "0"); err != nil {
		t.Fatal(err)
	}

	var holders atomic.Int32 // sessions inside the critical section right now
	var wg sync.WaitGroup
	errs := make(chan error, sessions)
	for i := range sessions {
		cli := newClient()
		s, err := concurrency.NewSession(cli, concurrency.WithTTL(10), concurrency.WithContext(ctx))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		m := concurrency.NewMutex(s, "/contention/lock")
		wg.Go(func() {
			for r := range rounds {
				if err := increment(ctx, cli, m, counter, &holders); err != nil {
					errs <- fmt.Errorf("session %d, round %d: %w", i, r, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	resp, err := newClient().Get(ctx, counter)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(resp.Kvs[0].Value); got != strconv.Itoa(sessions*rounds) {
		t.Errorf("counter = %s after %d sessions × %d rounds, want %d", got, sessions, rounds, sessions*rounds)
	}
	if v := resp.Kvs[0].Version; v != sessions*rounds+1 {
		t.Errorf("counter written %d times, want %d", v-1, sessions*rounds)
	}
}

// increment does one round: lock, read the counter, write it plus one, unlock.
func increment(ctx context.Context, cli *clientv3.Client, m *concurrency.Mutex, key string, holders *atomic.Int32) error {
	if err := m.Lock(ctx); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	err := func() error {
		defer holders.Add(-1)
		if n := holders.Add(1); n != 1 {
			return fmt.Errorf("%d sessions hold the lock at once", n)
		}
		resp, err := cli.Get(ctx, key)
		if err != nil {
			return fmt.Errorf("get: %w", err)
		}
		n, err := strconv.Atoi(string(resp.Kvs[0].Value))
		if err != nil {
			return err
		}
		if _, err := cli.Put(ctx, key, strconv.Itoa(n+1)); err != nil {
			return fmt.Errorf("put: %w", err)
		}
		return nil
	}()
	if uerr := m.Unlock(ctx); uerr != nil {
		err = errors.Join(err, fmt.Errorf("unlock: %w", uerr))
	}
	return err
}
