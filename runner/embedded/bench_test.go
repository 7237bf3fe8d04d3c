package embedded

import (
	"bytes"
	"context"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// BenchmarkEmbeddedStart measures starting the embedded etcd until a client's
// first request is answered, then closing it. It reports the median too:
//
//	go test ./runner/embedded -run '^$' -bench EmbeddedStart -count 1
func BenchmarkEmbeddedStart(b *testing.B) {
	var samples []time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		srv, err := StartServer(ServerOptions{})
		if err != nil {
			b.Fatal(err)
		}
		cli, err := clientv3.New(clientv3.Config{Endpoints: []string{srv.Endpoint()}, Logger: zap.NewNop()})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err = cli.Status(ctx, srv.Endpoint())
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		samples = append(samples, time.Since(start))
		b.StopTimer()
		cli.Close()
		srv.Close()
		b.StartTimer()
	}
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	b.ReportMetric(float64(samples[len(samples)/2].Microseconds())/1000, "median-ms")
}

// BenchmarkEmbeddedIdle measures what an idle embedded etcd costs: the CPU
// time the process uses over 10 s while the server does nothing, as a
// percentage of one core (from /proc/self/stat; Linux only):
//
//	go test ./runner/embedded -run '^$' -bench EmbeddedIdle -benchtime 1x
func BenchmarkEmbeddedIdle(b *testing.B) {
	for _, c := range []struct {
		name string
		opts ServerOptions
	}{{"course", ServerOptions{}}, {"serve", ServerOptions{LongRunning: true}}} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				srv, err := StartServer(c.opts)
				if err != nil {
					b.Fatal(err)
				}
				time.Sleep(time.Second) // past the start
				cpu0, t0 := cpuTime(b), time.Now()
				time.Sleep(10 * time.Second)
				used, took := cpuTime(b)-cpu0, time.Since(t0)
				srv.Close()
				b.ReportMetric(100*used.Seconds()/took.Seconds(), "%cpu-idle")
			}
		})
	}
}

// cpuTime is the user and system CPU time this process has used so far.
func cpuTime(b *testing.B) time.Duration {
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		b.Skipf("no /proc/self/stat: %v", err)
	}
	// Fields after the command name, which is in parentheses: utime and
	// stime are the 12th and 13th, in clock ticks (100 a second on Linux).
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+2:]))
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		b.Fatalf("/proc/self/stat: %q", stat)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
