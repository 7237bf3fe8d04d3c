package runner

import (
	"fmt"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// The errors a lesson's client returns, for the tests of package
// runner_test to tell them apart.
var (
	ErrClusterWide  = errClusterWide
	ErrForeignLease = errForeignLease
)

// KV formats a key-value pair with its revisions, as the fixture lessons
// show it (lessons/course.go has the course's own).
func KV(kv *mvccpb.KeyValue) string {
	s := fmt.Sprintf("%q = %q  create_revision=%d mod_revision=%d version=%d",
		kv.Key, kv.Value, kv.CreateRevision, kv.ModRevision, kv.Version)
	if kv.Lease != 0 {
		s += fmt.Sprintf(" lease=%x", kv.Lease)
	}
	return s
}

// Ev formats a watch event, as the fixture lessons show it.
func Ev(ev *clientv3.Event) string {
	if ev.Type == clientv3.EventTypeDelete {
		return fmt.Sprintf("DELETE %q  mod_revision=%d", ev.Kv.Key, ev.Kv.ModRevision)
	}
	return fmt.Sprintf("PUT %q = %q  mod_revision=%d version=%d", ev.Kv.Key, ev.Kv.Value, ev.Kv.ModRevision, ev.Kv.Version)
}
