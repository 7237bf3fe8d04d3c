package runner_test

import (
	"context"
	"sort"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"etcdtour/runner"
)

// BenchmarkEmbeddedStart measures starting the embedded etcd until a client's
// first request is answered, then closing it. It reports the median too:
//
//	go test ./runner -run '^$' -bench EmbeddedStart -count 1
func BenchmarkEmbeddedStart(b *testing.B) {
	var samples []time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		srv, err := runner.StartEmbedded(runner.EmbeddedOptions{})
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
