package runnertest

// One way to start the etcd binary (Debian's etcd 3.4 in CI): a single
// member or three, on free loopback ports, data in a temp dir.

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"etcdtour/runner/loopback"
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

// fast is the timing of a single member started by StartEtcd and
// SharedEtcd, as the embedded server's: a leader at once.
var fast = ClusterOptions{Members: 1, HeartbeatMs: 10, ElectionMs: 100}

// StartEtcd starts the etcd binary as a fresh single member and returns its
// client endpoint (host:port) once it serves. t.Cleanup kills it.
func StartEtcd(t testing.TB) string {
	t.Helper()
	return StartCluster(t, fast).Endpoint(0)
}

var (
	sharedOnce sync.Once
	shared     *Cluster
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
			shared, sharedErr = startCluster(bin, sharedDir, fast, loopback.FreeAddr)
		}
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared.Endpoint(0)
}

func stopShared() {
	if shared != nil {
		shared.stop()
	}
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
}

// Cluster is one or three etcd processes (Debian's etcd 3.4 in CI) on
// loopback ports the test picked, as most clusters people run are. A test
// can stop a member as a stalled machine would (Freeze, SIGSTOP), resume
// it (Thaw), kill it (Kill) and start it again (Restart).
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
	// Members is how many members to start: 1 or 3 (zero means 3).
	Members int
	// HeartbeatMs and ElectionMs are etcd's --heartbeat-interval and
	// --election-timeout: how soon the others notice a leader is gone.
	HeartbeatMs, ElectionMs int
	// AuthTokenTTL, in seconds, is how long an auth token lives unused
	// (--auth-token-ttl).
	AuthTokenTTL uint
	// CertFile and KeyFile make the members serve clients over https
	// (--cert-file, --key-file); ClientCAFile makes them require a client
	// certificate signed by that CA (--trusted-ca-file,
	// --client-cert-auth).
	CertFile, KeyFile, ClientCAFile string
	// ClientTLS is how the Cluster's own clients (the health checks, Client,
	// Leader) reach members that serve https.
	ClientTLS *tls.Config
}

type member struct {
	name, client, peer string
	dir                string
	log                Buffer

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has exited
	frozen bool
}

// startTimeout bounds a start: every member serving and, with three, a
// leader. Nothing waits longer; a member that exits ends the wait at once.
const startTimeout = 60 * time.Second

// StartCluster starts the members and returns once each serves and the
// cluster has a leader. t.Cleanup kills them all. Without an etcd binary it
// skips t, but fails it under CI=true (see EtcdBinary).
func StartCluster(t testing.TB, o ClusterOptions) *Cluster {
	t.Helper()
	c, err := startCluster(EtcdBinary(t), t.TempDir(), o, loopback.FreeAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.stop)
	return c
}

// startCluster starts a cluster in dir, its members on ports from free. A
// port picked for a member may be taken by another program before etcd
// binds it: then the members are started again on new ports, up to three
// times.
func startCluster(bin, dir string, o ClusterOptions, free func() (string, error)) (*Cluster, error) {
	if o.Members == 0 {
		o.Members = 3
	}
	if o.Members != 1 && o.Members != 3 {
		return nil, fmt.Errorf("an etcd binary's cluster has 1 or 3 members, not %d", o.Members)
	}
	deadline := time.Now().Add(startTimeout)
	for attempt := 1; ; attempt++ {
		c, err := tryCluster(bin, filepath.Join(dir, fmt.Sprint(attempt)), o, free, deadline)
		if err == nil {
			return c, nil
		}
		if attempt == 3 || !errors.Is(err, syscall.EADDRINUSE) {
			return nil, err
		}
	}
}

func tryCluster(bin, dir string, o ClusterOptions, free func() (string, error), deadline time.Time) (*Cluster, error) {
	// The path is unique on this machine while the cluster lives: no
	// member of another cluster can join this one.
	token := "etcdtour" + strings.ReplaceAll(dir, string(filepath.Separator), "-")
	c := &Cluster{bin: bin, dir: dir, opts: o, token: token}
	var peers []string
	for i := range o.Members {
		client, err := free()
		if err != nil {
			return nil, err
		}
		peer, err := free()
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
	if err := c.waitHealthy(time.Until(deadline)); err != nil {
		var logs []string
		taken := false
		for _, m := range c.members {
			logs = append(logs, fmt.Sprintf("--- %s ---\n%s", m.name, tailLines(m.log.String(), 20)))
		}
		c.stop()
		// A member that could not bind its port exits; the port is then
		// another program's.
		for _, m := range c.members {
			taken = taken || inUse(m.client) || inUse(m.peer)
		}
		if taken {
			err = fmt.Errorf("%w: %w", syscall.EADDRINUSE, err)
		}
		return nil, fmt.Errorf("etcd binary, %d member(s): %w\n%s", len(c.members), err, strings.Join(logs, "\n"))
	}
	return c, nil
}

// inUse reports whether another program listens on addr.
func inUse(addr string) bool {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return errors.Is(err, syscall.EADDRINUSE)
	}
	l.Close()
	return false
}

