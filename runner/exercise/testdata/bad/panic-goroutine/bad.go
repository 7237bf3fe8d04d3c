package bad

import (
	"context"

	clientv3 "go.etcd.io/etcd/client/v3"
)

func Do(ctx context.Context, cli *clientv3.Client) error {
	go func() {
		panic("boom in a goroutine")
	}()
	select {}
}
