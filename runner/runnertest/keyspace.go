package runnertest

// A cluster's whole keyspace, to prove that a run left everything that is
// not its own as it found it.

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
)

// Keyspace is everything a cluster holds: every key with its value and
// revisions, and every lease.
type Keyspace struct {
	keys   map[string]string
	leases []clientv3.LeaseID
}

// ReadKeyspace reads everything cli's cluster holds.
func ReadKeyspace(t testing.TB, cli *clientv3.Client) Keyspace {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := cli.Get(ctx, "\x00", clientv3.WithFromKey())
	if err != nil {
		t.Fatal(err)
	}
	ks := Keyspace{keys: map[string]string{}}
	for _, kv := range resp.Kvs {
		ks.keys[string(kv.Key)] = fmt.Sprintf("value=%q create=%d mod=%d version=%d lease=%x",
			kv.Value, kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease)
	}
	ls, err := cli.Leases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls.Leases {
		ks.leases = append(ks.leases, l.ID)
	}
	slices.Sort(ks.leases)
	return ks
}

// SameKeyspace fails t unless after is before: no key changed, appeared or
// vanished, no lease was revoked or left behind, and the history is intact.
func SameKeyspace(t testing.TB, cli *clientv3.Client, before Keyspace) {
	t.Helper()
	after := ReadKeyspace(t, cli)
	for k, v := range before.keys {
		if a, ok := after.keys[k]; !ok {
			t.Errorf("key %q was deleted (it was %s)", k, v)
		} else if a != v {
			t.Errorf("key %q changed:\n before %s\n after  %s", k, v, a)
		}
	}
	for k, v := range after.keys {
		if _, ok := before.keys[k]; !ok {
			t.Errorf("key %q left behind: %s", k, v)
		}
	}
	if !slices.Equal(before.leases, after.leases) {
		t.Errorf("leases before %x, after %x", before.leases, after.leases)
	}
	// Revision 1 is readable only if nothing compacted the history.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := cli.Get(ctx, "name", clientv3.WithRev(1)); err != nil {
		t.Errorf("get at revision 1: %v (was the cluster compacted?)", err)
	}
}

// Fill writes keys that are not the course's, several of them named as the
// lessons and fixtures name theirs, a key held by a foreign lease, and a
// foreign lock.
func Fill(t testing.TB, cli *clientv3.Client) {
	t.Helper()
	// A deadline per call, not one for all: some 350 writes, each synced to
	// disk, under -race on a busy machine can take longer than any one
	// fixed total.
	call := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		t.Cleanup(cancel)
		return ctx
	}
	// (No plain key under "lock/" at the root: it would block the foreign
	// lock below, which queues behind any older key with its prefix.)
	names := []string{"name", "session", "session/cart", "worker", "dir/a", "dir/b", "dir/c", "dir/x", "dir/y", "other", "lock"}
	keys := []string{"/etcdtour-other/x", "/etcdtourx", "/etcdtour", "/etcdtour0", "/etcdtour.", "etcdtour/name",
		// inside the prefix, but another run's
		"/etcdtour/someone/put-get/name", "/etcdtour/someone/lease/session"}
	for _, p := range []string{"", "/", "/etcdtour-other/", "/etcdtourx/", "/app/", "put-get/", "/put-get/"} {
		for _, n := range names {
			keys = append(keys, p+n)
		}
	}
	for i, k := range keys {
		// Written twice, so that version and create/mod revisions differ.
		for _, v := range []string{"first", fmt.Sprintf("v%d", i)} {
			if _, err := cli.Put(call(), k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	l, err := cli.Grant(call(), 600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Put(call(), "/app/session", "leased", clientv3.WithLease(l.ID)); err != nil {
		t.Fatal(err)
	}
	// Foreign locks named as the lesson's: if the course's lock escaped its
	// namespace, the lock lesson would queue behind these and fail.
	for _, name := range []string{"lock", "/etcdtour/someone/lock/lock"} {
		s, err := concurrency.NewSession(cli, concurrency.WithTTL(600))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := concurrency.NewMutex(s, name).Lock(call()); err != nil {
			t.Fatal(err)
		}
	}
}

// Revision is the store's current revision.
func Revision(t testing.TB, cli *clientv3.Client) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := cli.Get(ctx, "\x00", clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	return resp.Header.Revision
}

// CountUnder is the number of keys under prefix.
func CountUnder(t testing.TB, cli *clientv3.Client, prefix string) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := cli.Get(ctx, prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	return resp.Count
}
