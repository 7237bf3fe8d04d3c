package lessons_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"etcdtour/lessons"
)

// interruptPrograms runs every lesson's program (bins, already built)
// against the etcd at eps[ID], all at once, and interrupts each once it has
// printed its first step: Ctrl-C (SIGINT) must end it with its keys
// deleted and, for one that starts etcd processes of its own, those
// processes and their temp dir gone. The failover program is also killed
// with SIGKILL, which it cannot catch: its etcd processes and temp dir go
// all the same. Leases are left to their TTLs: a program deletes its keys.
func interruptPrograms(t *testing.T, bins map[string]string, startsEtcd map[string]bool, eps map[string]string) {
	t.Run("interrupted", func(t *testing.T) {
		for _, l := range lessons.Course {
			sigs := []syscall.Signal{syscall.SIGINT}
			if l.ID == "failover" {
				sigs = append(sigs, syscall.SIGKILL)
			}
			for _, sig := range sigs {
				t.Run(l.ID+"/"+sig.String(), func(t *testing.T) {
					t.Parallel()
					if _, err := exec.LookPath("etcd"); err != nil && startsEtcd[l.ID] {
						t.Skipf("%s starts etcd processes of its own, and there is no etcd on PATH", l.ID)
					}
					tmp := t.TempDir()
					cmd := exec.Command(bins[l.ID])
					cmd.Env = append(os.Environ(), "ETCDCTL_ENDPOINTS="+eps[l.ID], "TMPDIR="+tmp)
					out := &stepWatch{step: make(chan struct{})}
					var stderr bytes.Buffer
					cmd.Stdout, cmd.Stderr = out, &stderr
					if err := cmd.Start(); err != nil {
						t.Fatal(err)
					}
					select {
					case <-out.step:
						cmd.Process.Signal(sig)
					case <-time.After(60 * time.Second):
						cmd.Process.Kill()
						t.Errorf("%s printed no step 1 within 60 s:\n%s", l.ID, out.String())
					}
					err := cmd.Wait()
					code := cmd.ProcessState.ExitCode()
					switch {
					case sig == syscall.SIGKILL:
					case code == 0 && stderr.Len() == 0: // done before the signal came
					case code != 130 || strings.TrimSpace(stderr.String()) != "interrupted":
						t.Errorf("%s after Ctrl-C: %v, stderr %q; want exit 130 and \"interrupted\"\n%s", l.ID, err, stderr.String(), out.String())
					}
					if startsEtcd[l.ID] {
						ownGone(t, tmp)
					}
				})
			}
		}
	})
	seen := map[string]bool{}
	for _, ep := range eps {
		if !seen[ep] {
			seen[ep] = true
			noKeys(t, ep)
		}
	}
}

// stepWatch is a program's stdout: step is closed once it has printed its
// first step.
type stepWatch struct {
	mu   sync.Mutex
	b    bytes.Buffer
	step chan struct{}
	seen bool
}

func (w *stepWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	if !w.seen && strings.Contains(w.b.String(), "\n1. ") {
		w.seen = true
		close(w.step)
	}
	return len(p), nil
}

func (w *stepWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

var _ io.Writer = (*stepWatch)(nil)

// ownGone fails t unless, within 10 s, no process names tmp on its command
// line (the program's etcd processes) and tmp is empty (their temp dir).
func ownGone(t *testing.T, tmp string) {
	t.Helper()
	var procs []string
	var pids []int
	var left []os.DirEntry
	for deadline := time.Now().Add(10 * time.Second); ; {
		procs, pids = nil, nil
		files, _ := filepath.Glob("/proc/[0-9]*/cmdline")
		for _, f := range files {
			if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte(tmp)) {
				procs = append(procs, strings.ReplaceAll(string(b), "\x00", " "))
				pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(f)))
				pids = append(pids, pid)
			}
		}
		left, _ = os.ReadDir(tmp)
		if (len(procs) == 0 && len(left) == 0) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i, p := range procs {
		t.Errorf("a process of the program's is still running: %s", p)
		syscall.Kill(pids[i], syscall.SIGKILL) // not to outlive the test
	}
	for _, e := range left {
		t.Errorf("the program left %s in its temp dir", e.Name())
	}
}

// noKeys fails t if the etcd at ep holds a key.
func noKeys(t *testing.T, ep string) {
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
		t.Errorf("an interrupted program left key %q", kv.Key)
	}
}
