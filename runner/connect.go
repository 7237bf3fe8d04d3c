package runner

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner/etcdconn"
	"etcdtour/runner/etcdctl"
	"etcdtour/runner/i18n"
)

// connect opens a client and proves, within the dial timeout, that the
// cluster answers and that the user may read and write prefix. It returns
// the server's version, and the run's clients of each member (quorum.go),
// whose hedge fits the cluster's round trip (m.rtt).
func connect(ctx context.Context, c etcdconn.Conn, base, prefix string) (*clientv3.Client, *members, string, error) {
	d, err := c.Dial(ctx)
	if err != nil {
		return nil, nil, "", err
	}
	defer d.Stop()
	cli := d.Client
	ctx, cancel := context.WithDeadline(ctx, d.Deadline)
	defer cancel()
	rtt := roundTrip(ctx, cli, prefix)
	// The probes go through whichever member answers: the client's own
	// balancer would send one of them to a member that stalled.
	// They are safe to repeat, and hedged at once: their members' clients
	// are new, and a first request is slow on a cluster far away. The
	// run's own requests after them wait for the round trip (hedgeFor).
	m := newMembers(c, cli)
	var existing atomic.Int64 // tries through two members may both succeed
	// Write-free probes of the user's rights on the prefix: a read, and a
	// delete of the whole prefix (which the clean-up does) in a
	// transaction whose condition never holds. etcd checks the rights for
	// every operation of a transaction, run or not. The read also counts
	// the keys already there.
	err = m.do(ctx, func(ctx context.Context, cli *clientv3.Client) error {
		resp, err := cli.Get(ctx, prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
		if err == nil {
			existing.Store(resp.Count)
		}
		return err
	})
	if err == nil {
		err = m.do(ctx, func(ctx context.Context, cli *clientv3.Client) error {
			_, err := cli.Txn(ctx).
				If(clientv3.Compare(clientv3.Version(prefix), "<", 0)).
				Then(clientv3.OpDelete(prefix, clientv3.WithPrefix())).
				Commit()
			return err
		})
	}
	if err != nil {
		m.close()
		defer cli.Close()
		if errors.Is(err, rpctypes.ErrPermissionDenied) || strings.Contains(err.Error(), "permission denied") {
			user, _, _ := strings.Cut(c.User, ":")
			return nil, nil, "", c.Lang.Err("user %q may not read and write %s on %s: grant one of its roles readwrite there (etcdctl role grant-permission ROLE --prefix=true readwrite %s), or pick a --prefix it may use",
				user, base, strings.Join(c.Endpoints, ","), etcdctl.Quote(base))
		}
		return nil, nil, "", d.Explain(err)
	}
	if existing.Load() > 0 {
		// Another run's keys, or an earlier run's with the same --run-id:
		// the lessons would find them, and the clean-up would delete them.
		m.close()
		cli.Close()
		return nil, nil, "", &PrefixInUseError{Count: existing.Load(), Prefix: prefix, Endpoints: strings.Join(c.Endpoints, ","), env: c.EtcdctlEnv(), lang: c.Lang}
	}
	m.rtt, m.hedge = rtt, hedgeFor(rtt)
	return cli, m, d.Version, nil
}

// PrefixInUseError is Run's refusal to start where keys already exist under
// the run's prefix: another run's, or left by an earlier run with the same
// --run-id (--keep, or a second Ctrl-C).
type PrefixInUseError struct {
	Count     int64  // keys found
	Prefix    string // the run's prefix
	Endpoints string
	env       string // etcdctl's variables for the cluster
	lang      i18n.Lang
}

func (e *PrefixInUseError) Error() string {
	return e.lang.Msg("%d key(s) already exist under %s on %s: they may be another person's run, still going: pick another --run-id; if no one else runs with this one, delete them with: %s etcdctl del --prefix %s",
		e.Count, e.Prefix, e.Endpoints, e.env, etcdctl.Quote(e.Prefix))
}

// roundTrip measures how long the cluster takes to answer a read that any
// member serves alone (a serializable count), on a connection that Dial
// has just used: the shorter of two, as a busy machine delays some
// answers. Zero if neither answered.
func roundTrip(ctx context.Context, cli *clientv3.Client, prefix string) time.Duration {
	best := time.Duration(0)
	for range 2 {
		start := time.Now()
		if _, err := cli.Get(ctx, prefix, clientv3.WithPrefix(), clientv3.WithCountOnly(), clientv3.WithSerializable()); err == nil {
			if d := time.Since(start); best == 0 || d < best {
				best = d
			}
		}
	}
	return best
}
