package lessons_test

// Pitfalls the pages state for cases their lessons do not run, each checked
// here against a real server: lock-loss (a waiter whose lease is lost),
// election (Campaign on a session whose lease is gone) and txn (a missing
// key in a comparison, and the server's limits on a transaction).

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
)

// TestLockWaiterLeaseLost: a Lock queued behind another session's key is
// not told when its own lease goes; it returns ErrSessionExpired only once
// the holder lets go (docs/lock-loss.md).
func TestLockWaiterLeaseLost(t *testing.T) {
	newClient := lockServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cli := newClient()
	holder := concurrency.NewMutex(newSession(t, cli), "/pit/lock")
	if err := holder.Lock(ctx); err != nil {
		t.Fatal(err)
	}
	s3 := newSession(t, cli)
	waiter := concurrency.NewMutex(s3, "/pit/lock")
	wch := cli.Watch(ctx, "/pit/lock/", clientv3.WithPrefix(), clientv3.WithRev(holder.Header().Revision+1))
	locked := make(chan error, 1)
	go func() { locked <- waiter.Lock(ctx) }()
	next := func(want mvccpb.Event_EventType) {
		t.Helper()
		for resp := range wch {
			for _, ev := range resp.Events {
				if ev.Type == want {
					return
				}
			}
		}
		t.Fatalf("no %v on the lock's keys", want)
	}
	next(clientv3.EventTypePut) // the waiter's key, queued
	if _, err := cli.Revoke(ctx, s3.Lease()); err != nil {
		t.Fatal(err)
	}
	next(clientv3.EventTypeDelete) // its key went with its lease
	select {
	case err := <-locked:
		t.Fatalf("the waiter's Lock returned while the holder held the lock: %v", err)
	case <-time.After(200 * time.Millisecond): // it does not return on its own
	}
	if err := holder.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-locked; !errors.Is(err, concurrency.ErrSessionExpired) {
		t.Fatalf("the waiter's Lock once the holder unlocked: %v, want ErrSessionExpired", err)
	}
}

// TestCampaignOnLostSession: Campaign on a session whose lease is gone
// fails with "requested lease not found" (docs/election.md).
func TestCampaignOnLostSession(t *testing.T) {
	newClient := lockServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cli := newClient()
	s := newSession(t, cli)
	if _, err := cli.Revoke(ctx, s.Lease()); err != nil {
		t.Fatal(err)
	}
	err := concurrency.NewElection(s, "/pit/e").Campaign(ctx, "v")
	if err == nil || !strings.Contains(err.Error(), "requested lease not found") {
		t.Fatalf("Campaign on a revoked session: %v, want requested lease not found", err)
	}
}

// TestTxnMissingKeyAndLimits: a missing key compares as one whose create
// and mod revisions, version and lease are 0, and fails every Value
// comparison, != included; a key written twice in a branch, or more than
// 128 operations in one, is refused (docs/txn.md).
func TestTxnMissingKeyAndLimits(t *testing.T) {
	cli := lockServer(t)()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	k := "/pit/txn/missing"
	for _, c := range []struct {
		cmp  clientv3.Cmp
		want bool
	}{
		{clientv3.Compare(clientv3.CreateRevision(k), "=", 0), true},
		{clientv3.Compare(clientv3.ModRevision(k), "=", 0), true},
		{clientv3.Compare(clientv3.Version(k), "=", 0), true},
		{clientv3.Compare(clientv3.Version(k), "<", 5), true},
		{clientv3.Compare(clientv3.LeaseValue(k), "=", 0), true},
		{clientv3.Compare(clientv3.Value(k), "=", ""), false},
		{clientv3.Compare(clientv3.Value(k), "!=", "x"), false},
	} {
		resp, err := cli.Txn(ctx).If(c.cmp).Commit()
		if err != nil {
			t.Fatal(err)
		}
		if resp.Succeeded != c.want {
			t.Errorf("%v against a missing key: succeeded=%v, want %v", c.cmp, resp.Succeeded, c.want)
		}
	}
	_, err := cli.Txn(ctx).Then(clientv3.OpPut("/pit/txn/a", "1"), clientv3.OpPut("/pit/txn/a", "2")).Commit()
	if err == nil || !strings.Contains(err.Error(), "duplicate key given in txn request") {
		t.Errorf("a key put twice in one branch: %v, want duplicate key", err)
	}
	var ops []clientv3.Op
	for i := range 129 {
		ops = append(ops, clientv3.OpPut(fmt.Sprintf("/pit/txn/k%03d", i), "v"))
	}
	if _, err := cli.Txn(ctx).Then(ops[:128]...).Commit(); err != nil {
		t.Errorf("128 operations in a branch: %v, want them taken", err)
	}
	_, err = cli.Txn(ctx).Then(ops...).Commit()
	if err == nil || !strings.Contains(err.Error(), "too many operations in txn request") {
		t.Errorf("129 operations in a branch: %v, want too many operations", err)
	}
	if _, err := cli.Delete(ctx, "/pit/txn/", clientv3.WithPrefix()); err != nil {
		t.Fatal(err)
	}
}
