// Package putget is etcdtour's put-get exercise: read a key, write it
// back changed, and know which revision your write got.
//
// Read first: the put-get lesson (etcdtour run put-get) and its page,
// docs/put-get.md. Check your code with: etcdtour check put-get.
package putget

import (
	"context"
	"errors"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Visit counts one visit under key. The key's value is a count in decimal,
// such as "7"; a key that does not exist counts as 0. Visit reads the
// count, writes the count plus one back to key, and returns the new count
// and the revision at which etcd applied its write.
//
// Give every request a deadline of its own, as the lessons do:
//
//	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
//	resp, err := cli.Get(ctx1, key)
//	cancel()
//
// What the checker does: it calls Visit on a key that does not exist, and
// again on the same key; it writes "41" to the key itself and calls Visit
// once more; and once it writes another key in the middle of your Visit,
// between your Get and your Put. Each time it reads the key from etcd and
// compares its value, create_revision, mod_revision and version with what
// Visit returned: the revision must be the one your write got, which etcd
// tells you in the Put's response, not one you computed.
func Visit(ctx context.Context, cli *clientv3.Client, key string) (count int, rev int64, err error) {
	return 0, 0, errors.New("not implemented")
}
