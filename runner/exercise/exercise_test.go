package exercise_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner/embedded"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/exercise"
	"etcdtour/runner/i18n"
	"etcdtour/runner/runnertest"
	"etcdtour/runner/workspace"
)

func TestMain(m *testing.M) { os.Exit(runnertest.Main(m)) }

// bad is a fixture exercise whose solutions misbehave as learners' code
// can: panic in a goroutine, exit, loop, deadlock, start a process, print,
// leave keys and a lease, reach for keys outside its namespace.
var bad = exercise.Exercise{
	ID: "bad", Title: "Misbehave", Lesson: "put-get", Doc: "docs/put-get.md", Hints: []string{"h"},
	Files: os.DirFS("testdata/bad"),
	Checks: []exercise.Check{{
		Name: "do", Step: "step", Timeout: 2 * time.Second,
		Run: func(ctx context.Context, c *exercise.Code) error {
			return c.Call(ctx, "Do", nil, nil)
		},
	}},
}

// TestIsolation: each misbehaving solution is one line under the ✗ of the
// check it was in, and leaves nothing behind: no process (the one it
// started included), no key, no lease, no key outside its namespace
// touched; etcdtour's process goes on (and its goroutines end: goleak, in
// TestMain).
func TestIsolation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		dir  string
		want string // in the ✗'s explanation
		out  string // in the output shown
	}{
		{"panic-goroutine", "Do panicked at panic-goroutine/bad.go:11: boom in a goroutine", ""},
		{"exit", "Do ended the whole process (exit status 3): os.Exit or log.Fatal? return an error instead", ""},
		{"log-fatal", "Do ended the whole process (exit status 1)", "cannot go on"},
		{"loop", "not done within 2s: an endless loop, a deadlock, or a call without a deadline?", ""},
		{"deadlock", "not done within 2s", ""},
		{"child", "not done within 2s", ""},
		{"prints", "Do returned an error: nope", "hello from Do\nand on stderr"},
		{"leaves", "Do panicked at leaves/bad.go:22: assignment to entry in nil map", ""},
		{"reach", "Do returned an error: saw 0 keys", ""},
	}
	dir := t.TempDir()
	files := moduleFiles(t)
	var dirs []string
	for _, c := range cases {
		b, err := os.ReadFile(filepath.Join("testdata", "bad", c.dir, "bad.go"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, workspace.File{Path: "v/" + c.dir + "/bad.go", Data: b})
		dirs = append(dirs, "v/"+c.dir)
	}
	if _, err := workspace.Init(dir, files); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	drivers, out, err := exercise.BuildVariants(ctx, exercise.Config{Dir: dir}, bad, dirs)
	if err != nil || out != "" {
		t.Fatalf("build: %v\n%s", err, out)
	}
	srv, err := embedded.StartServer(embedded.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{srv.Endpoint()}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	if _, err := cli.Put(ctx, "/secret", "not the learner's"); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			cfg := exercise.Config{Dir: dir, Conn: etcdconn.Conn{Endpoints: []string{srv.Endpoint()}}, Prefix: "/test/" + c.dir + "/"}
			start := time.Now()
			res, err := exercise.Run(ctx, cfg, bad, drivers[i])
			if err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > 30*time.Second {
				t.Errorf("the run took %v", took)
			}
			if len(res.Checks) != 1 || res.Checks[0].Status != exercise.Failed {
				t.Fatalf("got %+v, want the check failed", res.Checks)
			}
			why := strings.Join(res.Checks[0].Why, "\n")
			if len(res.Checks[0].Why) != 1 || !strings.Contains(why, c.want) {
				t.Errorf("why: %q, want one line with %q", why, c.want)
			}
			if !strings.Contains(res.Checks[0].Output, c.out) {
				t.Errorf("output shown: %q, want %q in it", res.Checks[0].Output, c.out)
			}
			resp, err := cli.Get(ctx, "", clientv3.WithPrefix())
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, kv := range resp.Kvs {
				keys = append(keys, string(kv.Key))
			}
			if len(keys) != 1 || keys[0] != "/secret" {
				t.Errorf("keys after the run: %q, want only /secret", keys)
			}
			leases, err := cli.Leases(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(leases.Leases) != 0 {
				t.Errorf("%d lease(s) left", len(leases.Leases))
			}
			if p := sleepers(t, dir); len(p) > 0 {
				t.Errorf("processes left: %q", p)
			}
		})
	}
}

// moduleFiles are a workspace's go.mod and go.sum, from the course's.
func moduleFiles(t testing.TB) []workspace.File {
	t.Helper()
	var files []workspace.File
	for _, name := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "go.mod" {
			if b, err = workspace.Module(b, "go.etcd.io/etcd/client/v3"); err != nil {
				t.Fatal(err)
			}
		}
		files = append(files, workspace.File{Path: name, Data: b})
	}
	return files
}

// sleepers are the command lines of the processes the child fixture
// starts ("sleep 3131") in the workspace dir that still run (those of
// other test processes run in theirs).
func sleepers(t *testing.T, dir string) []string {
	t.Helper()
	procs, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // gone meanwhile
		}
		if cwd, _ := os.Readlink(filepath.Join(filepath.Dir(p), "cwd")); cwd != dir {
			continue
		}
		if cmd := strings.ReplaceAll(string(b), "\x00", " "); strings.HasPrefix(cmd, "sleep 3131") {
			out = append(out, filepath.Dir(p)+": "+cmd)
		}
	}
	return out
}

// TestFormatTitleFits: on a terminal the exercise's title line is broken
// between words to fit, its continuation indented, not cut at the edge
// ("etcd re" / "fuses" at 80 columns).
func TestFormatTitleFits(t *testing.T) {
	ex := exercise.Exercise{ID: "lock-loss", Title: "A lock is only as good as its lease: fence the write, so that etcd refuses a lost holder's"}
	got := exercise.FormatChecks(i18n.English, ex, exercise.Result{ID: ex.ID}, 80)
	want := "lock-loss: A lock is only as good as its lease: fence the write, so that etcd\n  refuses a lost holder's\n"
	if got != want {
		t.Errorf("FormatChecks at 80 columns:\n%q\nwant\n%q", got, want)
	}
	if got := exercise.FormatChecks(i18n.English, ex, exercise.Result{ID: ex.ID}, 0); got != "lock-loss: "+ex.Title+"\n" {
		t.Errorf("FormatChecks in a pipe: %q, want the title on one line", got)
	}
}
