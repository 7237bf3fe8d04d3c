package lessons

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// Install shows which client module the program was built with and what the
// server says about itself.
var Install = runner.Lesson{
	ID:    "install",
	Title: "Install check",
	Doc: "Which client module you build with, and what the server " +
		"says about itself: version, cluster, members, leader.",
	Run: install,
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
	t.Result("go.etcd.io/etcd/client/v3 %s, built with %s", version,
		runtime.Version())
	t.Say(`The article ran "go get go.etcd.io/etcd/clientv3", which
resolved to github.com/coreos/etcd v3.3.25+incompatible and failed to
build with "undefined: balancer.PickOptions"; it pinned grpc with
"replace google.golang.org/grpc => google.golang.org/grpc v1.26.0".
Since etcd 3.5 the client is its own module, and
"go get go.etcd.io/etcd/client/v3" is all it takes, no replace.`)

	t.Step("Ask each endpoint for its status")
	var st *clientv3.StatusResponse
	for _, ep := range cli.Endpoints() {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		resp, err := cli.Status(ctx1, ep)
		cancel()
		if err != nil {
			// One member down is not a broken cluster: the client
			// uses the others.
			t.Result("%s: %v", ep, err)
			continue
		}
		t.Result("%s: version=%s member_id=%x "+
			"leader=%x raft_term=%d db_size=%d",
			ep, resp.Version, resp.Header.MemberId, resp.Leader,
			resp.RaftTerm, resp.DbSize)
		if st == nil {
			st = resp
		}
	}
	if st == nil {
		return fmt.Errorf("no endpoint of %v answered Status", cli.Endpoints())
	}
	t.Check(st.Version != "", "the server reports its version (%s)", st.Version)
	t.Check(st.Leader != 0, "the cluster has a leader (%x)", st.Leader)

	t.Step("List the members")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	ml, err := cli.MemberList(ctx1)
	cancel()
	if err != nil {
		return err
	}
	leaderFound := false
	for _, m := range ml.Members {
		role := "follower"
		if m.ID == st.Leader {
			role, leaderFound = "leader", true
		}
		t.Result("%x %s %s clients=%v", m.ID, m.Name, role, m.ClientURLs)
	}
	t.Check(leaderFound, "the leader is one of the %d member(s)",
		len(ml.Members))
	return nil
}
