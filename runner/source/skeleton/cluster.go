//go:build ignore

// The program of a lesson that needs an etcd of its own (Lesson.Needs) and
// stops or restarts its members (t.Cluster) cannot do that to the etcd at
// $ETCDCTL_ENDPOINTS: it starts its own, as etcd processes on loopback
// ports, and t.Cluster becomes this small type of the program's. It needs
// the etcd binary on PATH (any 3.4 or later). Everything above the first
// declaration is left out of the program.

package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// etcdCluster is this program's own etcd: etcd processes on loopback
// ports it picked, with their data in a temp dir. The lesson stops and
// restarts them; Close kills them all and removes the dir. So does a
// guard process when this program dies without Close (SIGKILL).
type etcdCluster struct {
	dir       string
	endpoints []string
	args      [][]string
	cmds      []*exec.Cmd     // nil while stopped
	exited    []chan struct{} // closed when member i's process has ended
	guard     *exec.Cmd
	alive     *os.File // the guard reads it until this program ends
}

// startCluster starts n members and waits until they have a leader. The
// ports are picked free, but another program may take one before etcd
// binds it: a member that exits while starting makes it start again, on
// new ports, up to three times.
func startCluster(ctx context.Context, n int) (*etcdCluster, error) {
	for try := 1; ; try++ {
		c, err := startOnce(ctx, n)
		if !errors.Is(err, errExited) || try == 3 {
			return c, err
		}
	}
}

var errExited = errors.New("a member exited while starting")

