package lessons

import (
	"context"
	"errors"
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
	// quorumWait is how long the failover lesson gives a read that needs a
	// quorum when there is none: it would wait as long as it is let.
	quorumWait = 500 * time.Millisecond
)

// writes is what a client that kept writing was told.
type writes struct {
	acked  map[string]int64 // key -> revision, of each acknowledged write
	failed []string
}

// keepWriting puts w/00, w/01, ... one after another, each with its own
// deadline, until stop closes; then it says which writes were
// acknowledged.
func keepWriting(ctx context.Context, t *runner.T,
	stop <-chan struct{}) <-chan writes {
	done := make(chan writes, 1)
	go func() {
		w := writes{acked: map[string]int64{}}
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- w
				return
			case <-time.After(writeEvery):
			}
			key := fmt.Sprintf("w/%02d", i)
			ctx1, cancel := context.WithTimeout(ctx, writeTimeout)
			put, err := t.Client.Put(ctx1, key, "v")
			cancel()
			if err != nil {
				w.failed = append(w.failed, key)
			} else {
				w.acked[key] = put.Header.Revision
			}
		}
	}()
	return done
}

// leaderOf asks each member for its status and returns the index of the
// one that says it leads.
func leaderOf(ctx context.Context, t *runner.T) (int, error) {
	leader := -1
	for i, ep := range t.Cluster.Endpoints() {
		ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
		st, err := t.Client.Status(ctx1, ep)
		cancel()
		if err != nil {
			return -1, err
		}
		t.Result("%s: member %x, leader %x, raft term %d, revision %d",
			t.Cluster.Name(i), st.Header.MemberId, st.Leader,
			st.RaftTerm, st.Header.Revision)
		if st.Header.MemberId == st.Leader {
			leader = i
		}
	}
	if leader < 0 {
		return -1, errors.New("no member says it leads")
	}
	return leader, nil
}

// revisions asks every member for its revision until they agree, or the
// timeout has passed, and returns the last answers.
func revisions(ctx context.Context, t *runner.T) ([]int64, error) {
	deadline := time.Now().Add(t.Timeout())
	for {
		revs := make([]int64, t.Cluster.Size())
		for i, ep := range t.Cluster.Endpoints() {
			ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
			st, err := t.Client.Status(ctx1, ep)
			cancel()
			if err != nil {
				return nil, err
			}
			revs[i] = st.Header.Revision
		}
		if revs[0] == revs[1] && revs[1] == revs[2] || time.Now().
			After(deadline) {
			t.Result("revisions: %v", revs)
			return revs, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
}

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
