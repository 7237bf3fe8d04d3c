package cli

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

// BenchmarkCourse measures the whole course on the embedded etcd, as
// "etcdtour" runs it: from starting the process to its exit, with the
// server's start, every lesson and the clean-up. Most of it is waiting for
// what the server enforces (docs/embedded.md#how-long-the-course-takes
// computes that floor); the rest is the waits lessons choose, each named on
// its lesson's page. It reports the median and fails on a failed lesson:
//
//	go test -run '^$' -bench Course -benchtime 7x .
func BenchmarkCourse(b *testing.B) {
	bin := buildBinary(b)
	var samples []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		out, err := exec.Command(bin, "run", "--no-code").CombinedOutput()
		samples = append(samples, time.Since(start))
		if err != nil {
			b.Fatalf("etcdtour run: %v\n%s", err, out)
		}
	}
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	b.ReportMetric(samples[len(samples)/2].Seconds(), "median-s")
}
