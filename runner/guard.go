package runner

import (
	"context"
	"errors"
	"fmt"
	"io"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// The lesson's client is namespaced, but namespace only rewrites keys: calls
// that act on the whole cluster pass straight through. On a cluster the user
// named, a lesson must never make them, so the lesson's client refuses them.

// errClusterWide is returned for a call a lesson may not make.
var errClusterWide = errors.New("etcdtour: lessons may not make cluster-wide changes")

func refuse(call string) error { return fmt.Errorf("%s: %w", call, errClusterWide) }

// guardedKV refuses Compact, which drops history for every key. A lesson
// with an etcd of its own (Lesson.Needs) gets the KV without it.
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

// ownMaintenance is the maintenance of a lesson's own etcd (Lesson.Needs):
// Defragment too, which only takes its time on a cluster of the lesson's.
type ownMaintenance struct{ guardedMaintenance }

func (m ownMaintenance) Defragment(ctx context.Context, endpoint string) (*clientv3.DefragmentResponse, error) {
	return m.Maintenance.Defragment(ctx, endpoint)
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

// Snapshot and SnapshotWithVersion stream the whole database, every key of
// the cluster: not the lesson's to read.
func (guardedMaintenance) Snapshot(context.Context) (io.ReadCloser, error) {
	return nil, refuse("Snapshot")
}

func (guardedMaintenance) SnapshotWithVersion(context.Context) (*clientv3.SnapshotResponse, error) {
	return nil, refuse("SnapshotWithVersion")
}

// guardedAuth keeps Authenticate (the client itself uses it for its token)
// and the calls that only read, and refuses every change to users, roles
// and auth itself.
type guardedAuth struct{ clientv3.Auth }

func (guardedAuth) AuthEnable(context.Context) (*clientv3.AuthEnableResponse, error) {
	return nil, refuse("AuthEnable")
}

func (guardedAuth) AuthDisable(context.Context) (*clientv3.AuthDisableResponse, error) {
	return nil, refuse("AuthDisable")
}

func (guardedAuth) UserAdd(context.Context, string, string) (*clientv3.AuthUserAddResponse, error) {
	return nil, refuse("UserAdd")
}

func (guardedAuth) UserAddWithOptions(context.Context, string, string, *clientv3.UserAddOptions) (*clientv3.AuthUserAddResponse, error) {
	return nil, refuse("UserAddWithOptions")
}

func (guardedAuth) UserDelete(context.Context, string) (*clientv3.AuthUserDeleteResponse, error) {
	return nil, refuse("UserDelete")
}

func (guardedAuth) UserChangePassword(context.Context, string, string) (*clientv3.AuthUserChangePasswordResponse, error) {
	return nil, refuse("UserChangePassword")
}

func (guardedAuth) UserGrantRole(context.Context, string, string) (*clientv3.AuthUserGrantRoleResponse, error) {
	return nil, refuse("UserGrantRole")
}

func (guardedAuth) UserRevokeRole(context.Context, string, string) (*clientv3.AuthUserRevokeRoleResponse, error) {
	return nil, refuse("UserRevokeRole")
}

func (guardedAuth) RoleAdd(context.Context, string) (*clientv3.AuthRoleAddResponse, error) {
	return nil, refuse("RoleAdd")
}

func (guardedAuth) RoleGrantPermission(context.Context, string, string, string, clientv3.PermissionType) (*clientv3.AuthRoleGrantPermissionResponse, error) {
	return nil, refuse("RoleGrantPermission")
}

func (guardedAuth) RoleRevokePermission(context.Context, string, string, string) (*clientv3.AuthRoleRevokePermissionResponse, error) {
	return nil, refuse("RoleRevokePermission")
}

func (guardedAuth) RoleDelete(context.Context, string) (*clientv3.AuthRoleDeleteResponse, error) {
	return nil, refuse("RoleDelete")
}
