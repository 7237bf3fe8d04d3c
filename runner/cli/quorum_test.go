package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
	"etcdtour/runner/runnertest"
)

// TestQuorumLost runs the course with --json on a three-member etcd 3.4
// cluster, two of whose members are killed as the run starts its lessons.
// The lesson that meets it fails; the run must say, in one line, that the
// cluster has no leader and what each member answers, within
// --command-timeout + 1 s of noticing (which is at most max(--command-
// timeout, 5 s) after the kill: the lesson's request, or the runner's own
// for the lesson, times out); run none of the lessons after; clean up what
// it can, naming the rest; and exit 1. Once the members are back, nothing of
// the run is left that the output did not name.
func TestQuorumLost(t *testing.T) {
	t.Parallel()
	c := runnertest.StartCluster(t, runnertest.ClusterOptions{HeartbeatMs: 50, ElectionMs: 500})
	bin := buildBinary(t)
	const commandTimeout = time.Second
	cmd := exec.Command(bin, "--json", "--endpoints", strings.Join(c.Endpoints(), ","), "--command-timeout", commandTimeout.String())
	cmd.Env = append(cmd.Environ(), "LANG=C", "LC_ALL=C")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr runnertest.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	type line struct {
		at time.Time
		ev runner.Event
	}
	var (
		mu     sync.Mutex
		lines  []line
		killed time.Time
	)
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var ev runner.Event
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				t.Errorf("not a JSON event: %q", sc.Text())
				continue
			}
			mu.Lock()
			lines = append(lines, line{time.Now(), ev})
			mu.Unlock()
			if ev.Kind == runner.KindLessonStart && killed.IsZero() {
				c.Kill(0)
				c.Kill(1)
				killed = time.Now()
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { <-scanned; exited <- cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(2 * time.Minute):
		t.Fatalf("still running 2 minutes after the start")
	}
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("exit code %d, want 1; stderr: %s", code, stderr.String())
	}
	if killed.IsZero() {
		t.Fatalf("the run never started a lesson")
	}

	var notes []line
	var sum *runner.Event
	var out []string
	for _, l := range lines {
		b, _ := json.Marshal(l.ev)
		out = append(out, fmt.Sprintf("+%5.2fs %s", l.at.Sub(killed).Seconds(), b))
		switch {
		case l.ev.Kind == runner.KindNote && strings.Contains(l.ev.Text, "no leader"):
			notes = append(notes, l)
		case l.ev.Kind == runner.KindSummary:
			sum = &l.ev
		}
	}
	dump := strings.Join(out, "\n")
	if len(notes) != 1 {
		t.Fatalf("%d notes say the cluster has no leader, want 1:\n%s", len(notes), dump)
	}
	note := notes[0]
	// The lesson that met it (on a loaded machine an earlier one may fail
	// of its own, before the kill took effect).
	m := regexp.MustCompile(`the lessons after (\S+) are not run`).FindStringSubmatch(note.ev.Text)
	if m == nil {
		t.Fatalf("the note does not say which lessons are not run: %s", note.ev.Text)
	}
	second := m[1]
	t.Logf("the note came %v after the kill: %s", note.at.Sub(killed).Round(10*time.Millisecond), note.ev.Text)
	for _, want := range []string{
		c.Endpoint(2) + ": answers, knows no leader",
		c.Endpoint(0) + ", " + c.Endpoint(1) + ": no answer",
		"the lessons after " + second + " are not run",
	} {
		if !strings.Contains(note.ev.Text, want) {
			t.Errorf("the note does not say %q: %s", want, note.ev.Text)
		}
	}
	if strings.Contains(note.ev.Text, "\n") {
		t.Errorf("the note is not one line: %q", note.ev.Text)
	}
	// Loosely: 10 s more for a loaded machine (this is no speed test:
	// without the check, no line comes at all).
	if d, limit := note.at.Sub(killed), max(commandTimeout, 5*time.Second)+commandTimeout+time.Second+10*time.Second; d > limit {
		t.Errorf("the note came %v after the kill, want within %v:\n%s", d, limit, dump)
	}

	// The clean-up of the lesson that saw it could do nothing: it says
	// what is left, and how to remove it; never "nothing left behind".
	for _, l := range lines {
		if l.ev.Kind == runner.KindCleanup && l.ev.Lesson == second &&
			(strings.Contains(l.ev.Text, "nothing left behind") || !strings.Contains(l.ev.Text, "etcdctl del")) {
			t.Errorf("the clean-up without a leader says %q, want what is left and the etcdctl lines that remove it", l.ev.Text)
		}
	}
	if sum == nil {
		t.Fatalf("no summary:\n%s", dump)
	}
	after := false
	for _, r := range sum.Lessons {
		switch {
		case r.ID == second:
			after = true
			if r.Status != runner.StatusFailed {
				t.Errorf("%s %s, want failed", r.ID, r.Status)
			}
		case after && r.Status != runner.StatusNotRun && r.Status != runner.StatusSkipped:
			t.Errorf("%s %s after the leader was lost, want not run:\n%s", r.ID, r.Status, dump)
		}
		if after {
			for _, l := range lines {
				if l.ev.Kind == runner.KindLessonStart && l.ev.Lesson == r.ID && r.ID != second {
					t.Errorf("%s started after the leader was lost", r.ID)
				}
			}
		}
	}

	// The members come back; what they held lands; nothing unnamed is left.
	c.Restart(t, 0)
	c.Restart(t, 1)
	var named []string
	for _, l := range lines {
		if l.ev.Kind == runner.KindCleanup || l.ev.Kind == runner.KindNote ||
			l.ev.Kind == runner.KindCheck && strings.HasPrefix(l.ev.Text, "cleanup: ") {
			named = append(named, l.ev.Text)
		}
	}
	all := strings.Join(named, "\n")
	cli := c.Client(t)
	for i := range 3 { // a write through each member: behind anything it held
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := c.Client(t, i).Put(ctx, "/barrier", "x")
		cancel()
		if err != nil {
			t.Fatalf("barrier through member %d: %v", i, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	keys, err := cli.Get(ctx, "/etcdtour/", clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatal(err)
	}
	prefixes := regexp.MustCompile(`etcdctl del (?:--prefix )?(\S+)`).FindAllStringSubmatch(all, -1)
	for _, kv := range keys.Kvs {
		if !slices.ContainsFunc(prefixes, func(m []string) bool {
			p := strings.Trim(m[1], "'")
			return string(kv.Key) == p || strings.HasSuffix(p, "/") && strings.HasPrefix(string(kv.Key), p)
		}) {
			t.Errorf("key %s left and not named:\n%s", kv.Key, all)
		}
	}
	ls, err := cli.Leases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls.Leases {
		if !strings.Contains(all, fmt.Sprintf("etcdctl lease revoke %x", int64(l.ID))) {
			t.Errorf("lease %x left and not named:\n%s", int64(l.ID), all)
		}
	}
}
