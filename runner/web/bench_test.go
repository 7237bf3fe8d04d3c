package web_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"etcdtour/runner"
	"etcdtour/runner/web"
)

// BenchmarkFollowers: 200 pages follow a run (a workshop's room) that is
// between events, at a step prompt say: the memory the server holds for
// their streams, its CPU while nothing happens, and how long one event
// takes to reach all of them. Goals (issue 23): under 50 MiB more and under
// 5% of one core between events. The followers are plain connections that
// read their replay and then nothing, so the figures are the server's.
func BenchmarkFollowers(b *testing.B) {
	const followers = 200
	srv, err := web.Start(web.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	// A run so far: a course's worth of events to replay.
	for i := range 2000 {
		srv.Report(runner.Event{Kind: runner.KindSay, Lesson: "put-get", Step: i / 20, Text: strings.Repeat("narration ", 8)})
	}
	addr := strings.TrimPrefix(strings.TrimSuffix(srv.FollowerURL(), "/"), "http://")
	for b.Loop() {
		runtime.GC()
		before := heap()
		rss0 := rss()
		conns := make([]net.Conn, 0, followers)
		readers := make([]*bufio.Reader, 0, followers)
		for range followers {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			fmt.Fprintf(c, "GET /events HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
			r := bufio.NewReader(c)
			waitFor(b, r, "event: state")
			conns, readers = append(conns, c), append(readers, r)
		}
		for srv.Streams() < followers {
			runtime.Gosched()
		}
		runtime.GC()
		after := heap()
		rss1 := rss()
		// Between events: nothing to do.
		cpu0, wall0 := cpu(), time.Now()
		time.Sleep(2 * time.Second)
		idle := float64(cpu()-cpu0) / float64(time.Since(wall0))
		// One event, to every follower.
		start := time.Now()
		srv.Report(runner.Event{Kind: runner.KindSay, Lesson: "put-get", Text: "one more"})
		for _, r := range readers {
			waitFor(b, r, `"one more"`)
		}
		fanout := time.Since(start)
		for _, c := range conns {
			c.Close()
		}
		b.ReportMetric(float64(after-before)/(1<<20), "heap-MiB")
		b.ReportMetric(float64(rss1-rss0)/(1<<20), "rss-MiB")
		b.ReportMetric(100*idle, "%core-idle")
		b.ReportMetric(float64(fanout.Microseconds())/1000, "ms-fanout")
	}
}

// waitFor reads r until a line contains s.
func waitFor(b *testing.B, r *bufio.Reader, s string) {
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			b.Fatalf("reading a stream: %v", err)
		}
		if strings.Contains(line, s) {
			return
		}
	}
}

// heap is the memory the Go runtime holds in use: heap and stacks.
func heap() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// rss is the process's resident memory, from /proc (0 elsewhere).
func rss() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, res int64
	fmt.Sscan(string(b), &size, &res)
	return res * int64(os.Getpagesize())
}

// cpu is the process's CPU time so far, user and system.
func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
