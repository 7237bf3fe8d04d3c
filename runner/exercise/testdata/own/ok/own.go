// Package own puts a key: a fixture for the checker's own cluster.
package own

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Put puts key and returns the revision of the write. A write sent as the
// leader stops may wait for an answer that never comes: each try has a
// second, and a try that failed is tried again (the fixture's value is
// the same each time: a second write does no harm here).
func Put(ctx context.Context, cli *clientv3.Client, key, value string) (int64, error) {
	for try := 1; ; try++ {
		ctx1, cancel := context.WithTimeout(ctx, time.Second)
		resp, err := cli.Put(ctx1, key, value)
		cancel()
		if err == nil {
			return resp.Header.Revision, nil
		}
		// Timed out here, or at the server ("request timed out,
		// possibly due to previous leader failure"), or refused while
		// there is no leader: all worth another try.
		if try == 5 || ctx.Err() != nil {
			return 0, err
		}
	}
}

// PutOnce puts key, once, and returns the revision of the write.
func PutOnce(ctx context.Context, cli *clientv3.Client, key, value string) (int64, error) {
	ctx1, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	resp, err := cli.Put(ctx1, key, value)
	if err != nil {
		return 0, err
	}
	return resp.Header.Revision, nil
}
