package bad

import (
	"context"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Do tries to read and write outside its namespace.
func Do(ctx context.Context, cli *clientv3.Client) error {
	resp, err := cli.Get(ctx, "", clientv3.WithPrefix())
	if err != nil {
		return err
	}
	if _, err := cli.Put(ctx, "/outside", "1"); err != nil {
		return err
	}
	return fmt.Errorf("saw %d keys", len(resp.Kvs))
}
