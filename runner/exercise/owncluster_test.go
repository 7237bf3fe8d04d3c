package exercise_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner/etcdconn"
	"etcdtour/runner/exercise"
	"etcdtour/runner/workspace"
)

// put calls the fixture's Put and returns its revision.
func put(ctx context.Context, c *exercise.Code, key string) (int64, error) {
	var rev int64
	err := c.Call(ctx, "Put", map[string]string{"Key": key, "Value": "v"}, &rev)
	return rev, err
}

// own is a fixture exercise on a three-member cluster of the checker's:
// each check does to it what the exercises of issue 22 do.
var own = exercise.Exercise{
	ID: "own", Title: "Survive", Lesson: "failover", Doc: "docs/failover.md", Hints: []string{"h"},
	Files: os.DirFS("testdata/own"), Members: 3,
	Checks: []exercise.Check{{
		Name: "the leader stops: the next write goes to another member", Step: "s", Timeout: 20 * time.Second,
		Run: func(ctx context.Context, c *exercise.Code) error {
			lead, err := c.Cluster.Leader(ctx)
			if err != nil {
				return err
			}
			if err := c.Cluster.Stop(lead); err != nil {
				return err
			}
			if _, err := put(ctx, c, "a"); err != nil {
				return err
			}
			if c.Cluster.Running(lead) {
				return fmt.Errorf("member %d runs after Stop", lead)
			}
			return nil
		},
	}, {
		Name: "every member runs again; a compacted revision is gone", Step: "s", Timeout: 20 * time.Second,
		Run: func(ctx context.Context, c *exercise.Code) error {
			for i := range c.Cluster.Size() {
				if !c.Cluster.Running(i) {
					return fmt.Errorf("member %d was not started again after the last check", i)
				}
			}
			rev, err := put(ctx, c, "b")
			if err != nil {
				return err
			}
			if _, err := put(ctx, c, "b"); err != nil {
				return err
			}
			if _, err := c.Etcd.Compact(ctx, rev+1, clientv3.WithCompactPhysical()); err != nil {
				return err
			}
			if _, err := c.Etcd.Get(ctx, "b", clientv3.WithRev(rev)); !errors.Is(err, rpctypes.ErrCompacted) {
				return fmt.Errorf("a Get at the compacted revision %d: %v, want ErrCompacted", rev, err)
			}
			return nil
		},
	}, {
		Name: "a dropped response: applied, and the code got an error", Step: "s", Timeout: 20 * time.Second,
		Run: func(ctx context.Context, c *exercise.Code) error {
			if err := c.PauseAfter("Put"); err != nil {
				return err
			}
			r := c.Start("PutOnce", map[string]string{"Key": "c", "Value": "v"})
			if _, err := c.Paused(ctx, r); err != nil {
				return err
			}
			if err := c.Drop(); err != nil {
				return err
			}
			var ce *exercise.CallError
			if err := r.Wait(ctx, nil); !errors.As(err, &ce) || !strings.Contains(ce.Err, "EOF") {
				return fmt.Errorf("Put after a dropped response: %v, want a CallError with EOF", err)
			}
			get, err := c.Etcd.Get(ctx, "c")
			if err != nil || len(get.Kvs) != 1 {
				return fmt.Errorf("the dropped Put was not applied: %v %v", get, err)
			}
			return nil
		},
	}, {
		Name: "the leadership moves", Step: "s", Timeout: 20 * time.Second,
		Run: func(ctx context.Context, c *exercise.Code) error {
			lead, err := c.Cluster.Leader(ctx)
			if err != nil {
				return err
			}
			to := (lead + 1) % c.Cluster.Size()
			if err := c.Cluster.MoveLeader(ctx, to); err != nil {
				return err
			}
			_, err = put(ctx, c, "d")
			return err
		},
	}},
}

// TestOwnCluster: an exercise with Members runs on a cluster of the
// checker's own, whose members a check may stop, whose leader it may
// move, which it may compact, and whose responses it may drop; the
// members a check stopped run again for the next; a solution that hangs
// is stopped; nothing is left after Run (no temp dir; goroutines: goleak
// in TestMain). With UserCluster the exercise is skipped with one line,
// unbuilt.
func TestOwnCluster(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := moduleFiles(t)
	for _, v := range []string{"ok", "hang"} {
		b, err := os.ReadFile("testdata/own/" + v + "/own.go")
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, workspace.File{Path: "v/" + v + "/own.go", Data: b})
	}
	if _, err := workspace.Init(dir, files); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	drivers, out, err := exercise.BuildVariants(ctx, exercise.Config{Dir: dir}, own, []string{"v/ok", "v/hang"})
	if err != nil || out != "" {
		t.Fatalf("build: %v\n%s", err, out)
	}
	var clusterDir string
	cfg := exercise.Config{Dir: dir, Prefix: "/own/", OnCluster: func(d string) { clusterDir = d }}
	t.Run("ok", func(t *testing.T) {
		res, err := exercise.Run(ctx, cfg, own, drivers[0])
		if err != nil {
			t.Fatal(err)
		}
		if !res.Passed() {
			t.Errorf("%+v", res.Checks)
		}
		gone(t, clusterDir)
	})
	t.Run("hang", func(t *testing.T) {
		hang := own
		hang.Checks = []exercise.Check{own.Checks[0]}
		hang.Checks[0].Timeout = 2 * time.Second
		clusterDir = ""
		res, err := exercise.Run(ctx, cfg, hang, drivers[1])
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Checks) != 1 || res.Checks[0].Status != exercise.Failed || !strings.Contains(strings.Join(res.Checks[0].Why, " "), "not done within 2s") {
			t.Errorf("%+v, want the check failed, not done within 2s", res.Checks)
		}
		gone(t, clusterDir)
		if p := sleepers(t, dir); len(p) > 0 {
			t.Errorf("processes left: %q", p)
		}
	})
	t.Run("user-cluster", func(t *testing.T) {
		user := cfg
		user.UserCluster = true
		user.Conn = etcdconn.Conn{Endpoints: []string{"127.0.0.1:1"}} // never reached
		for _, run := range []func() (exercise.Result, error){
			func() (exercise.Result, error) { return exercise.Run(ctx, user, own, drivers[0]) },
			func() (exercise.Result, error) {
				u := user
				u.Dir = t.TempDir() // no workspace: it must not build
				return exercise.Verify(ctx, u, own)
			},
		} {
			res, err := run()
			if err != nil {
				t.Fatal(err)
			}
			if res.Skipped == "" || len(res.Checks) != 0 || res.Passed() {
				t.Errorf("%+v, want skipped, no check run", res)
			}
			if got := exercise.Format(user.Lang, own, res, "", false, 0); strings.Count(got, "\n") != 1 || !strings.Contains(got, "skipped") {
				t.Errorf("Format: %q, want one line saying skipped", got)
			}
		}
	})
}

// gone fails t if the cluster's temp dir dir is still there.
func gone(t *testing.T, dir string) {
	t.Helper()
	if dir == "" {
		t.Fatal("OnCluster was not called")
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the cluster's dir %s is left: %v", dir, err)
	}
}
