package embedded

// Lessons that compact, defragment or stop members need an etcd of their
// own: the runner starts one for the lesson alone (runner.Needs), hands it
// to the lesson as T.Cluster, and removes it after the lesson.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/types"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"etcdtour/runner/loopback"
)

// Raft timing of a lesson's own cluster. etcd's defaults (100 ms heartbeat,
// 1 s election) would make a learner wait a second or two for each new
// leader. The single embedded member uses 10 ms and 100 ms; with three
// members a stalled leader is replaced after one election timeout, and on
// a laptop busy with other work (or under -race) a 100 ms pause is not
// rare. 200 ms is twenty missed heartbeats: a leader that misses them is
// gone, not busy. Pre-vote and check-quorum (etcd's defaults) keep one slow
// follower from deposing a healthy leader.
const (
	clusterTickMs     = 10
	clusterElectionMs = 200
)

// ClusterOptions tunes StartCluster.
type ClusterOptions struct {
	// Members is how many members to start: 1 or 3.
	Members int
	// Dir is where the cluster's temp dir is made; empty means
	// os.TempDir(). The temp dir holds each member's data and log and is
	// removed by Close.
	Dir string
	// StartTimeout bounds how long the cluster may take to serve; zero
	// means 30 s: a loaded laptop can take more than 10.
	StartTimeout time.Duration
	// Dial opens the client Cluster.Client returns, to the endpoints
	// given: the runner's lesson client, with the lesson's prefix. Nil
	// makes Client fail.
	Dial func(endpoints []string) (*clientv3.Client, error)
}

// A Cluster is an embedded etcd cluster of a lesson's own: every member runs
// in this process, on 127.0.0.1, with ports picked for it, and logs to a
// file in the cluster's temp dir, never to the terminal.
//
// Clients reach each member through a relay of ours on the member's client
// address, so that Stop can cut a member's client connections at once, as a
// crash does: a stopped member's address refuses connections, and a client
// given every endpoint moves to another.
type Cluster struct {
	dir     string
	members []*member
	// dial opens a lesson client to some endpoints (ClusterOptions.Dial).
	dial func(endpoints []string) (*clientv3.Client, error)
}

type member struct {
	name string
	cfg  *embed.Config
	log  *os.File
	// The member's client and peer addresses are relays of ours (see
	// Cluster): cutting them is how Stop cuts the member off at once.
	relay, peerRelay *loopback.Relay

	mu   sync.Mutex
	etcd *embed.Etcd // nil while stopped
}

// StartCluster starts an embedded cluster and waits until every member
// serves clients and the cluster has a leader. It gives up when ctx is
// done. On failure nothing is left behind: no member, no temp dir.
func StartCluster(ctx context.Context, opts ClusterOptions) (*Cluster, error) {
	if opts.Members != 1 && opts.Members != 3 {
		return nil, fmt.Errorf("a lesson's own cluster has 1 or 3 members, not %d", opts.Members)
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, opts.StartTimeout)
	defer cancel()
	var last error
	for attempt := 0; attempt < 3; attempt++ {
		c, err := startCluster(ctx, opts)
		if err == nil {
			return c, nil
		}
		last = err
		// A port we picked was taken before etcd bound it: pick again.
		if ctx.Err() != nil || !errors.Is(err, syscall.EADDRINUSE) {
			break
		}
	}
	if errors.Is(last, context.DeadlineExceeded) {
		return nil, fmt.Errorf("embedded etcd cluster of %d not ready after %v", opts.Members, opts.StartTimeout)
	}
	return nil, last
}

