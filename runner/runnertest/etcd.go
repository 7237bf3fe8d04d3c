package runnertest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// EtcdBinary returns the path of an etcd server binary (Debian's etcd 3.4
// in CI). Without one it skips t, but under CI=true, where .ci/run
// installs it, it fails t: a skipped test must not pass for a run.
func EtcdBinary(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("etcd")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no etcd on PATH under CI=true: .ci/run installs Debian's etcd-server (%v)", err)
		}
		t.Skipf("no etcd on PATH (apt-get install etcd-server etcd-client): %v", err)
	}
	return bin
}

// StartEtcd starts the etcd binary as a fresh single member on free
// loopback ports, data in a temp dir, and returns its client endpoint
// (host:port) once it serves. t.Cleanup kills it.
func StartEtcd(t testing.TB) string {
	t.Helper()
	ep, stop, err := startEtcd(EtcdBinary(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return ep
}

var (
	sharedOnce sync.Once
	sharedEP   string
	sharedStop func()
	sharedDir  string
	sharedErr  error
)

// SharedEtcd returns the endpoint of one etcd binary (Debian's etcd 3.4 in
// CI) shared by the package's tests, started on first use and stopped by
// Main.
func SharedEtcd(t testing.TB) string {
	t.Helper()
	bin := EtcdBinary(t)
	sharedOnce.Do(func() {
		if sharedDir, sharedErr = os.MkdirTemp("", "etcdtour-etcd-"); sharedErr == nil {
			sharedEP, sharedStop, sharedErr = startEtcd(bin, sharedDir)
		}
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedEP
}

func stopShared() {
	if sharedStop != nil {
		sharedStop()
	}
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
}

func startEtcd(bin, dir string) (ep string, stop func(), err error) {
	port := func() (string, error) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		defer l.Close()
		return l.Addr().String(), nil
	}
	for attempt := 1; ; attempt++ {
		client, err := port()
		if err != nil {
			return "", nil, err
		}
		peer, err := port()
		if err != nil {
			return "", nil, err
		}
		var log Buffer
		data := filepath.Join(dir, fmt.Sprintf("data%d", attempt))
		cmd := exec.Command(bin, "--name=t", "--data-dir="+data,
			"--listen-client-urls=http://"+client, "--advertise-client-urls=http://"+client,
			"--listen-peer-urls=http://"+peer, "--initial-advertise-peer-urls=http://"+peer,
			"--initial-cluster=t=http://"+peer, "--heartbeat-interval=10", "--election-timeout=100")
		cmd.Stdout, cmd.Stderr = &log, &log
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "ETCD_") && !strings.HasPrefix(kv, "ETCDCTL_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			return "", nil, err
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		stop := func() { cmd.Process.Kill(); <-exited }
		err = serving(client, exited)
		if err == nil {
			return client, stop, nil
		}
		stop()
		if attempt < 3 && strings.Contains(log.String(), "address already in use") {
			continue
		}
		return "", nil, fmt.Errorf("etcd at %s: %v\n%s", client, err, log.String())
	}
}

// Buffer is a buffer that a writer (a child process's output, a server's log)
// and a reader may share.
type Buffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func serving(ep string, exited <-chan error) error {
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{ep}, DialTimeout: 2 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		return err
	}
	defer cli.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		_, err := cli.Get(ctx, "x")
		cancel()
		if err == nil {
			return nil
		}
		select {
		case err := <-exited:
			return fmt.Errorf("exited: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}
