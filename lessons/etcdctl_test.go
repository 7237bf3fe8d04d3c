package lessons_test

// Every etcdctl line a lesson prints for a request is one that etcdctl 3.4
// accepts: TestCourse runs each line of each lesson against an etcd 3.4 of
// its own. Lease IDs are those of the lesson's server, so each is mapped to
// a lease granted on that etcd first; a lease ID printed in decimal, or a
// flag etcdctl does not know, fails.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"etcdtour/runner"
	"etcdtour/runner/runnertest"
)

// leaseID is a lease ID as etcdctl prints and takes it: up to 16 hex
// digits, fewer when the member ID it starts with does.
var leaseID = regexp.MustCompile(`\b[0-9a-f]{12,16}\b`)

// mayFail are the requests whose line may fail on another server without
// being wrong: reads of a revision it does not have yet, a compaction at a
// revision it does not have yet, and calls on a lease the lesson had
// revoked or let expire before.
var mayFail = map[string]bool{"Range": true, "Compact": true, "LeaseRevoke": true, "LeaseKeepAlive": true, "LeaseTimeToLive": true}

// ownEtcd are the requests whose lines run on an etcd of their own, not on
// the one the package's tests share: they compact or defragment it.
var ownEtcd = map[string]bool{"Compact": true, "Defragment": true}

// toOne is the endpoint a line for one member names (endpoint status,
// defrag): the lesson's server, gone by now; the line runs on the test's.
var toOne = regexp.MustCompile(`^ETCDCTL_ENDPOINTS=\S+ `)

func checkEtcdctlAccepted(t *testing.T, rec *runnertest.Recorder) {
	t.Helper()
	if _, err := exec.LookPath("etcdctl"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no etcdctl on PATH under CI=true: %v", err)
		}
		t.Logf("no etcdctl on PATH: the lesson's etcdctl lines are not tried")
		return
	}
	ep := runnertest.SharedEtcd(t)
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{ep}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	leases := map[string]string{}
	defer func() {
		for _, id := range leases {
			var n int64
			fmt.Sscanf(id, "%x", &n)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			cli.Revoke(ctx, clientv3.LeaseID(n))
			cancel()
		}
	}()
	tried := 0
	own := ""
	for _, e := range runnertest.Events(rec, runner.KindEtcdctl) {
		if e.Request == "" {
			continue // watch, lock, elect, keep-alive: they block
		}
		ep := ep
		if ownEtcd[e.Request] {
			if own == "" {
				own = runnertest.StartEtcd(t)
			}
			ep = own
		}
		line := leaseID.ReplaceAllStringFunc(toOne.ReplaceAllString(e.Text, ""), func(id string) string {
			if _, ok := leases[id]; !ok {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				g, err := cli.Grant(ctx, 60)
				cancel()
				if err != nil {
					t.Fatal(err)
				}
				leases[id] = fmt.Sprintf("%x", g.ID)
			}
			return leases[id]
		})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		cmd := exec.CommandContext(ctx, "sh", "-c", line)
		cmd.Env = append(os.Environ(), "ETCDCTL_ENDPOINTS="+ep, "ETCDCTL_API=3")
		out, err := cmd.CombinedOutput()
		cancel()
		tried++
		var exit *exec.ExitError
		code := 0
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		usage := code == 128 || code == 3 || regexp.MustCompile(`unknown flag|USAGE:|bad lease ID|invalid`).Match(out)
		if usage || (code != 0 && !mayFail[e.Request]) {
			t.Errorf("%s step %d: etcdctl 3.4 refuses the line (exit %d):\n%s\n%s", e.Lesson, e.Step, code, e.Text, out)
		}
	}
	if tried == 0 {
		t.Errorf("no etcdctl line of a request to try")
	}
}
