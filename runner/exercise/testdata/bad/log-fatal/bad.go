package bad

import (
	"context"
	"log"

	clientv3 "go.etcd.io/etcd/client/v3"
)

func Do(ctx context.Context, cli *clientv3.Client) error {
	log.Fatal("cannot go on")
	return nil
}
