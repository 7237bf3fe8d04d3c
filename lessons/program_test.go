package lessons_test

// Every lesson is a program: "etcdtour show --program ID" builds in a
// module of its own with the project's requirements, runs to exit 0
// against a real etcd, and leaves no key and no lease behind.

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"etcdtour/lessons"
	"etcdtour/runner"
	"etcdtour/runner/runnertest"
)

func TestPrograms(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile("../go.sum")
	if err != nil {
		t.Fatal(err)
	}
	mod = bytes.Replace(mod, []byte("module etcdtour\n"), []byte("module programs\n"), 1)
	write := func(name string, b []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", mod)
	write("go.sum", sum)
	// The programs of lessons that stop members start etcd processes of
	// their own: they need etcd on PATH.
	startsEtcd := map[string]bool{}
	for _, l := range lessons.Course {
		src, err := lessons.Code.Program(l)
		if err != nil {
			t.Fatalf("show --program %s: %v", l.ID, err)
		}
		write(filepath.Join(l.ID, "main.go"), src)
		startsEtcd[l.ID] = bytes.Contains(src, []byte("\nfunc startCluster("))
	}
	// No symbol table or DWARF: a third less time linking six programs.
	build := exec.Command("go", "build", "-ldflags=-s -w", "-o", filepath.Join(dir, "bin")+"/", "./...")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build of the lessons' programs: %v\n%s", err, out)
	}
	// go vet them while they run.
	vet := exec.Command("go", "vet", "./...")
	vet.Dir = dir
	vet.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	var vetOut bytes.Buffer
	vet.Stdout, vet.Stderr = &vetOut, &vetOut
	if err := vet.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := vet.Wait(); err != nil {
			t.Errorf("go vet of the lessons' programs: %v\n%s", err, vetOut.String())
		}
	}()

	// A server of their own, etcd 3.4 as a learner may run (the embedded
	// one where none is installed, outside CI): at the end no key and no
	// lease may be left on it. A lesson that needs an etcd of its own
	// (it compacts it) gets one more, its own, as its program says it must,
	// unless its program starts etcd processes of its own (it stops them).
	newServer := func() string {
		if _, err := exec.LookPath("etcd"); err == nil || os.Getenv("CI") == "true" {
			return runnertest.StartEtcd(t)
		}
		t.Logf("no etcd on PATH: the programs run against an embedded etcd")
		srv, err := runner.StartEmbedded(runner.EmbeddedOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		return srv.Endpoint()
	}
	eps := []string{newServer()}
	own := map[string]string{}
	for _, l := range lessons.Course {
		if l.Needs.Members > 0 && !startsEtcd[l.ID] {
			own[l.ID] = newServer()
			eps = append(eps, own[l.ID])
		}
	}
	t.Run("run", func(t *testing.T) {
		for _, l := range lessons.Course {
			t.Run(l.ID, func(t *testing.T) {
				t.Parallel()
				if _, err := exec.LookPath("etcd"); err != nil && startsEtcd[l.ID] {
					t.Skipf("%s starts etcd processes of its own, and there is no etcd on PATH", l.ID)
				}
				ep := eps[0]
				if own[l.ID] != "" {
					ep = own[l.ID]
				}
				cmd := exec.Command(filepath.Join(dir, "bin", l.ID))
				cmd.Env = append(os.Environ(), "ETCDCTL_ENDPOINTS="+ep)
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				if err != nil || stderr.Len() > 0 {
					t.Errorf("%s: %v\nstderr: %s\nstdout:\n%s", l.ID, err, stderr.String(), stdout.String())
				}
				if !strings.Contains(stdout.String(), "\n1. ") {
					t.Errorf("%s printed no step 1:\n%s", l.ID, stdout.String())
				}
			})
		}
	})
	for _, ep := range eps {
		nothingLeft(t, ep)
	}
}

// nothingLeft fails t if the etcd at ep holds a key or a lease.
func nothingLeft(t *testing.T, ep string) {
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{ep}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	get, err := cli.Get(ctx, "", clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range get.Kvs {
		t.Errorf("a program left key %q", kv.Key)
	}
	leases, err := cli.Leases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range leases.Leases {
		t.Errorf("a program left lease %x", l.ID)
	}
}
