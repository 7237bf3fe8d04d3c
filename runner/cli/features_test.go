package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"etcdtour/lessons"
	"etcdtour/runner"
	"etcdtour/runner/runnertest"
	"etcdtour/runner/source"
)

// output collects what a process writes, for waiting on a line.
type output struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	done chan struct{}
}

func collectOutput(r io.Reader) *output {
	o := &output{done: make(chan struct{})}
	go func() {
		defer close(o.done)
		b := make([]byte, 4096)
		for {
			n, err := r.Read(b)
			o.mu.Lock()
			o.buf.Write(b[:n])
			o.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return o
}

// started is a running etcdtour: its stdout as it comes, its stderr.
type started struct {
	cmd    *exec.Cmd
	out    *output
	stderr *bytes.Buffer
}

// startBinary starts the binary with env added to the environment; the test
// kills it if it is still running at the end.
func startBinary(t *testing.T, bin string, env []string, args ...string) started {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &bytes.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return started{cmd, collectOutput(stdout), stderr}
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// waitFor waits until the output contains s the n-th time, failing the test
// after a minute instead of hanging.
func (o *output) waitFor(t *testing.T, s string, n int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for strings.Count(o.String(), s) < n {
		if time.Now().After(deadline) {
			t.Fatalf("never saw %q (x%d) in output:\n%s", s, n, o.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wait waits for cmd to exit and returns its exit code.
func wait(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatal("process did not exit")
		return -1
	}
}

func TestStepMode(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	tmp := t.TempDir()
	cmd := exec.Command(bin, "--step", "run", "put-get")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	out := collectOutput(ptmx)

	out.waitFor(t, "put-get 1: Put a key · Enter runs it", 1)
	if strings.Contains(out.String(), "1. Put a key") {
		t.Fatalf("step 1 ran before Enter:\n%s", out)
	}
	ptmx.Write([]byte("\r"))
	out.waitFor(t, "1. Put a key", 1)
	out.waitFor(t, "put-get 2: Get it back · Enter runs it", 1)
	ptmx.Write([]byte("\r"))
	out.waitFor(t, "put-get 3: ", 1)
	ptmx.Write([]byte("q\r"))
	if code := wait(t, cmd); code != 130 {
		t.Errorf("exit code %d after q, want 130\n%s", code, out)
	}
	<-out.done
	s := out.String()
	for _, want := range []string{"cleanup: deleted 1 key(s)", "INTERRUPTED put-get", "Summary", "0 passed, 0 failed, 1 interrupted"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "3. Overwrite") {
		t.Errorf("step 3 ran after q:\n%s", s)
	}
	runnertest.EmptyDir(t, tmp)
}

// TestStepModeLongPauses pauses longer than a lease's TTL before each step:
// the runner renews the lesson's leases while paused, so the lease lesson
// still passes; and the lessons with an etcd of their own (stopped members,
// a compaction) still pass when the learner takes their time.
func TestStepModeLongPauses(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	for _, tc := range []struct {
		lesson string
		steps  int
	}{{"lease", 4}, {"history", 5}, {"watch-resume", 4}, {"failover", 4}} {
		t.Run(tc.lesson, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(bin, "--step", "run", tc.lesson)
			ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 120})
			if err != nil {
				t.Fatal(err)
			}
			defer ptmx.Close()
			out := collectOutput(ptmx)
			for step := 1; step <= tc.steps; step++ {
				out.waitFor(t, "· Enter runs it", step)
				if step > 1 {
					time.Sleep(1500 * time.Millisecond) // longer than a 1 s lease
				}
				ptmx.Write([]byte("\r"))
			}
			if code := wait(t, cmd); code != 0 {
				t.Errorf("exit code %d, want 0", code)
			}
			<-out.done
			if s := out.String(); !strings.Contains(s, "1 passed, 0 failed") {
				t.Errorf("%s failed under long pauses:\n%s", tc.lesson, s)
			}
		})
	}
}

// TestJSONOutput runs two lessons in JSON (the whole course runs in
// lessons' tests): with the default etcd ports taken, so that the embedded
// server must pick its own, nothing but JSON lines on stdout and nothing on
// stderr, the events in the documented order, every kind a passing run
// writes. And each event is written when it happens, waits included: the
// keepalive lesson holds its lease for TTL + 0.5 s (1.5 s on the embedded
// etcd) and reports each renewal; the first is written long before the
// hold ends (the next event after a wait's results, the Get's etcdctl
// line), and they come apart, not in one batch after the hold.
func TestJSONOutput(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	for _, addr := range []string{"127.0.0.1:2379", "127.0.0.1:2380"} {
		if l, err := net.Listen("tcp", addr); err == nil {
			defer l.Close()
		}
	}
	course := []runner.Lesson{lessons.PutGet, lessons.KeepAlive}
	cmd := exec.Command(bin, "--json", "run", course[0].ID, course[1].ID)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	type line struct {
		at time.Time
		e  runner.Event
	}
	var lines []line
	var events []runner.Event
	sc := bufio.NewScanner(stdout)
	sc.Buffer(nil, 1<<20)
	for i := 0; sc.Scan(); i++ {
		var e runner.Event
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("line %d is not a JSON event: %v\n%s", i+1, err, sc.Text())
		}
		if bytes.Contains(sc.Bytes(), []byte("\x1b[")) {
			t.Errorf("line %d has color codes", i+1)
		}
		lines = append(lines, line{time.Now(), e})
		events = append(events, e)
	}
	if code := wait(t, cmd); code != 0 || stderr.String() != "" || len(events) == 0 {
		t.Fatalf("exit %d, %d events\nstderr:\n%s", code, len(events), stderr.String())
	}
	// The sequence: course-start, then for each lesson in course order a
	// lesson-start, its steps numbered 1, 2, ..., its own events only, a
	// cleanup and a lesson-end; last the summary.
	if events[0].Kind != runner.KindCourseStart || events[0].Prefix == "" || events[0].Version == "" {
		t.Errorf("first event = %+v", events[0])
	}
	i := 1
	for _, l := range course {
		if e := events[i]; e.Kind != runner.KindLessonStart || e.Lesson != l.ID {
			t.Fatalf("event %d = %s %s, want lesson-start %s", i, e.Kind, e.Lesson, l.ID)
		}
		i++
		step := 0
		for ; i < len(events) && events[i].Kind != runner.KindLessonEnd; i++ {
			e := events[i]
			if e.Lesson != l.ID {
				t.Fatalf("event %d (%s) belongs to %q inside lesson %s", i, e.Kind, e.Lesson, l.ID)
			}
			switch e.Kind {
			case runner.KindStep:
				step++
				if e.Step != step || e.Source == "" || e.Code == "" {
					t.Errorf("%s: step event %+v, want step %d with a source and code", l.ID, e, step)
				}
			case runner.KindRequest:
				t.Errorf("%s: request event in JSON", l.ID)
			case runner.KindWait:
				if e.Text == "" {
					t.Errorf("%s: a wait that does not say what for: %+v", l.ID, e)
				}
			case runner.KindCheck:
				if e.OK == nil || !*e.OK {
					t.Errorf("%s: failed check %q", l.ID, e.Text)
				}
			}
		}
		if i == len(events) {
			t.Fatalf("%s: no lesson-end", l.ID)
		}
		if step == 0 {
			t.Errorf("%s: no steps", l.ID)
		}
		if e := events[i]; e.Status != runner.StatusPassed {
			t.Errorf("%s ended %s", l.ID, e.Status)
		}
		i++
	}
	// Every documented kind a passing run writes is there (a note comes only
	// when etcd stops answering: report.TestJSONFieldsAsDocumented).
	seen := map[runner.Kind]bool{}
	for _, e := range events {
		seen[e.Kind] = true
	}
	for _, k := range []runner.Kind{runner.KindCourseStart, runner.KindLessonStart, runner.KindStep, runner.KindSay,
		runner.KindEtcdctl, runner.KindResult, runner.KindWait, runner.KindCheck, runner.KindCleanup, runner.KindLessonEnd, runner.KindSummary} {
		if !seen[k] {
			t.Errorf("no %s event in a --json run of %s and %s", k, course[0].ID, course[1].ID)
		}
	}
	if i >= len(events) {
		t.Fatalf("no summary after the last lesson-end")
	}
	last := events[i]
	if last.Kind != runner.KindSummary || last.Passed != len(course) || len(last.Lessons) != len(course) || i != len(events)-1 {
		t.Errorf("event %d of %d = %+v, want the summary last", i, len(events), last)
	}

	// Live: keepalive's renewals are written as they come.
	hold := slices.IndexFunc(lines, func(l line) bool {
		return l.e.Kind == runner.KindWait && strings.HasPrefix(l.e.Text, "keeping lease")
	})
	if hold < 0 {
		t.Fatalf("no wait for the hold in %d events", len(lines))
	}
	var renewals []line
	end := hold + 1
	for ; end < len(lines) && lines[end].e.Kind == runner.KindResult; end++ {
		renewals = append(renewals, lines[end])
	}
	if len(renewals) < 2 || end == len(lines) {
		t.Fatalf("%d renewals after the hold's wait, then %d events", len(renewals), len(lines)-end)
	}
	waited := time.Duration(lines[hold].e.Seconds * float64(time.Second))
	first, lastRenewal, after := renewals[0].at, renewals[len(renewals)-1].at, lines[end].at
	if after.Sub(first) < waited/2 {
		t.Errorf("the first renewal was written %v before the hold's end, less than half the %v hold: batched after it?", after.Sub(first), waited)
	}
	if lastRenewal.Sub(first) < 300*time.Millisecond {
		t.Errorf("%d renewals written within %v: not as each came (they are 500 ms apart)", len(renewals), lastRenewal.Sub(first))
	}
}

func TestServe(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	tmp := t.TempDir()
	p := startBinary(t, bin, []string{"TMPDIR=" + tmp}, "serve")
	cmd, out := p.cmd, p.out
	out.waitFor(t, "Ctrl-C stops it", 1)
	m := regexp.MustCompile(`serving on (127\.0\.0\.1:\d+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no endpoint in:\n%s", out)
	}
	ep := m[1]
	for _, want := range []string{"export ETCDCTL_ENDPOINTS=" + ep + "\n", "  etcdctl put hello world\n", " run\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("serve output lacks %q:\n%s", want, out)
		}
	}

	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{ep}, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_, err = cli.Put(ctx, "hello", "world")
	cancel()
	if err != nil {
		t.Fatalf("put to the served endpoint: %v", err)
	}

	r := runBinary(t, bin, []string{"ETCDCTL_ENDPOINTS=" + ep}, "run", "put-get") // as serve says
	if r.code != 0 || !strings.Contains(r.stdout, "1 passed, 0 failed") {
		t.Errorf("ETCDCTL_ENDPOINTS=%s run: exit %d\n%s%s", ep, r.code, r.stdout, r.stderr)
	}

	// A client still watching (etcdctl watch in another terminal) must not
	// hold serve up: etcd alone waits for open streams up to its request
	// timeout, 5.2 s here, before it stops.
	wctx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	wch := cli.Watch(wctx, "hello", clientv3.WithCreatedNotify())
	select {
	case <-wch: // the watch is in place
	case <-time.After(10 * time.Second):
		t.Fatal("no created notification for the watch")
	}
	stopped := time.Now()
	cmd.Process.Signal(os.Interrupt)
	if code := wait(t, cmd); code != exitInterrupted {
		t.Errorf("serve exit code %d after Ctrl-C, want %d", code, exitInterrupted)
	}
	// The promise is 1 s; 3 s leaves room for a loaded machine and still
	// fails when serve waits for the watch.
	if took := time.Since(stopped); took > 3*time.Second {
		t.Errorf("serve took %v to stop after Ctrl-C with a watch open, want about 1 s at most", took.Round(time.Millisecond))
	}
	<-out.done
	runnertest.EmptyDir(t, tmp)
}

func TestShow(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	code := source.NewCode(lessons.Source)
	for i, l := range lessons.Course {
		src, err := code.Show(l)
		if err != nil {
			t.Fatal(err)
		}
		for _, arg := range []string{l.ID, fmt.Sprint(i + 1)} {
			r := runBinary(t, bin, nil, "show", arg)
			if r.code != 0 || r.stdout != src {
				t.Errorf("show %s: exit %d, output is not the lesson's source", arg, r.code)
			}
		}
	}
	if r := runBinary(t, bin, nil, "show", "nope"); r.code != 2 {
		t.Errorf("show nope: exit %d, want 2", r.code)
	}
}

// TestInterrupt sends SIGINT, then SIGTERM, in the middle of a lesson: the
// lesson is interrupted and cleaned up, the summary printed, the embedded
// etcd's temp dir removed, exit 130.
func TestInterrupt(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			tmp := t.TempDir()
			p := startBinary(t, bin, []string{"TMPDIR=" + tmp}, "run", "lease", "keepalive")
			cmd, out, stderr := p.cmd, p.out, p.stderr
			out.waitFor(t, "waiting for lease", 1)
			cmd.Process.Signal(sig)
			if code := wait(t, cmd); code != 130 {
				t.Errorf("exit code %d, want 130", code)
			}
			<-out.done
			s := out.String()
			for _, want := range []string{"INTERRUPTED lease", "cleanup: revoked 1 lease(s)", "keepalive    not run", "Summary"} {
				if !strings.Contains(s, want) {
					t.Errorf("output lacks %q:\n%s", want, s)
				}
			}
			if stderr.Len() > 0 {
				t.Errorf("stderr: %s", stderr.String())
			}
			runnertest.EmptyDir(t, tmp)
		})
	}
}

// frozenLease runs the lease lesson against an embedded etcd behind a
// proxy, and freezes it while the lesson waits for the lease to expire.
// It returns the run and the endpoint it was given.
func frozenLease(t *testing.T, commandTimeout string) (started, string) {
	p, proxy := frozenLeaseProxy(t, commandTimeout)
	return p, proxy.Addr()
}

func frozenLeaseProxy(t *testing.T, commandTimeout string) (started, *runnertest.Proxy) {
	bin := buildBinary(t)
	proxy := runnertest.NewProxy(t, runnertest.OwnServer(t).Endpoint())
	ep := proxy.Addr()
	p := startBinary(t, bin, nil, "--endpoints", ep, "--command-timeout", commandTimeout, "run", "lease")
	p.out.waitFor(t, "waiting for lease", 1)
	proxy.Freeze()
	return p, proxy
}

// exitsWithin waits up to d for p to exit and returns its exit code; past d
// the test fails with why.
func exitsWithin(t *testing.T, p started, d time.Duration, why string) int {
	t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(d):
		t.Fatalf("still running %v after Ctrl-C: %s", d, why)
	}
	return p.cmd.ProcessState.ExitCode()
}

// TestSecondInterrupt: the first Ctrl-C starts the clean-up; when the server
// no longer answers, that clean-up waits for --command-timeout. A second
// Ctrl-C exits at once with 130 and says which keys may remain.
func TestSecondInterrupt(t *testing.T) {
	t.Parallel()
	p, ep := frozenLease(t, "30s")
	cmd, out, stderr := p.cmd, p.out, p.stderr
	cmd.Process.Signal(os.Interrupt)
	// The clean-up is now stuck on the frozen server for up to 30 s.
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	if code := wait(t, cmd); code != 130 {
		t.Errorf("exit code %d, want 130", code)
	}
	<-out.done
	prefix := regexp.MustCompile(`keys under (/etcdtour/[0-9a-f]{8}/)`).FindStringSubmatch(out.String())
	if prefix == nil {
		t.Fatalf("no run prefix in the output:\n%s", out.String())
	}
	want := "keys may remain under " + prefix[1] + ": ETCDCTL_ENDPOINTS=" + ep + " etcdctl del --prefix " + prefix[1]
	if s := stderr.String(); !strings.Contains(s, "interrupted again") || !strings.Contains(s, want) {
		t.Errorf("stderr %q, want the second interrupt noted and %q", s, want)
	}
	if strings.Contains(out.String(), "Summary") {
		t.Errorf("a summary was printed: the clean-up was not cut short\n%s", out.String())
	}
}

// TestClosedStdout: "etcdtour | head" stops the run as an interrupt does: the
// lesson is cleaned up, the embedded etcd's temp dir goes, exit 130, and
// nothing is said on stderr.
func TestClosedStdout(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	for _, args := range [][]string{{"run", "lease"}, {"--json", "run", "lease"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			tmp := t.TempDir()
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, args...)
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
			cmd.Stdout = w
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			w.Close()
			// Read the first line, then go away, as head -1 does.
			if _, err := r.Read(make([]byte, 1)); err != nil {
				t.Fatal(err)
			}
			r.Close()
			if code := wait(t, cmd); code != 130 {
				t.Errorf("exit code %d, want 130 (-1 means killed by a signal)", code)
			}
			if stderr.Len() > 0 {
				t.Errorf("stderr: %s", stderr.String())
			}
			runnertest.EmptyDir(t, tmp)
		})
	}
}

// TestInterruptFrozenServer: Ctrl-C while the server no longer answers. The
// clean-up cannot succeed; it must give up on its own short budget, not after
// --command-timeout per call, and say what is left and how to remove it.
func TestInterruptFrozenServer(t *testing.T) {
	t.Parallel()
	p, _ := frozenLease(t, "60s")
	p.cmd.Process.Signal(os.Interrupt)
	// 30 s: half the command timeout.
	if code := exitsWithin(t, p, 30*time.Second, "the clean-up waits for --command-timeout"); code != 130 {
		t.Errorf("exit code %d, want 130", code)
	}
	out := p.out
	<-out.done
	s := out.String()
	for _, want := range []string{"could not delete the keys under /etcdtour/", "etcdctl del --prefix /etcdtour/", "etcdctl lease revoke ", "INTERRUPTED lease", "Summary"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}

// TestInterruptDuringCleanup: a lesson fails on a frozen server, and its
// clean-up (max(--command-timeout, 5 s)) is under way when Ctrl-C comes. The
// Ctrl-C shortens it to the interrupted budget, so etcdtour still ends
// within about a second.
func TestInterruptDuringCleanup(t *testing.T) {
	t.Parallel()
	// --command-timeout 3s: the run finds the server gone (and cuts its
	// clean-up short) only after 3 s.
	p, proxy := frozenLeaseProxy(t, "3s")
	// The expiry never comes: the lesson gives up after TTL + 1 s + 2 s,
	// and its clean-up begins by closing the lesson's client. Then the
	// clean-up waits on the frozen server, with a budget of 5 s.
	select {
	case <-proxy.ClientGone():
	case <-time.After(30 * time.Second):
		t.Fatalf("the lesson's clean-up never began\n%s", p.out.String())
	}
	p.cmd.Process.Signal(os.Interrupt)
	// 2.5 s: the clean-up's own budget is 5 s.
	if code := exitsWithin(t, p, 2500*time.Millisecond, "Ctrl-C does not shorten a clean-up under way"); code != 130 {
		t.Errorf("exit code %d, want 130\n%s", code, p.out.String())
	}
	// What was interrupted is the clean-up: the lesson had already failed
	// on its own, and the clean-up could not finish.
	out := p.out.String()
	for _, want := range []string{"FAILED lease", "cleanup: could not delete the keys"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q: the Ctrl-C did not land in the clean-up\n%s", want, out)
		}
	}
}

// TestInterruptOwnCluster: Ctrl-C while a lesson runs on an etcd cluster of
// its own (failover, seconds from the end when its leader stops) stops it and removes the cluster's temp dir with the
// embedded etcd's; a second Ctrl-C, which exits at once without the
// lessons' clean-up, removes them too.
func TestInterruptOwnCluster(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	for _, n := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d Ctrl-C", n), func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			p := startBinary(t, bin, []string{"TMPDIR=" + tmp}, "run", "failover")
			p.out.waitFor(t, "The leader stops while", 1)
			if ents, _ := filepath.Glob(filepath.Join(tmp, "*", "etcdtour-cluster-*")); len(ents) != 1 {
				t.Errorf("the lesson's cluster is not in the embedded etcd's temp dir: %v", ents)
			}
			for range n {
				p.cmd.Process.Signal(os.Interrupt)
			}
			if code := wait(t, p.cmd); code != 130 {
				t.Errorf("exit code %d, want 130", code)
			}
			<-p.out.done
			if n == 1 {
				for _, want := range []string{"INTERRUPTED failover", "stopped its own etcd (3 member(s)) and removed its data", "1 interrupted"} {
					if !strings.Contains(p.out.String(), want) {
						t.Errorf("output lacks %q:\n%s", want, p.out.String())
					}
				}
			}
			runnertest.EmptyDir(t, tmp)
		})
	}
}

// TestSkipOnEndpoints: on a cluster named with --endpoints, a lesson that
// needs an etcd of its own is skipped in one line, and the run exits 0.
func TestSkipOnEndpoints(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	ep := runnertest.Server(t).Endpoint()
	r := runBinary(t, bin, nil, "--endpoints", ep, "run", "put-get", "history")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The one line, which the console wraps at 80 columns, and the
	// summary's: nothing else about the lesson.
	var lines []string
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.Contains(l, "history") {
			lines = append(lines, l)
		}
	}
	skip := "SKIP history: needs an etcd cluster of its own (3 members) to compact and stop, never the cluster --endpoints names: run it without --endpoints"
	flat := strings.Join(strings.Fields(r.stdout), " ")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "  SKIP history: ") || !strings.HasPrefix(lines[1], "   2. history      skipped ") ||
		!strings.Contains(flat, skip) || !strings.Contains(r.stdout, "1 passed, 0 failed, 1 skipped") {
		t.Errorf("the lines about history:\n%s\nwant %q and the summary's\n\n%s", strings.Join(lines, "\n"), skip, r.stdout)
	}
}
