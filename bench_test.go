package main

import (
	"bufio"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"
)

// BenchmarkFirstStep measures what a learner waits for: from starting the
// etcdtour process to its first lesson step on stdout, with the embedded
// etcd. It reports the median:
//
//	go test -run '^$' -bench FirstStep -benchtime 20x .
func BenchmarkFirstStep(b *testing.B) {
	bin := buildBinary(b)
	var samples []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		cmd := exec.Command(bin, "run", "install")
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		found := false
		for sc.Scan() {
			if !found && strings.Contains(sc.Text(), "1. ") {
				samples = append(samples, time.Since(start))
				found = true
				b.StopTimer()
			}
		}
		if err := cmd.Wait(); err != nil || !found {
			b.Fatalf("etcdtour run install: %v (first step seen: %v)", err, found)
		}
		b.StartTimer()
	}
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	b.ReportMetric(float64(samples[len(samples)/2].Microseconds())/1000, "median-ms")
}
