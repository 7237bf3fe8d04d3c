package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"etcdtour/lessons/exercises"
)

// BenchmarkCheck measures "etcdtour check ID" on each exercise's reference
// solution, as the learner runs it: the process, its embedded etcd, the
// build (warm: nothing changed since the last check) and every check. The
// goal is 3 s or less. With save, the solution's file changes before each
// check, as an editor's save does in watch mode: the driver is linked again.
//
//	go test -run '^$' -bench Check -benchtime 5x .
func BenchmarkCheck(b *testing.B) {
	bin := buildBinary(b)
	dir := filepath.Join(b.TempDir(), "ws")
	if out, err := exec.Command(bin, "exercises", "init", dir).CombinedOutput(); err != nil {
		b.Fatalf("exercises init: %v\n%s", err, out)
	}
	for _, e := range exercises.List {
		src, err := e.Source("solution")
		if err != nil {
			b.Fatal(err)
		}
		for _, save := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/save=%v", e.ID, save), func(b *testing.B) {
				write := func(i int) {
					for _, f := range src {
						data := append(append([]byte{}, f.Data...), fmt.Sprintf("\n// saved %d\n", i)...)
						if err := os.WriteFile(filepath.Join(dir, f.Path), data, 0o644); err != nil {
							b.Fatal(err)
						}
					}
				}
				write(-1)
				check := func() time.Duration {
					start := time.Now()
					if out, err := exec.Command(bin, "check", e.ID, "--workspace", dir).CombinedOutput(); err != nil {
						b.Fatalf("etcdtour check %s: %v\n%s", e.ID, err, out)
					}
					return time.Since(start)
				}
				check() // warm
				var samples []time.Duration
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if save {
						b.StopTimer()
						write(i)
						b.StartTimer()
					}
					samples = append(samples, check())
				}
				sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
				b.ReportMetric(samples[len(samples)/2].Seconds(), "median-s")
			})
		}
	}
}
