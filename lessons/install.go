package lessons

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	"etcdtour/runner"
)

// Install shows which client module the program was built with and what the
// server says about itself.
var Install = runner.Lesson{
	ID:     "install",
	Title:  "Install check",
	Doc:    "Which client module you build with, and what the server says about itself: version, cluster, members, leader.",
	Source: "lessons/install.go",
	Run:    install,
}

func install(ctx context.Context, t *runner.T) error {
	cli := t.Client

	t.Step("The client module")
	version := "(unknown)"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == "go.etcd.io/etcd/client/v3" {
				version = m.Version
			}
		}
	}
	t.Result("go.etcd.io/etcd/client/v3 %s, built with %s", version, runtime.Version())
	t.Say(`The article imported go.etcd.io/etcd/clientv3 (an old path inside the server's
module) and hit "undefined: balancer.PickOptions": that code needed grpc v1.26,
hence its "replace google.golang.org/grpc => v1.26.0" line. The client is its own
module since etcd 3.5, go.etcd.io/etcd/client/v3, and builds with current grpc:
"go get go.etcd.io/etcd/client/v3" is all it takes, no replace.`)

	t.Step("Ask the server for its status")
	ep := cli.Endpoints()[0]
	t.Etcdctl("endpoint", "status", "--endpoints="+ep, "-w", "table")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	st, err := cli.Status(ctx1, ep)
	cancel()
	if err != nil {
		return fmt.Errorf("status of %s: %w", ep, err)
	}
	t.Result("version=%s cluster_id=%x member_id=%x leader=%x raft_term=%d db_size=%d bytes",
		st.Version, st.Header.ClusterId, st.Header.MemberId, st.Leader, st.RaftTerm, st.DbSize)
	t.Check(st.Version != "", "the server reports its version (%s)", st.Version)
	t.Check(st.Leader != 0, "the cluster has a leader (%x)", st.Leader)

	t.Step("List the members")
	t.Etcdctl("member", "list", "-w", "table")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	ml, err := cli.MemberList(ctx1)
	cancel()
	if err != nil {
		return fmt.Errorf("member list: %w", err)
	}
	leaderFound := false
	for _, m := range ml.Members {
		role := "follower"
		if m.ID == st.Leader {
			role, leaderFound = "leader", true
		}
		t.Result("%x %s %s clients=%v", m.ID, m.Name, role, m.ClientURLs)
	}
	t.Check(leaderFound, "the leader is one of the %d member(s)", len(ml.Members))
	return nil
}
