package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
	"go.uber.org/zap"
)

// TestInteractiveShortKeys: "run watch --interactive" on the embedded etcd
// asks for keys short enough to type (/tour/watch/name), says the watch is
// on that key alone, and passes when the printed lines are typed, with the
// real etcdctl when it is on PATH. Without --interactive, or with a run ID
// of one's own, the keys keep their run ID.
func TestInteractiveShortKeys(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	p := startBinary(t, bin, nil, "run", "watch", "--interactive")
	p.out.waitFor(t, "$ etcdctl del ", 1)
	out := p.out.String()
	m := regexp.MustCompile(`(?m)^\s*export ETCDCTL_ENDPOINTS=(\S+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no export line:\n%s", out)
	}
	ep := m[1]
	lines := regexp.MustCompile(`(?m)^\s*\$ (etcdctl (?:put|del) .*)$`).FindAllStringSubmatch(out, -1)
	if len(lines) < 3 || !strings.Contains(out, "keys under /tour/") || !strings.Contains(out, "and on no other") {
		t.Fatalf("want keys under /tour/, three lines to type and the watched key named:\n%s", out)
	}
	etcdctl, lookErr := exec.LookPath("etcdctl")
	var cli *clientv3.Client
	if lookErr != nil {
		t.Logf("no etcdctl on PATH (%v): writing with a client", lookErr)
		var err error
		cli, err = clientv3.New(clientv3.Config{Endpoints: []string{ep}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
		if err != nil {
			t.Fatal(err)
		}
		defer cli.Close()
	}
	for _, l := range lines[len(lines)-3:] {
		args := strings.Fields(l[1])
		if args[2] != "/tour/watch/name" {
			t.Errorf("%q: want the key /tour/watch/name", l[1])
		}
		if cli != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			var err error
			if args[1] == "put" {
				_, err = cli.Put(ctx, args[2], args[3])
			} else {
				_, err = cli.Delete(ctx, args[2])
			}
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			continue
		}
		cmd := exec.Command(etcdctl, args[1:]...)
		cmd.Env = append(os.Environ(), "ETCDCTL_API=3", "ETCDCTL_ENDPOINTS="+ep)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", l[1], err, b)
		}
	}
	if code := wait(t, p.cmd); code != 0 {
		t.Fatalf("exit %d\n%s\nstderr: %s", code, p.out.String(), p.stderr.String())
	}

	for _, argv := range [][]string{{"run", "install"}, {"--interactive", "--run-id", "bob", "run", "install"}} {
		r := inProcess(nil, argv...)
		if r.code != 0 || strings.Contains(r.stdout, "keys under /tour/") {
			t.Errorf("%q: exit %d; want the usual prefix:\n%s", argv, r.code, r.stdout)
		}
	}
}

// TestLockInteractive: "run lock --interactive" asks the learner to hold
// the lock with etcdctl lock in another terminal (the real one when it is
// on PATH, a session's Mutex otherwise); the lesson's TryLock then fails,
// its Lock returns only once the learner lets go (Ctrl-C), and it passes.
func TestLockInteractive(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	p := startBinary(t, bin, nil, "run", "lock", "--interactive")
	p.out.waitFor(t, "$ etcdctl lock ", 1)
	out := p.out.String()
	m := regexp.MustCompile(`(?m)^\s*export ETCDCTL_ENDPOINTS=(\S+)$`).FindStringSubmatch(out)
	line := regexp.MustCompile(`(?m)^\s*\$ etcdctl lock (\S+)$`).FindStringSubmatch(out)
	if m == nil || line == nil || line[1] != "/tour/lock/lock" {
		t.Fatalf("want an export line and etcdctl lock /tour/lock/lock:\n%s", out)
	}
	ep, name := m[1], line[1]
	release := func() {}
	if etcdctl, err := exec.LookPath("etcdctl"); err == nil {
		cmd := exec.Command(etcdctl, "lock", name)
		cmd.Env = append(os.Environ(), "ETCDCTL_API=3", "ETCDCTL_ENDPOINTS="+ep)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		release = func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }
		defer cmd.Process.Kill()
	} else {
		t.Logf("no etcdctl on PATH (%v): locking with a client", err)
		cli, err := clientv3.New(clientv3.Config{Endpoints: []string{ep}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
		if err != nil {
			t.Fatal(err)
		}
		defer cli.Close()
		s, err := concurrency.NewSession(cli)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := concurrency.NewMutex(s, name).Lock(ctx); err != nil {
			t.Fatal(err)
		}
		release = func() { s.Close() }
	}
	p.out.waitFor(t, "✓ TryLock while you hold the lock returns ErrLocked", 1)
	if strings.Contains(p.out.String(), "Lock returns after your Ctrl-C") {
		t.Fatalf("Lock returned while the learner held the lock:\n%s", p.out.String())
	}
	release()
	if code := wait(t, p.cmd); code != 0 || !strings.Contains(p.out.String(), "✓ Lock returns after your Ctrl-C") {
		t.Fatalf("exit %d\n%s\nstderr: %s", code, p.out.String(), p.stderr.String())
	}
}

// TestLeaseInteractive: "run lease --interactive" grants a lease and asks
// the learner to put a key with it and renew it with etcdctl lease
// keep-alive in another terminal (the real etcdctl when it is on PATH, a
// client otherwise). Renewed, the key outlives the TTL, and after the
// learner's Ctrl-C it expires as a DELETE: the run passes. Not renewed, the
// key goes at the TTL and the lesson fails on that check.
func TestLeaseInteractive(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	for _, renew := range []bool{true, false} {
		t.Run(fmt.Sprintf("renew=%v", renew), func(t *testing.T) {
			t.Parallel()
			p := startBinary(t, bin, nil, "run", "lease", "--interactive")
			p.out.waitFor(t, "$ etcdctl lease keep-alive ", 1)
			out := p.out.String()
			m := regexp.MustCompile(`(?m)^\s*export ETCDCTL_ENDPOINTS=(\S+)$`).FindStringSubmatch(out)
			put := regexp.MustCompile(`(?m)^\s*\$ etcdctl put --lease=([0-9a-f]+) (/tour/lease/session) alive$`).FindStringSubmatch(out)
			ka := regexp.MustCompile(`(?m)^\s*\$ etcdctl lease keep-alive ([0-9a-f]+)$`).FindStringSubmatch(out)
			if m == nil || put == nil || ka == nil || put[1] != ka[1] {
				t.Fatalf("want an export, a put with the lease and a keep-alive of the same lease:\n%s", out)
			}
			ep, id := m[1], put[1]
			cli, err := clientv3.New(clientv3.Config{Endpoints: []string{ep}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
			if err != nil {
				t.Fatal(err)
			}
			defer cli.Close()
			lease, err := strconv.ParseInt(id, 16, 64)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, err = cli.Put(ctx, put[2], "alive", clientv3.WithLease(clientv3.LeaseID(lease)))
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			if !renew {
				if code := wait(t, p.cmd); code != 1 || !strings.Contains(p.out.String(), "✗ renewed: the key outlived the TTL") {
					t.Fatalf("not renewed: exit %d, want 1 and the failed check\n%s", code, p.out.String())
				}
				return
			}
			stopRenewing := func() {}
			if etcdctl, err := exec.LookPath("etcdctl"); err == nil {
				cmd := exec.Command(etcdctl, "lease", "keep-alive", id)
				cmd.Env = append(os.Environ(), "ETCDCTL_API=3", "ETCDCTL_ENDPOINTS="+ep)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				stopRenewing = func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }
				defer cmd.Process.Kill()
			} else {
				t.Logf("no etcdctl on PATH (%v): renewing with a client", err)
				kctx, stop := context.WithCancel(context.Background())
				defer stop()
				ch, err := cli.KeepAlive(kctx, clientv3.LeaseID(lease))
				if err != nil {
					t.Fatal(err)
				}
				go func() {
					for range ch {
					}
				}()
				stopRenewing = stop
			}
			p.out.waitFor(t, "✓ renewed: the key outlived the TTL", 1)
			if strings.Contains(p.out.String(), "DELETE") {
				t.Fatalf("the key went while renewed:\n%s", p.out.String())
			}
			stopRenewing()
			if code := wait(t, p.cmd); code != 0 || !strings.Contains(p.out.String(), "✓ the lease expired, and its key with it") {
				t.Fatalf("exit %d\n%s\nstderr: %s", code, p.out.String(), p.stderr.String())
			}
		})
	}
}
