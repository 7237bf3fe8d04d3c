package embedded

import (
	"context"
	"testing"
)

// BenchmarkClusterReady is how long a lesson waits for its own
// three-member cluster: from nothing to every member serving, with a
// leader. The goal is at most 300 ms (issue 11).
func BenchmarkClusterReady(b *testing.B) {
	for b.Loop() {
		c, err := StartCluster(context.Background(), ClusterOptions{Members: 3})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Leader(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		c.Close()
		b.StartTimer()
	}
}
