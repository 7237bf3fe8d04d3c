package bad

import (
	"context"
	"os"

	clientv3 "go.etcd.io/etcd/client/v3"
)

func Do(ctx context.Context, cli *clientv3.Client) error {
	os.Exit(3)
	return nil
}
