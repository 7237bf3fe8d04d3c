package lessons

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
)

// leaderHold is how long the election lesson's first leader keeps leading
// while another candidate waits: long enough to see that candidate 2 is not
// elected while candidate 1 leads, short enough not to slow the course.
const leaderHold = 100 * time.Millisecond

// campaign runs e.Campaign in the background: it returns once e leads, or
// when timeout has passed.
func campaign(ctx context.Context, e *concurrency.Election, value string, timeout time.Duration) <-chan error {
	elected := make(chan error, 1)
	go func() {
		ctx1, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		elected <- e.Campaign(ctx1, value)
	}()
	return elected
}

// nextLeader reads the next leader an Observe channel reports, waiting at
// most timeout.
func nextLeader(ctx context.Context, leaders <-chan *clientv3.GetResponse, timeout time.Duration) (*mvccpb.KeyValue, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	select {
	case resp, ok := <-leaders:
		if !ok {
			return nil, errors.New("the Observe channel closed")
		}
		return resp.Kvs[0], nil
	case <-ctx.Done():
		return nil, fmt.Errorf("no leader reported: %w", ctx.Err())
	}
}