func startOnce(ctx context.Context, n int) (*etcdCluster, error) {
	dir, err := os.MkdirTemp("", "etcd-program-")
	if err != nil {
		return nil, err
	}
	c := &etcdCluster{dir: dir, cmds: make([]*exec.Cmd, n), exited: make([]chan struct{}, n)}
	if err := c.startGuard(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	var peers, initial []string
	for i := 0; i < n; i++ {
		peer, client := freePort(), freePort()
		if peer == "" || client == "" {
			c.Close()
			return nil, errors.New("no free port on 127.0.0.1")
		}
		peers = append(peers, "http://"+peer)
		c.endpoints = append(c.endpoints, client)
		initial = append(initial, fmt.Sprintf("m%d=http://%s", i+1, peer))
	}
	for i := 0; i < n; i++ {
		c.args = append(c.args, []string{
			"--name", c.Name(i), "--data-dir", filepath.Join(dir, c.Name(i)),
			"--listen-peer-urls", peers[i], "--initial-advertise-peer-urls", peers[i],
			"--listen-client-urls", "http://" + c.endpoints[i], "--advertise-client-urls", "http://" + c.endpoints[i],
			"--initial-cluster", strings.Join(initial, ","), "--initial-cluster-state", "new",
			// Loopback: a fast heartbeat, and elections in a fraction of a second.
			"--heartbeat-interval", "10", "--election-timeout", fmt.Sprint(100 * n),
		})
		if err := c.start(i); err != nil {
			c.Close()
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.firstLeader(ctx); err != nil {
		for i := range c.cmds {
			err = fmt.Errorf("%w; %s: %s", err, c.Name(i), c.lastLog(i))
		}
		c.Close()
		return nil, err
	}
	return c, nil
}

// firstLeader waits until the members have a leader, or one has exited.
func (c *etcdCluster) firstLeader(ctx context.Context) error {
	for {
		if _, ok := c.leader(ctx); ok {
			return nil
		}
		for i := range c.exited {
			select {
			case <-c.exited[i]:
				return fmt.Errorf("%s: %w", c.Name(i), errExited)
			default:
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no leader: %w", ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// lastLog is the last line member i's etcd logged: why it is not up, when
// it is not.
func (c *etcdCluster) lastLog(i int) string {
	b, _ := os.ReadFile(filepath.Join(c.dir, c.Name(i)+".log"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// startGuard starts a shell that waits for this program to end, however
// it ends (even SIGKILL, which no program can catch): the pipe it reads
// then closes. It kills the etcd processes whose PIDs are in dir, and
// removes dir. Ctrl-C reaches it too, and it ignores it.
func (c *etcdCluster) startGuard() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	script := `trap '' INT TERM HUP; cat >/dev/null
for f in "$0"/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")"; done
rm -rf "$0"`
	c.guard = exec.Command("sh", "-c", script, c.dir)
	c.guard.Stdin = r
	if err := c.guard.Start(); err != nil {
		w.Close()
		return fmt.Errorf("this program starts a shell to remove its etcd when it ends: %w", err)
	}
	c.alive = w
	return nil
}

func freePort() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return ""
	}
	defer l.Close()
	return l.Addr().String()
}

func (c *etcdCluster) start(i int) error {
	log, err := os.OpenFile(filepath.Join(c.dir, c.Name(i)+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.Command("etcd", c.args[i]...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("this program starts etcd processes of its own: %w", err)
	}
	c.cmds[i] = cmd
	pid := filepath.Join(c.dir, c.Name(i)+".pid") // for the guard
	os.WriteFile(pid, []byte(fmt.Sprint(cmd.Process.Pid)), 0o600)
	exited := make(chan struct{})
	c.exited[i] = exited
	go func() {
		cmd.Wait()
		close(exited)
	}()
	return nil
}

func (c *etcdCluster) Endpoints() []string { return c.endpoints }
func (c *etcdCluster) Size() int           { return len(c.endpoints) }
func (c *etcdCluster) Name(i int) string   { return fmt.Sprintf("m%d", i+1) }

// Leader asks the running members until they all name one of them leader.
func (c *etcdCluster) Leader(ctx context.Context) (int, error) {
	for {
		if i, ok := c.leader(ctx); ok {
			return i, nil
		}
		select {
		case <-ctx.Done():
			return -1, fmt.Errorf("no leader: %w", ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// leader returns the member that every running member names as leader.
func (c *etcdCluster) leader(ctx context.Context) (int, bool) {
	ids, lead := map[uint64]int{}, uint64(0)
	for i, ep := range c.endpoints {
		if c.cmds[i] == nil {
			continue
		}
		st, err := c.status(ctx, ep)
		if err != nil || st.Leader == 0 || (lead != 0 && st.Leader != lead) {
			return -1, false
		}
		ids[st.Header.MemberId], lead = i, st.Leader
	}
	i, ok := ids[lead]
	return i, ok
}

func (c *etcdCluster) status(ctx context.Context, ep string) (*clientv3.StatusResponse, error) {
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{ep}, DialTimeout: time.Second, Logger: zap.NewNop()})
	if err != nil {
		return nil, err
	}
	defer cli.Close()
	// A second: three etcd processes starting at once on a busy machine
	// may take that long to answer.
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return cli.Status(ctx, ep)
}

// Stop kills member i, as a crash would; its data stays.
func (c *etcdCluster) Stop(i int) error {
	if c.cmds[i] == nil {
		return fmt.Errorf("%s is not running", c.Name(i))
	}
	c.cmds[i].Process.Kill()
	<-c.exited[i]
	os.Remove(filepath.Join(c.dir, c.Name(i)+".pid")) // its PID may be reused
	c.cmds[i] = nil
	return nil
}

// Restart starts member i again from its data and waits until it serves.
// Its ports were free while it was stopped, and another program may have
// bound one for a moment: a member that exits at once is started again,
// up to three times.
func (c *etcdCluster) Restart(ctx context.Context, i int) error {
	for try := 1; ; try++ {
		if err := c.start(i); err != nil {
			return err
		}
		err := c.serves(ctx, i)
		if try == 3 || !errors.Is(err, errExited) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// serves waits until member i answers a read, or has exited.
func (c *etcdCluster) serves(ctx context.Context, i int) error {
	for {
		select {
		case <-c.exited[i]:
			c.cmds[i] = nil
			os.Remove(filepath.Join(c.dir, c.Name(i)+".pid"))
			return fmt.Errorf("%s: %w: %s", c.Name(i), errExited, c.lastLog(i))
		default:
		}
		cli, err := c.Client(i)
		if err != nil {
			return err
		}
		ctx1, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		_, err = cli.Get(ctx1, "probe", clientv3.WithCountOnly())
		cancel()
		cli.Close()
		if err == nil || ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// Client connects to member i alone, with every key under prefix.
func (c *etcdCluster) Client(i int) (*clientv3.Client, error) {
	return newClientTo([]string{c.endpoints[i]})
}

// Close kills every member and removes the data, and the guard ends.
func (c *etcdCluster) Close() {
	for i, cmd := range c.cmds {
		if cmd != nil {
			c.Stop(i)
		}
	}
	os.RemoveAll(c.dir)
	c.alive.Close()
	c.guard.Wait()
}
