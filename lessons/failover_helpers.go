package lessons

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

const (
	// writeEvery is how often the failover lesson's client writes.
	writeEvery = 20 * time.Millisecond
	// writeTimeout bounds each of those writes. One sent just before the
	// leader stopped waits for an answer that will not come: a second is
	// enough on loopback, and such a write is counted as failed.
	writeTimeout = time.Second
	// electionWait bounds the wait for a new leader: an election timeout
	// or two on loopback, more on a busy machine.
	electionWait = 5 * time.Second
	// writeBefore is how long the failover lesson's client writes before
	// the leader stops, and after a new one leads.
	writeBefore = 500 * time.Millisecond
	// leaseCheck is how often the leader looks for expired leases.
	leaseCheck = 500 * time.Millisecond
)

// storedWrites reads the keys under "w/" in revision order, as "w/03@12",
// and counts the acknowledged writes (key: revision) not among them.
func storedWrites(ctx context.Context, t *runner.T,
	acked map[string]int64) ([]string, int, error) {
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	asc := clientv3.WithSort(clientv3.SortByModRevision, clientv3.SortAscend)
	get, err := t.Client.Get(ctx1, "w/", clientv3.WithPrefix(), asc)
	cancel()
	if err != nil {
		return nil, 0, err
	}
	var stored []string // "w/03@12", in revision order
	at := map[string]int64{}
	for _, kv := range get.Kvs {
		stored = append(stored, fmt.Sprintf("%s@%d", kv.Key, kv.ModRevision))
		at[string(kv.Key)] = kv.ModRevision
	}
	lost := 0
	for key, rev := range acked {
		if at[key] != rev {
			lost++ // missing, or not the value it was told it wrote
		}
	}
	return stored, lost, nil
}
