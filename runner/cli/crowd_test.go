package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"etcdtour/runner/runnertest"
)

// TestCrowd is a workshop on one cluster: ETCDTOUR_CROWD=N runs N courses
// at once (--run-id user1 ... userN) on one three-member etcd (Debian's
// 3.4 binary), after one course alone, and fails if any course fails or
// their median time is more than twice the lone course's. Opt-in, not in
// the default suite: 100 courses keep a 2-core machine busy for minutes.
//
//	ETCDTOUR_CROWD=100 go test -run TestCrowd -v -timeout 30m .
func TestCrowd(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("ETCDTOUR_CROWD"))
	if n <= 0 {
		t.Skip("ETCDTOUR_CROWD=N runs N courses at once on one cluster")
	}
	bin := buildBinary(t)
	c := runnertest.StartCluster(t, runnertest.ClusterOptions{})
	eps := strings.Join(c.Endpoints(), ",")
	course := func(ctx context.Context, id string) (time.Duration, string, error) {
		cmd := exec.CommandContext(ctx, bin, "--json", "--endpoints", eps, "--run-id", id)
		start := time.Now()
		out, err := cmd.Output()
		d := time.Since(start)
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			err = fmt.Errorf("%v: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
		var failed []string
		for _, line := range strings.Split(string(out), "\n") {
			var e struct{ Event, Lesson, Status, Error string }
			if json.Unmarshal([]byte(line), &e) == nil && e.Event == "lesson-end" && e.Status == "failed" {
				failed = append(failed, e.Lesson+": "+e.Error)
			}
		}
		return d, strings.Join(failed, "; "), err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	alone, failed, err := course(ctx, "alone")
	if err != nil {
		t.Fatalf("the course alone: %v %s", err, failed)
	}
	load := func() string { b, _ := os.ReadFile("/proc/loadavg"); return strings.TrimSpace(string(b)) }
	t.Logf("alone: %v (load %s)", alone.Round(100*time.Millisecond), load())
	times := make([]time.Duration, n)
	var mu sync.Mutex
	var failures []string
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			d, failed, err := course(ctx, fmt.Sprintf("user%d", i+1))
			times[i] = d
			if err != nil || failed != "" {
				mu.Lock()
				failures = append(failures, fmt.Sprintf("user%d: %v %s", i+1, err, failed))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(times)
	median := times[n/2]
	t.Logf("%d at once: all done in %v; per course min %v, median %v (%.2f× alone), max %v (%.2f×); %d failed (load %s)",
		n, time.Since(start).Round(100*time.Millisecond), times[0].Round(100*time.Millisecond),
		median.Round(100*time.Millisecond), median.Seconds()/alone.Seconds(),
		times[n-1].Round(100*time.Millisecond), times[n-1].Seconds()/alone.Seconds(), len(failures), load())
	for _, f := range failures {
		t.Error(f)
	}
	if median > 2*alone {
		t.Errorf("median %v is more than twice the course alone (%v)", median, alone)
	}
}