func (c *Cluster) start(i int, state string) error {
	m := c.members[i]
	scheme := "http"
	if c.opts.CertFile != "" {
		scheme = "https"
	}
	args := []string{"--name=" + m.name, "--data-dir=" + m.dir,
		"--listen-client-urls=" + scheme + "://" + m.client, "--advertise-client-urls=" + scheme + "://" + m.client,
		"--listen-peer-urls=http://" + m.peer, "--initial-advertise-peer-urls=http://" + m.peer,
		"--initial-cluster=" + c.initial, "--initial-cluster-state=" + state,
		"--initial-cluster-token=" + c.token, "--logger=zap", "--log-outputs=stderr",
		// The cheapest password hash (bcrypt's least cost, as the
		// embedded test servers): at etcd's default each client's
		// Authenticate costs the server tens of milliseconds of CPU.
		"--bcrypt-cost=4"}
	if c.opts.HeartbeatMs > 0 {
		args = append(args, fmt.Sprintf("--heartbeat-interval=%d", c.opts.HeartbeatMs))
	}
	if c.opts.ElectionMs > 0 {
		args = append(args, fmt.Sprintf("--election-timeout=%d", c.opts.ElectionMs))
	}
	if c.opts.AuthTokenTTL > 0 {
		args = append(args, fmt.Sprintf("--auth-token-ttl=%d", c.opts.AuthTokenTTL))
	}
	if c.opts.CertFile != "" {
		args = append(args, "--cert-file="+c.opts.CertFile, "--key-file="+c.opts.KeyFile)
	}
	if c.opts.ClientCAFile != "" {
		// A trusted CA alone already makes etcd require client
		// certificates; --client-cert-auth says so explicitly.
		args = append(args, "--trusted-ca-file="+c.opts.ClientCAFile, "--client-cert-auth")
	}
	cmd := exec.Command(c.bin, args...)
	cmd.Stdout, cmd.Stderr = &m.log, &m.log
	cmd.Env = etcdEnv()
	cmd.SysProcAttr = dieWithParent()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", c.bin, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	m.mu.Lock()
	m.cmd, m.exited, m.frozen = cmd, exited, false
	m.mu.Unlock()
	return nil
}

// etcdEnv is the environment without ETCD_ and ETCDCTL_ variables, which
// would change the server's configuration behind the flags' back.
func etcdEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ETCD_") && !strings.HasPrefix(kv, "ETCDCTL_") {
			env = append(env, kv)
		}
	}
	if runtime.GOARCH != "amd64" {
		// etcd 3.4 refuses to start on other architectures unless told.
		env = append(env, "ETCD_UNSUPPORTED_ARCH="+runtime.GOARCH)
	}
	return env
}

// dieWithParent asks Linux to kill the child when the test binary dies
// without running its clean-ups (a -timeout panic, a kill -9). The field
// exists only on Linux, hence reflection rather than a build-tagged file.
// (Linux sends the signal when the starting thread exits; Go's runtime ends
// threads only under runtime.LockOSThread, which nothing here uses.)
func dieWithParent() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{}
	if f := reflect.ValueOf(attr).Elem().FieldByName("Pdeathsig"); f.IsValid() && f.CanSet() {
		f.Set(reflect.ValueOf(syscall.SIGKILL))
	}
	return attr
}

// stop kills every member and waits for each to exit.
func (c *Cluster) stop() {
	for i := range c.members {
		c.kill(i)
	}
}

// kill kills member i, if it runs, and waits for it to exit: SIGKILL ends
// a stopped process too, and exited is closed, never consumed, so that
// any number of waits end.
func (c *Cluster) kill(i int) {
	m := c.members[i]
	m.mu.Lock()
	cmd, exited := m.cmd, m.exited
	m.cmd, m.frozen = nil, false
	m.mu.Unlock()
	if cmd != nil {
		cmd.Process.Kill()
		<-exited
	}
}

// CPU is the processor time the running members have used so far, user
// and system, from /proc (Linux); 0 where /proc has none.
func (c *Cluster) CPU() time.Duration {
	var sum time.Duration
	for _, m := range c.members {
		m.mu.Lock()
		cmd := m.cmd
		m.mu.Unlock()
		if cmd == nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", cmd.Process.Pid))
		if err != nil {
			continue
		}
		// Fields 14 and 15 (utime, stime), after the command's ")".
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) < 13 {
			continue
		}
		for _, v := range f[11:13] {
			ticks, _ := strconv.ParseInt(v, 10, 64)
			sum += time.Duration(ticks) * time.Second / 100 // USER_HZ
		}
	}
	return sum
}

// Endpoints are the members' client addresses (host:port), for
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
	if err := c.waitHealthy(startTimeout); err != nil {
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

// errExited is waitHealthy's error when a running member exited: waiting
// longer would not help.
var errExited = errors.New("exited")

func (c *Cluster) waitHealthy(d time.Duration) error {
	cli, err := c.client(c.Endpoints(), 2*time.Second)
	if err != nil {
		return err
	}
	defer cli.Close()
	deadline := time.Now().Add(d)
	for {
		err := c.healthy(cli)
		if err == nil || errors.Is(err, errExited) {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not healthy within %v: %w", d, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *Cluster) client(eps []string, dial time.Duration) (*clientv3.Client, error) {
	return clientv3.New(clientv3.Config{Endpoints: eps, DialTimeout: dial, TLS: c.opts.ClientTLS, Logger: zap.NewNop()})
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
			return fmt.Errorf("%s %w:\n%s", m.name, errExited, tailLines(m.log.String(), 20))
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
	cli, err := c.client(c.Endpoints(), 2*time.Second)
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

// Client opens a client of the members given (all if none) for a test's
// own setup and checks, outside the runner. t.Cleanup closes it. A client
// of a frozen member waits for it: its balancer sends it requests as long
// as the connection stays open.
func (c *Cluster) Client(t testing.TB, members ...int) *clientv3.Client {
	t.Helper()
	eps := c.Endpoints()
	if len(members) > 0 {
		eps = nil
		for _, i := range members {
			eps = append(eps, c.Endpoint(i))
		}
	}
	cli, err := c.client(eps, 5*time.Second)
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
