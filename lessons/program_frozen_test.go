package lessons_test

import (
	"bytes"
	"context"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/lessons"
	"etcdtour/runner/runnertest"
)

// namedRequest is a program's failed request, as it names it: its
// member.
var namedRequest = regexp.MustCompile(`\(the request: [^()]* to (\S+), which did not answer`)

// frozenPrograms runs, all at once, every program that works on the etcd
// ETCDCTL_ENDPOINTS names (not those that start or compact an etcd of
// their own) against a three-member etcd 3.4, all three members named;
// once every one of them has printed its first step, a follower stops
// answering (SIGSTOP: a hung process, its connections still open). A
// program may pass or fail then, but it must end within its limit, a
// failure must say something on stderr, and nothing it wrote may stay
// unnamed: once the member is back, any key or lease still there must be
// named on a program's stderr. A failure names the frozen member.
func frozenPrograms(t *testing.T, bins map[string]string, startsEtcd map[string]bool) {
	t.Run("frozen member", func(t *testing.T) {
		t.Parallel()
		c := runnertest.StartCluster(t, runnertest.ClusterOptions{Members: 3})
		eps := strings.Join(c.Endpoints(), ",")
		type run struct {
			id     string
			cmd    *exec.Cmd
			out    *stepWatch
			stderr bytes.Buffer
		}
		var runs []*run
		for _, l := range lessons.Course {
			if startsEtcd[l.ID] || l.Needs.Members > 0 {
				continue
			}
			r := &run{id: l.ID, out: &stepWatch{step: make(chan struct{})}}
			r.cmd = exec.Command(bins[l.ID])
			r.cmd.Env = append(r.cmd.Environ(), "ETCDCTL_ENDPOINTS="+eps)
			r.cmd.Stdout, r.cmd.Stderr = r.out, &r.stderr
			if err := r.cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer r.cmd.Process.Kill()
			runs = append(runs, r)
		}
		for _, r := range runs {
			select {
			case <-r.out.step:
			case <-time.After(60 * time.Second):
				t.Fatalf("%s printed no step 1 within 60 s:\n%s", r.id, r.out.String())
			}
		}
		frozen := (c.Leader() + 1) % 3 // a follower: no election to wait out
		c.Freeze(frozen)
		frozenAt := time.Now()
		var wg sync.WaitGroup
		var namedOne atomic.Bool // a program named the request that failed
		for _, r := range runs {
			wg.Go(func() {
				done := make(chan error, 1)
				go func() { done <- r.cmd.Wait() }()
				select {
				case err := <-done:
					if err != nil && strings.TrimSpace(r.stderr.String()) == "" {
						t.Errorf("%s failed silently (%v) with member %d frozen:\n%s", r.id, err, frozen, r.out.String())
					}
					// A failure names the member that did not answer, and
					// a request it names is one that member did not answer.
					said := r.stderr.String()
					if err != nil && !strings.Contains(said, c.Endpoint(frozen)+" did not answer") {
						t.Errorf("%s failed without naming the frozen member %s: %s", r.id, c.Endpoint(frozen), said)
					}
					if m := namedRequest.FindStringSubmatch(said); m != nil {
						namedOne.Store(true)
						if m[1] != c.Endpoint(frozen) {
							t.Errorf("%s names a request to %s, not to the frozen member %s: %s", r.id, m[1], c.Endpoint(frozen), said)
						}
					}
					t.Logf("%s with member %d frozen: %v %s (ended %v after the freeze)", r.id, frozen, err,
						strings.TrimSpace(r.stderr.String()), time.Since(frozenAt).Round(100*time.Millisecond))
				case <-time.After(150 * time.Second): // past the program's own limit, 90 s + 5 s, and its clean-up
					r.cmd.Process.Signal(syscall.SIGQUIT) // Go prints where it hangs
					select {
					case <-done:
					case <-time.After(5 * time.Second):
						r.cmd.Process.Kill()
						<-done
					}
					t.Errorf("%s did not end within 150 s with member %d frozen:\n%s\nstderr:\n%s", r.id, frozen, r.out.String(), r.stderr.String())
				}
			})
		}
		wg.Wait()
		c.Thaw(frozen)
		// Those whose request to the frozen member timed out (put-get's
		// and txn's, here) say which request; a wait on a watch does not
		// name one.
		if !namedOne.Load() {
			t.Errorf("no program named a request the frozen member did not answer")
		}
		var said strings.Builder
		for _, r := range runs {
			said.WriteString(r.stderr.String())
		}
		cli := c.Client(t)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		get, err := cli.Get(ctx, "", clientv3.WithPrefix(), clientv3.WithKeysOnly())
		if err != nil {
			t.Fatal(err)
		}
		for _, kv := range get.Kvs {
			if !strings.Contains(said.String(), strings.TrimPrefix(string(kv.Key), "/")) {
				t.Errorf("key %q stayed, and no program named it", kv.Key)
			}
		}
		leases, err := cli.Leases(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range leases.Leases {
			// A lease a program could not revoke ends at its TTL; one it
			// did not name is still a leftover.
			if ttl, err := cli.TimeToLive(ctx, l.ID); err == nil && ttl.TTL > 0 {
				t.Logf("lease %x (ttl %ds) is still there: left to its TTL", l.ID, ttl.TTL)
			}
		}
	})
}
