package runnertest

// What a run left on a cluster that its output did not name: the proof
// that a run on a stalling cluster loses nothing of its own.

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// Named is what the output of some runs told the user to remove: the keys
// and prefixes of its etcdctl del lines, and the leases of its etcdctl
// lease revoke lines.
type Named struct {
	keys, prefixes []string
	leases         map[string]bool
}

var (
	delPrefixLine = regexp.MustCompile(`etcdctl del --prefix (\S+)`)
	delKeyLine    = regexp.MustCompile(`etcdctl del ([^-\s]\S*)`)
	revokeLine    = regexp.MustCompile(`etcdctl lease revoke ([0-9a-f]+)`)
)

// CleanupNamed collects what the clean-up and the runner's notes of the
// recorded runs named; the lessons' own etcdctl lines (what they did) do
// not count.
func CleanupNamed(recs ...*Recorder) Named {
	n := Named{leases: map[string]bool{}}
	for _, rec := range recs {
		var texts []string
		for _, k := range []runner.Kind{runner.KindCleanup, runner.KindNote, runner.KindCheck} {
			for _, e := range Events(rec, k) {
				if k != runner.KindCheck || strings.HasPrefix(e.Text, "cleanup: ") {
					texts = append(texts, e.Text)
				}
			}
		}
		for _, s := range texts {
			for _, m := range delPrefixLine.FindAllStringSubmatch(s, -1) {
				n.prefixes = append(n.prefixes, strings.Trim(m[1], "'"))
			}
			for _, m := range delKeyLine.FindAllStringSubmatch(s, -1) {
				n.keys = append(n.keys, strings.Trim(m[1], "'"))
			}
			for _, m := range revokeLine.FindAllStringSubmatch(s, -1) {
				n.leases[m[1]] = true
			}
		}
	}
	return n
}

func (n Named) key(k string) bool {
	return slices.Contains(n.keys, k) || slices.ContainsFunc(n.prefixes, func(p string) bool { return strings.HasPrefix(k, p) })
}

// Leftovers waits for the late writes of stalled members to land (the
// cluster is healthy again, and a write through each member has gone
// through), then returns the keys under prefix and every lease of the
// cluster (a test's own) that n does not name, and how many it names.
func Leftovers(t testing.TB, c *Cluster, prefix string, n Named) (unnamed []string, namedLeft int) {
	t.Helper()
	c.ThawAll()
	c.WaitHealthy(t, 60*time.Second)
	// A stalled member hands on what it holds as soon as it resumes; a
	// write through each member after that is behind it in the log.
	for i := range 3 {
		cli := c.Client(t, i)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := cli.Put(ctx, "/barrier", "x")
		cancel()
		if err != nil {
			t.Fatalf("barrier through member %d: %v", i, err)
		}
	}
	cli := c.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := cli.Get(ctx, prefix, clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range resp.Kvs {
		if n.key(string(kv.Key)) {
			namedLeft++
		} else {
			unnamed = append(unnamed, "key "+string(kv.Key))
		}
	}
	ls, err := cli.Leases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls.Leases {
		if n.leases[hex(l.ID)] {
			namedLeft++
		} else {
			unnamed = append(unnamed, "lease "+hex(l.ID))
		}
	}
	return unnamed, namedLeft
}

// Lease reports whether n names lease id (an etcdctl lease revoke line).
func (n Named) Lease(id clientv3.LeaseID) bool { return n.leases[hex(id)] }

func hex(id clientv3.LeaseID) string { return fmt.Sprintf("%x", int64(id)) }