func startCluster(ctx context.Context, opts ClusterOptions) (_ *Cluster, err error) {
	dir, err := os.MkdirTemp(opts.Dir, "etcdtour-cluster-")
	if err != nil {
		return nil, fmt.Errorf("embedded etcd cluster: cannot make a temp dir: %v (set TMPDIR to a writable directory)", unwrapPathError(err))
	}
	c := &Cluster{dir: dir, dial: opts.Dial}
	defer func() {
		if err != nil {
			c.Close()
		}
	}()
	// The temp dir's name is unique on this machine while the cluster
	// lives: no member of another cluster can join this one.
	token := filepath.Base(dir)
	var initial []string
	for i := range opts.Members {
		m := &member{name: fmt.Sprintf("m%d", i+1)}
		c.members = append(c.members, m)
		// The relay holds its listener from now on: its port cannot be
		// taken. etcd's own ports are free ones it binds a moment later
		// (bootFresh).
		if m.relay, err = newRelay(); err != nil {
			return nil, err
		}
		if m.peerRelay, err = newRelay(); err != nil {
			return nil, err
		}
		if m.log, err = os.Create(filepath.Join(dir, m.name+".log")); err != nil {
			return nil, fmt.Errorf("embedded etcd cluster: log file: %w", err)
		}
		cfg := embed.NewConfig()
		cfg.Name = m.name
		cfg.Dir = filepath.Join(dir, m.name)
		cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.New(zapcore.NewCore(
			zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()),
			zapcore.AddSync(m.log), zap.InfoLevel)))
		cfg.TickMs, cfg.ElectionMs = clusterTickMs, clusterElectionMs
		cfg.UnsafeNoFsync = true // throw-away data
		cfg.EnableGRPCGateway = false
		cfg.InitialClusterToken = token
		ru, _ := url.Parse("http://" + m.relay.Addr())
		pru, _ := url.Parse("http://" + m.peerRelay.Addr())
		// Members tell each other, and clients (MemberList), the relays'
		// addresses.
		cfg.AdvertisePeerUrls, cfg.AdvertiseClientUrls = []url.URL{*pru}, []url.URL{*ru}
		m.cfg = cfg
		initial = append(initial, m.name+"="+pru.String())
	}
	for _, m := range c.members {
		m.cfg.InitialCluster = strings.Join(initial, ",")
	}
	// One after the other, each a few milliseconds: a new member first
	// asks the others' peer addresses whether the cluster already exists.
	// Not yet listening, they refuse at once; bound but not yet serving
	// (started at once), they would keep it waiting a second. Then all
	// wait together for a leader.
	started := make([]*embed.Etcd, len(c.members))
	for i, m := range c.members {
		if started[i], err = m.bootFresh(); err != nil {
			for _, e := range started[:i] {
				hardStop(e)
			}
			return nil, err
		}
	}
	errs := make([]error, len(c.members))
	var wg sync.WaitGroup
	for i, m := range c.members {
		wg.Go(func() { errs[i] = m.ready(ctx, started[i]) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// start starts the member again and waits until it serves clients. It
// listens on new ports of its own: while it was stopped, another program
// may have bound the old ones (its peers and clients know only the
// relays', which it kept).
func (m *member) start(ctx context.Context) error {
	e, err := m.bootFresh()
	if err != nil {
		return err
	}
	return m.ready(ctx, e)
}

// bootFresh boots the member on new ports of its own, up to three times
// if another program binds one first.
func (m *member) bootFresh() (*embed.Etcd, error) {
	for try := 1; ; try++ {
		if err := m.newPorts(); err != nil {
			return nil, err
		}
		e, err := m.boot()
		if err == nil || !errors.Is(err, syscall.EADDRINUSE) || try == 3 {
			return e, err
		}
	}
}

// newPorts gives the member free loopback ports of its own to listen on,
// and points its relays at them.
func (m *member) newPorts() error {
	peer, err := freeLoopbackURL()
	if err != nil {
		return err
	}
	client, err := freeLoopbackURL()
	if err != nil {
		return err
	}
	pu, _ := url.Parse(peer)
	cu, _ := url.Parse(client)
	m.cfg.ListenPeerUrls, m.cfg.ListenClientUrls = []url.URL{*pu}, []url.URL{*cu}
	m.relay.SetTarget(cu.Host)
	m.peerRelay.SetTarget(pu.Host)
	return nil
}

// ready waits until e serves clients. If e stops or ctx ends first, e is
// stopped.
func (m *member) ready(ctx context.Context, e *embed.Etcd) error {
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		hardStop(e)
		return fmt.Errorf("embedded etcd member %s stopped while starting: %w (log: %s)", m.name, err, m.log.Name())
	case <-ctx.Done():
		hardStop(e)
		return ctx.Err()
	}
	// Clients in only now: a restarted member has caught up with what was
	// committed while it was away (it applied all of it before its own
	// announcement), so a client never reads or watches its past.
	if err := m.relay.Open(); err != nil {
		hardStop(e)
		return err
	}
	m.mu.Lock()
	m.etcd = e
	m.mu.Unlock()
	return nil
}

// boot starts the member's server from its config (and its data, if any)
// and lets its peers reach it.
func (m *member) boot() (*embed.Etcd, error) {
	e, err := embed.StartEtcd(m.cfg)
	if err != nil {
		return nil, fmt.Errorf("embedded etcd member %s did not start: %w (log: %s)", m.name, err, m.log.Name())
	}
	if err := m.peerRelay.Open(); err != nil {
		hardStop(e)
		return nil, err
	}
	return e, nil
}

// hardStop stops e as a crash would, for its peers: no leadership transfer
// first. Then it closes what is left (listeners, goroutines).
func hardStop(e *embed.Etcd) {
	e.Server.HardStop()
	e.Close()
}

// stop cuts the member's clients and peers off, and stops it. (Cut off
// first, its server stops at once: etcd's peer handler would otherwise
// wait a second for connections that etcd's own peers keep idle, and
// leave their goroutines behind for five.)
func (m *member) stop() {
	m.relay.Cut()
	m.peerRelay.Cut()
	m.mu.Lock()
	e := m.etcd
	m.etcd = nil
	m.mu.Unlock()
	if e != nil {
		hardStop(e)
	}
}

// Endpoints are the members' client addresses (host:port), in member order.
func (c *Cluster) Endpoints() []string {
	eps := make([]string, len(c.members))
	for i, m := range c.members {
		eps[i] = m.relay.Addr()
	}
	return eps
}

// Size is the number of members, running or stopped.
func (c *Cluster) Size() int { return len(c.members) }

// Name is member i's name: "m1", "m2", ... (i counts from 0).
func (c *Cluster) Name(i int) string { return c.members[i].name }

// Dir is the cluster's temp dir.
func (c *Cluster) Dir() string { return c.dir }

// Leader returns the index of the member that is leader, once the running
// members agree on one that runs. It waits for that until ctx is done.
func (c *Cluster) Leader(ctx context.Context) (int, error) {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if i, ok := c.leader(); ok {
			return i, nil
		}
		select {
		case <-ctx.Done():
			return -1, fmt.Errorf("no leader: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

func (c *Cluster) leader() (int, bool) {
	index := map[types.ID]int{}
	var leads []types.ID
	for i, m := range c.members {
		m.mu.Lock()
		if m.etcd != nil {
			index[m.etcd.Server.MemberID()] = i
			leads = append(leads, m.etcd.Server.Leader())
		}
		m.mu.Unlock()
	}
	if len(leads) == 0 {
		return -1, false
	}
	for _, l := range leads {
		if l != leads[0] {
			return -1, false
		}
	}
	i, ok := index[leads[0]]
	return i, ok
}

// Stop stops member i as a crash would: its clients' connections drop, its
// address refuses new ones, and its peers stop hearing from it (a leader
// hands nothing over). Its data stays, for Restart.
func (c *Cluster) Stop(i int) error {
	if i < 0 || i >= len(c.members) {
		return fmt.Errorf("no member %d: the cluster has %d", i, len(c.members))
	}
	m := c.members[i]
	m.mu.Lock()
	running := m.etcd != nil
	m.mu.Unlock()
	if !running {
		return fmt.Errorf("member %s is already stopped", m.name)
	}
	m.stop()
	return nil
}

// Running reports whether member i runs (it was not stopped, or was
// restarted since).
func (c *Cluster) Running(i int) bool {
	if i < 0 || i >= len(c.members) {
		return false
	}
	m := c.members[i]
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.etcd != nil
}

// MoveLeader hands the leadership to member to, as etcdctl move-leader
// does, and returns once to leads (or ctx is done). It waits for a
// leader first.
func (c *Cluster) MoveLeader(ctx context.Context, to int) error {
	if to < 0 || to >= len(c.members) {
		return fmt.Errorf("no member %d: the cluster has %d", to, len(c.members))
	}
	lead, err := c.Leader(ctx)
	if err != nil {
		return err
	}
	if lead == to {
		return nil
	}
	lm, tm := c.members[lead], c.members[to]
	lm.mu.Lock()
	le := lm.etcd
	lm.mu.Unlock()
	tm.mu.Lock()
	te := tm.etcd
	tm.mu.Unlock()
	if le == nil || te == nil {
		return fmt.Errorf("member %s or %s is stopped", lm.name, tm.name)
	}
	if err := le.Server.MoveLeader(ctx, uint64(le.Server.MemberID()), uint64(te.Server.MemberID())); err != nil {
		return fmt.Errorf("move the leadership from %s to %s: %w", lm.name, tm.name, err)
	}
	for {
		i, err := c.Leader(ctx)
		if err != nil {
			return err
		}
		if i == to {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// Restart starts member i again from its data, on the same addresses, and
// waits until it serves clients (which needs a leader) or ctx is done. By
// then it has applied everything the cluster committed while it was
// stopped; its clients reconnect only then.
func (c *Cluster) Restart(ctx context.Context, i int) error {
	if i < 0 || i >= len(c.members) {
		return fmt.Errorf("no member %d: the cluster has %d", i, len(c.members))
	}
	m := c.members[i]
	m.mu.Lock()
	running := m.etcd != nil
	m.mu.Unlock()
	if running {
		return fmt.Errorf("member %s is running", m.name)
	}
	return m.start(ctx)
}

// Client opens a client of member i alone, with the lesson's prefix, as
// t.Client is: for a serializable read from that member, say. The runner
// closes it after the lesson.
func (c *Cluster) Client(i int) (*clientv3.Client, error) {
	if i < 0 || i >= len(c.members) {
		return nil, fmt.Errorf("no member %d: the cluster has %d", i, len(c.members))
	}
	if c.dial == nil {
		return nil, errors.New("Cluster.Client is for a lesson's own cluster, in the lesson")
	}
	return c.dial([]string{c.members[i].relay.Addr()})
}

// Close stops every member and removes the temp dir.
func (c *Cluster) Close() error {
	if c == nil {
		return nil
	}
	var wg sync.WaitGroup
	for _, m := range c.members {
		if m.relay != nil && m.peerRelay != nil {
			wg.Go(m.stop)
		}
	}
	wg.Wait()
	for _, m := range c.members {
		for _, r := range []*loopback.Relay{m.relay, m.peerRelay} {
			if r != nil {
				r.Close()
			}
		}
		if m.log != nil {
			m.log.Close()
		}
	}
	return os.RemoveAll(c.dir)
}

// newRelay starts a relay for one of a member's addresses. It relays at
// once: until the member listens, a connection is closed as soon as it is
// accepted (the dial fails), and the member's peers, asking whether the
// cluster exists yet, hear no at once. A stopped member's relays keep
// their ports (Cut, not Close): no other program can take the address the
// member comes back on.
func newRelay() (*loopback.Relay, error) {
	r, err := loopback.Listen(nil)
	if err != nil {
		return nil, fmt.Errorf("embedded etcd cluster: %w", err)
	}
	return r, nil
}
