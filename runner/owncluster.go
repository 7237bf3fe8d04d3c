package runner

// Lessons that compact, defragment or stop members need an etcd of their
// own: the runner starts one for the lesson alone (Lesson.Needs), hands it
// to the lesson as T.Cluster, and removes it after the lesson.

import (
	"context"
	"strings"
	"time"

	"etcdtour/runner/embedded"
	"etcdtour/runner/etcdconn"
)

// Needs says what server a lesson must have to itself. The zero value means
// any etcd will do, a user's cluster included.
type Needs struct {
	// Members > 0 gives the lesson an embedded cluster of its own with
	// that many members (1 or 3), started for it alone and removed after
	// it: the lesson may compact and defragment it, and stop and restart
	// its members (T.Cluster). On a cluster the user named (--endpoints)
	// such a lesson is skipped, with one line saying why.
	Members int
}

// startCluster starts the lesson's own cluster in dir (empty: the system's
// temp dir), says so, and returns how to reach it: plain http, no user, the
// run's timeouts (dialTimeout, and the lesson client's command timeout).
func (t *T) startCluster(ctx context.Context, n Needs, dir string, dialTimeout time.Duration) (etcdconn.Conn, error) {
	// Cluster.Client opens a lesson client of one member.
	c, err := embedded.StartCluster(ctx, embedded.ClusterOptions{Members: n.Members, Dir: dir, Dial: t.lc.open})
	if err != nil {
		if ctx.Err() != nil {
			return etcdconn.Conn{}, ctx.Err()
		}
		return etcdconn.Conn{}, t.lang.Err("start the lesson's own etcd: %w", err)
	}
	conn := etcdconn.Conn{Endpoints: c.Endpoints(), DialTimeout: dialTimeout, CommandTimeout: t.lc.timeout, Lang: t.lang}
	raw, err := conn.Client()
	if err != nil {
		c.Close()
		return etcdconn.Conn{}, t.lang.Err("connect to the lesson's own etcd: %w", err)
	}
	t.lc.mu.Lock()
	t.lc.raw = raw
	t.lc.mu.Unlock()
	t.mu.Lock()
	t.Cluster, t.etcdctlEnv = c, conn.EtcdctlEnv()
	t.mu.Unlock()
	what := t.lang.Msg("an etcd of its own")
	if n.Members > 1 {
		what = t.lang.Msg("an etcd cluster of its own (%d members)", n.Members)
	}
	// Three lines of at most 74 columns, the last one to copy as it is.
	t.Say("This lesson runs on %s, started\nfor it alone and removed after it. Its etcdctl lines assume:\nexport ETCDCTL_ENDPOINTS=%s", what, strings.Join(conn.Endpoints, ","))
	return conn, nil
}

// removeCluster closes the lesson's clients and removes its own cluster,
// data and all: nothing of it is left to clean up key by key.
func (t *T) removeCluster() {
	for _, c := range t.lc.take() {
		c.Close()
	}
	t.lc.raw.Close()
	n := t.Cluster.Size()
	if err := t.Cluster.Close(); err != nil {
		t.Check(false, "cleanup: remove the lesson's own etcd: %v", err)
		return
	}
	t.report(Event{Kind: KindCleanup, Text: t.lang.Msg("stopped its own etcd (%d member(s)) and removed its data", n)})
}
