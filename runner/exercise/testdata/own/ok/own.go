// Package own puts a key: a fixture for the checker's own cluster.
package own

import (
	"context"
	"errors"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Put puts key and returns the revision of the write. A write sent as the
// leader stops may wait for an answer that never comes: each try has a
// second, and a try that timed out is tried again (the fixture's value is
// the same each time: a second write does no harm here).
func Put(ctx context.Context, cli *clientv3.Client, key, value string) (int64, error) {
	for try := 1; ; try++ {
		ctx1, cancel := context.WithTimeout(ctx, time.Second)
		resp, err := cli.Put(ctx1, key, value)
		cancel()
		if err == nil {
			return resp.Header.Revision, nil
		}
		if try == 5 || !errors.Is(err, context.DeadlineExceeded) {
			return 0, err
		}
	}
}
