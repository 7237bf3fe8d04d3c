package bad

import (
	"context"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"
)

func Do(ctx context.Context, cli *clientv3.Client) error {
	var mu sync.Mutex
	mu.Lock()
	mu.Lock()
	return nil
}
