package bad

import (
	"context"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Do writes a key, and one under a lease, and panics.
func Do(ctx context.Context, cli *clientv3.Client) error {
	if _, err := cli.Put(ctx, "plain", "1"); err != nil {
		return err
	}
	l, err := cli.Grant(ctx, 600)
	if err != nil {
		return err
	}
	if _, err := cli.Put(ctx, "leased", "1", clientv3.WithLease(l.ID)); err != nil {
		return err
	}
	var m map[string]int
	m["x"] = 1
	return nil
}
