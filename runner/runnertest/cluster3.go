package runnertest

import (
	"context"
	"errors"
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

// Cluster is a three-member etcd cluster of real etcd processes (Debian's
// etcd 3.4 in CI) on loopback ports the test picked, as most clusters
// people run are. A test can stop a member as a stalled machine would
// (Freeze, SIGSTOP), resume it (Thaw), kill it (Kill) and start it again
// (Restart).
type Cluster struct {
	bin     string
	dir     string
	opts    ClusterOptions
	initial string // --initial-cluster
	token   string
	members []*member
}

// ClusterOptions tunes a Cluster. Zero values are etcd's defaults.
type ClusterOptions struct {
	// HeartbeatMs and ElectionMs are etcd's --heartbeat-interval and
	// --election-timeout: how soon the others notice a leader is gone.
	HeartbeatMs, ElectionMs int
}

type member struct {
	name, client, peer string
	dir                string
	log                Buffer

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	frozen bool
}

// StartCluster starts three etcd members on free loopback ports, data in
// temp dirs, and returns once each member serves and the cluster has a
// leader. t.Cleanup kills them all. Without an etcd binary it skips t, but
// fails it under CI=true (see EtcdBinary).
func StartCluster(t testing.TB, o ClusterOptions) *Cluster {
	t.Helper()
	bin := EtcdBinary(t)
	var last error
	for attempt := 1; attempt <= 3; attempt++ {
		c, err := startCluster(bin, t.TempDir(), o)
		if err == nil {
			t.Cleanup(c.stop)
			return c
		}
		last = err
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	t.Fatal(last)
	return nil
}

func startCluster(bin, dir string, o ClusterOptions) (*Cluster, error) {
	c := &Cluster{bin: bin, dir: dir, opts: o, token: "etcdtour-" + filepath.Base(dir)}
	var peers []string
	for i := range 3 {
		client, err := freeAddr()
		if err != nil {
			return nil, err
		}
		peer, err := freeAddr()
		if err != nil {
			return nil, err
		}
		m := &member{name: fmt.Sprintf("m%d", i), client: client, peer: peer, dir: filepath.Join(dir, fmt.Sprintf("m%d", i))}
		c.members = append(c.members, m)
		peers = append(peers, m.name+"=http://"+peer)
	}
	c.initial = strings.Join(peers, ",")
	for i := range c.members {
		if err := c.start(i, "new"); err != nil {
			c.stop()
			return nil, err
		}
	}
	if err := c.waitHealthy(60 * time.Second); err != nil {
		var logs []string
		for _, m := range c.members {
			logs = append(logs, fmt.Sprintf("--- %s ---\n%s", m.name, tailLines(m.log.String(), 20)))
		}
		c.stop()
		return nil, fmt.Errorf("three-member etcd cluster: %v\n%s", err, strings.Join(logs, "\n"))
	}
	return c, nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func (c *Cluster) start(i int, state string) error {
	m := c.members[i]
	args := []string{"--name=" + m.name, "--data-dir=" + m.dir,
		"--listen-client-urls=http://" + m.client, "--advertise-client-urls=http://" + m.client,
		"--listen-peer-urls=http://" + m.peer, "--initial-advertise-peer-urls=http://" + m.peer,
		"--initial-cluster=" + c.initial, "--initial-cluster-state=" + state,
		"--initial-cluster-token=" + c.token}
	if c.opts.HeartbeatMs > 0 {
		args = append(args, fmt.Sprintf("--heartbeat-interval=%d", c.opts.HeartbeatMs))
	}
	if c.opts.ElectionMs > 0 {
		args = append(args, fmt.Sprintf("--election-timeout=%d", c.opts.ElectionMs))
	}
	cmd := exec.Command(c.bin, args...)
	cmd.Stdout, cmd.Stderr = &m.log, &m.log
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ETCD_") && !strings.HasPrefix(kv, "ETCDCTL_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	m.mu.Lock()
	m.cmd, m.exited, m.frozen = cmd, exited, false
	m.mu.Unlock()
	return nil
}

// stop kills every member and waits for each to exit.
func (c *Cluster) stop() {
	for i := range c.members {
		c.kill(i)
	}
}

func (c *Cluster) kill(i int) {
	m := c.members[i]
	m.mu.Lock()
	cmd, exited := m.cmd, m.exited
	m.cmd, m.frozen = nil, false
	m.mu.Unlock()
	if cmd != nil {
		cmd.Process.Kill() // SIGKILL ends a stopped process too
		<-exited
	}
}

// Endpoints are the three members' client addresses (host:port), for
// --endpoints.
func (c *Cluster) Endpoints() []string {
	var eps []string
	for _, m := range c.members {
		eps = append(eps, m.client)
	}
	return eps
}

// Endpoint is member i's client address.
func (c *Cluster) Endpoint(i int) string { return c.members[i].client }

// Freeze stops member i with SIGSTOP: its connections stay open and
// nothing on them is answered, as on a machine that stalled. Thaw resumes it.
func (c *Cluster) Freeze(i int) { c.signal(i, syscall.SIGSTOP, true) }

// Thaw resumes member i after Freeze (SIGCONT).
func (c *Cluster) Thaw(i int) { c.signal(i, syscall.SIGCONT, false) }

func (c *Cluster) signal(i int, sig syscall.Signal, frozen bool) {
	m := c.members[i]
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd != nil {
		m.cmd.Process.Signal(sig)
		m.frozen = frozen
	}
}

// ThawAll resumes every frozen member.
func (c *Cluster) ThawAll() {
	for i := range c.members {
		c.Thaw(i)
	}
}

// Kill kills member i (SIGKILL) and waits for it to exit. Its data stays:
// Restart starts it again.
func (c *Cluster) Kill(i int) { c.kill(i) }

// Restart starts member i again after Kill, with its data, and waits until
// the cluster is healthy.
func (c *Cluster) Restart(t testing.TB, i int) {
	t.Helper()
	if err := c.start(i, "existing"); err != nil {
		t.Fatal(err)
	}
	if err := c.waitHealthy(60 * time.Second); err != nil {
		t.Fatalf("after restarting %s: %v\n%s", c.members[i].name, err, tailLines(c.members[i].log.String(), 20))
	}
}

// WaitHealthy waits until every running member answers and agrees on a
// leader, failing t after d.
func (c *Cluster) WaitHealthy(t testing.TB, d time.Duration) {
	t.Helper()
	if err := c.waitHealthy(d); err != nil {
		t.Fatal(err)
	}
}

func (c *Cluster) waitHealthy(d time.Duration) error {
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), DialTimeout: 2 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		return err
	}
	defer cli.Close()
	deadline := time.Now().Add(d)
	for {
		err := c.healthy(cli)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not healthy within %v: %w", d, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// healthy: each running member answers Status with the same leader, and a
// linearizable read through the cluster succeeds.
func (c *Cluster) healthy(cli *clientv3.Client) error {
	leader := uint64(0)
	for _, m := range c.members {
		m.mu.Lock()
		running, exited := m.cmd != nil && !m.frozen, m.exited
		m.mu.Unlock()
		if !running {
			continue
		}
		select {
		case <-exited:
			return fmt.Errorf("%s exited:\n%s", m.name, tailLines(m.log.String(), 20))
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		st, err := cli.Status(ctx, m.client)
		cancel()
		switch {
		case err != nil:
			return fmt.Errorf("%s: %w", m.name, err)
		case st.Leader == 0:
			return fmt.Errorf("%s: no leader", m.name)
		case leader != 0 && st.Leader != leader:
			return errors.New("members disagree on the leader")
		}
		leader = st.Leader
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err := cli.Get(ctx, "health")
	return err
}

// Leader is the index of the member that leads now, or -1 if none of the
// running members knows one.
func (c *Cluster) Leader() int {
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), DialTimeout: 2 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		return -1
	}
	defer cli.Close()
	for _, m := range c.members {
		m.mu.Lock()
		running := m.cmd != nil && !m.frozen
		m.mu.Unlock()
		if !running {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		st, err := cli.Status(ctx, m.client)
		cancel()
		if err != nil || st.Leader == 0 {
			continue
		}
		for j, o := range c.members {
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			st2, err := cli.Status(ctx, o.client)
			cancel()
			if err == nil && st2.Header.MemberId == st.Leader {
				return j
			}
		}
	}
	return -1
}

// Client opens a client of the members given (all three if none) for a
// test's own setup and checks, outside the runner. t.Cleanup closes it. A
// client of a frozen member waits for it: its balancer sends it requests
// as long as the connection stays open.
func (c *Cluster) Client(t testing.TB, members ...int) *clientv3.Client {
	t.Helper()
	eps := c.Endpoints()
	if len(members) > 0 {
		eps = nil
		for _, i := range members {
			eps = append(eps, c.Endpoint(i))
		}
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: eps, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// Log is member i's output so far, for a failing test's message.
func (c *Cluster) Log(i int) string { return c.members[i].log.String() }

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
