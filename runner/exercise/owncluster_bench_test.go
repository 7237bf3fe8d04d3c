package exercise_test

import (
	"context"
	"os"
	"sort"
	"testing"
	"time"

	"etcdtour/runner/exercise"
	"etcdtour/runner/workspace"
)

// BenchmarkOwnCluster is what an exercise with Members: 3 costs before
// and after its checks: from Run's start until the first check runs (the
// checker's own three-member cluster serving with a leader, and the
// learner's process started and connected: ready-ms, the median; the goal
// is at most 300 ms), and the whole Run with a check that does nothing
// (ns/op: the cluster's removal included).
//
//	go test -run '^$' -bench OwnCluster -benchtime 20x ./runner/exercise
func BenchmarkOwnCluster(b *testing.B) {
	dir := b.TempDir()
	files := moduleFiles(b)
	src, err := os.ReadFile("testdata/own/ok/own.go")
	if err != nil {
		b.Fatal(err)
	}
	files = append(files, workspace.File{Path: "v/ok/own.go", Data: src})
	if _, err := workspace.Init(dir, files); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	drivers, out, err := exercise.BuildVariants(ctx, exercise.Config{Dir: dir}, own, []string{"v/ok"})
	if err != nil || out != "" {
		b.Fatalf("build: %v\n%s", err, out)
	}
	var t0 time.Time
	var ready []time.Duration
	ex := own
	ex.Checks = []exercise.Check{{Name: "ready", Step: "s", Run: func(ctx context.Context, c *exercise.Code) error {
		ready = append(ready, time.Since(t0))
		return nil
	}}}
	cfg := exercise.Config{Dir: dir, Prefix: "/bench/"}
	for b.Loop() {
		t0 = time.Now()
		res, err := exercise.Run(ctx, cfg, ex, drivers[0])
		if err != nil || !res.Passed() {
			b.Fatalf("%v %+v", err, res)
		}
	}
	sort.Slice(ready, func(i, j int) bool { return ready[i] < ready[j] })
	b.ReportMetric(float64(ready[len(ready)/2].Microseconds())/1000, "ready-ms")
	b.ReportMetric(float64(ready[len(ready)-1].Microseconds())/1000, "max-ready-ms")
}
