package runner

import (
	"context"
	"errors"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// TestGuardsRefuse: each call the lesson client refuses returns
// errClusterWide, or errForeignLease for a lease the lesson did not grant,
// without reaching a server (there is none behind the guards here).
// TestLessonClientRefusesClusterWideCalls proves the guards are on a
// lesson's client.
func TestGuardsRefuse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lease := trackedLease{set: &leaseSet{ids: map[clientv3.LeaseID]bool{}}}
	for call, err := range map[string]error{
		"Compact":      second(guardedKV{}.Compact(ctx, 1)),
		"Defragment":   second(guardedMaintenance{}.Defragment(ctx, "e")),
		"MoveLeader":   second(guardedMaintenance{}.MoveLeader(ctx, 1)),
		"Snapshot":     second(guardedMaintenance{}.Snapshot(ctx)),
		"MemberAdd":    second(guardedCluster{}.MemberAdd(ctx, nil)),
		"MemberRemove": second(guardedCluster{}.MemberRemove(ctx, 1)),
		"AuthDisable":  second(guardedAuth{}.AuthDisable(ctx)),
		"UserAdd":      second(guardedAuth{}.UserAdd(ctx, "u", "p")),
	} {
		if !errors.Is(err, errClusterWide) {
			t.Errorf("%s: %v, want errClusterWide", call, err)
		}
	}
	for call, err := range map[string]error{
		"Revoke":        second(lease.Revoke(ctx, 7)),
		"KeepAlive":     second(lease.KeepAlive(ctx, 7)),
		"KeepAliveOnce": second(lease.KeepAliveOnce(ctx, 7)),
		"TimeToLive":    second(lease.TimeToLive(ctx, 7)),
	} {
		if !errors.Is(err, errForeignLease) {
			t.Errorf("%s of a foreign lease: %v, want errForeignLease", call, err)
		}
	}
}

// second is the error of a call's two results.
func second[R any](_ R, err error) error { return err }
