package runner

import (
	"context"
	"errors"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// The lesson's client is namespaced, but namespace only rewrites keys: calls
// that act on the whole cluster pass straight through. On a cluster the user
// named, a lesson must never make them, so the lesson's client refuses them.

// ErrClusterWide is returned for a call a lesson may not make.
var ErrClusterWide = errors.New("etcdtour: lessons may not make cluster-wide changes")

func refuse(call string) error { return fmt.Errorf("%s: %w", call, ErrClusterWide) }

// guardedKV refuses Compact, which drops history for every key.
type guardedKV struct{ clientv3.KV }

func (guardedKV) Compact(context.Context, int64, ...clientv3.CompactOption) (*clientv3.CompactResponse, error) {
	return nil, refuse("Compact")
}

// guardedMaintenance keeps the read-only calls (Status, AlarmList, ...) and
// refuses those that change the cluster.
type guardedMaintenance struct{ clientv3.Maintenance }

func (guardedMaintenance) Defragment(context.Context, string) (*clientv3.DefragmentResponse, error) {
	return nil, refuse("Defragment")
}

func (guardedMaintenance) AlarmDisarm(context.Context, *clientv3.AlarmMember) (*clientv3.AlarmResponse, error) {
	return nil, refuse("AlarmDisarm")
}

func (guardedMaintenance) MoveLeader(context.Context, uint64) (*clientv3.MoveLeaderResponse, error) {
	return nil, refuse("MoveLeader")
}

func (guardedMaintenance) Downgrade(context.Context, clientv3.DowngradeAction, string) (*clientv3.DowngradeResponse, error) {
	return nil, refuse("Downgrade")
}

// guardedCluster keeps MemberList and refuses membership changes.
type guardedCluster struct{ clientv3.Cluster }

func (guardedCluster) MemberAdd(context.Context, []string) (*clientv3.MemberAddResponse, error) {
	return nil, refuse("MemberAdd")
}

func (guardedCluster) MemberAddAsLearner(context.Context, []string) (*clientv3.MemberAddResponse, error) {
	return nil, refuse("MemberAddAsLearner")
}

func (guardedCluster) MemberRemove(context.Context, uint64) (*clientv3.MemberRemoveResponse, error) {
	return nil, refuse("MemberRemove")
}

func (guardedCluster) MemberUpdate(context.Context, uint64, []string) (*clientv3.MemberUpdateResponse, error) {
	return nil, refuse("MemberUpdate")
}

func (guardedCluster) MemberPromote(context.Context, uint64) (*clientv3.MemberPromoteResponse, error) {
	return nil, refuse("MemberPromote")
}
