package bad

import (
	"context"

	clientv3 "go.etcd.io/etcd/client/v3"
)

func Do(ctx context.Context, cli *clientv3.Client) error {
	n := 0
	for {
		n++
	}
}
