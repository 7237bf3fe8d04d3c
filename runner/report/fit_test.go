package report_test

import (
	"os/exec"
	"strings"
	"testing"

	"etcdtour/runner"
	"etcdtour/runner/i18n"
	"etcdtour/runner/report"
)

// shellReads is what sh passes to etcdctl (the endpoints variable, the
// arguments, the input) for a script.
func shellReads(t *testing.T, script string) string {
	t.Helper()
	out, err := exec.Command("sh", "-c", `etcdctl() { printf '[%s]' "$ETCDCTL_ENDPOINTS" "$@"; echo; sed 's/^ *//'; }`+"\n"+script).CombinedOutput()
	if err != nil {
		t.Errorf("sh: %v\n%s\n%s", err, script, out)
	}
	return string(out)
}

// (The fake etcdctl trims each line of its input, as etcdctl txn does: the
// console indents a txn's input with the step.)
//
// TestConsoleFits: lines longer than report.Columns are broken to fit, where
// they can be: at a space, an etcdctl line with " \" so that it still
// pastes (sh reads it as the line itself, $, ` and \ in a here-document
// included), and the first line of a run on a three-member cluster with
// TLS. A key longer than the line stays whole.
func TestConsoleFits(t *testing.T) {
	t.Parallel()
	long := "/etcdtour/alice/discovery/services/health/" + strings.Repeat("k", 80)
	shell := []string{
		"etcdctl put --lease=37e4a21685228a1a /etcdtour/e4aaa568/discovery/services/health/1 127.0.0.1:42911",
		"ETCDCTL_ENDPOINTS=127.0.0.1:23791,127.0.0.1:23792,127.0.0.1:23793 etcdctl endpoint status -w table",
		"etcdctl put /etcdtour/x/put-get/name 'a value with spaces that goes on and on and on, past the end'",
		"etcdctl txn <<'EOF'\nmod(\"/etcdtour/e4aaa568/txn/owner\") = \"25\"\n\nput --lease=37e4a2169c42c5e0 \"/etcdtour/e4aaa568/election/election/37e4a2169c42c5e0\" \"node-1 $HOME `x` \\\\ \\\" \\$ end\\\\\"\n\nEOF",
		"etcdctl put " + long + " v",
	}
	export := "export ETCDCTL_ENDPOINTS=https://127.0.0.1:23791,https://127.0.0.1:23792,https://127.0.0.1:23793 ETCDCTL_CACERT=/home/alice/etcd/ca.pem ETCDCTL_CERT=/home/alice/etcd/client.pem ETCDCTL_KEY=/home/alice/etcd/client-key.pem"
	var events []runner.Event
	for _, s := range shell {
		events = append(events, runner.Event{Kind: runner.KindEtcdctl, Text: s})
	}
	events = append(events,
		runner.Event{Kind: runner.KindCourseStart, Text: "etcd 3.4.23 at https://127.0.0.1:23791,https://127.0.0.1:23792,https://127.0.0.1:23793 · keys under /etcdtour/alice/\n" +
			"etcdctl lines below assume: " + export, Env: export},
		runner.Event{Kind: runner.KindResult, Text: "127.0.0.1:34085: version=3.7.3 member_id=18872ab49415b7e4 leader=18872ab49415b7e4 raft_term=2 db_size=32768"},
		runner.Event{Kind: runner.KindLessonStart, Index: 10, Total: 12, Lesson: "discovery", Title: "Service discovery: instances under leases, a resolver that follows them"},
		runner.Event{Kind: runner.KindStep, Step: 3, Text: "Instance 2 crashes: its renewals stop, and its key goes a TTL later", Source: "lessons/discovery.go:101",
			Code: "wch := cli.Watch(wctx, \"services/health/\", clientv3.WithPrefix(), clientv3.WithRev(rev)) // from the Get's revision"},
		runner.Event{Kind: runner.KindCleanup, Text: "revoked 2 lease(s), could not delete the keys under /etcdtour/e4aaa568/discovery/: etcdctl del /etcdtour/e4aaa568/discovery.fence && etcdctl del --prefix /etcdtour/e4aaa568/discovery/"},
		runner.Event{Kind: runner.KindLessonEnd, Lesson: "lease", Status: runner.StatusFailed, Seconds: 1, Error: "step 3 (Wait for the lease to expire): context deadline exceeded while waiting for the DELETE event"},
	)
	for _, e := range events {
		var b strings.Builder
		c := report.NewConsole(&b, false)
		c.Report(e)
		c.Close() // an etcdctl line waits for the next event, to count repeats
		out := b.String()
		for _, line := range strings.Split(out, "\n") {
			// Longer only where one word is: a key, the endpoints.
			if w := i18n.Width(line); w > report.Columns && len(strings.Fields(strings.TrimSuffix(line, " \\"))) > 1 {
				t.Errorf("a %s line of %d columns:\n%s", e.Kind, w, out)
			}
		}
		switch e.Kind {
		case runner.KindCleanup: // a command to copy, whole on a line
			if !strings.Contains(out, " etcdctl del /etcdtour/e4aaa568/discovery.fence &&\n    etcdctl del --prefix /etcdtour/e4aaa568/discovery/\n") {
				t.Errorf("the etcdctl command is broken:\n%s", out)
			}
		case runner.KindEtcdctl:
			if !strings.Contains(out, " \\\n") {
				t.Errorf("not broken:\n%s", out)
			}
			if a, b := shellReads(t, e.Text), shellReads(t, strings.TrimPrefix(out, "     $ ")); a != b {
				t.Errorf("sh reads the line as shown:\n%s\nas\n%s\nwant\n%s", out, b, a)
			}
		case runner.KindCourseStart:
			_, export, _ := strings.Cut(out, "assume:\n")
			want := "export " + e.Text[strings.Index(e.Text, "ETCDCTL_ENDPOINTS="):]
			if a, b := shellReads(t, want+"\netcdctl"), shellReads(t, export+"etcdctl"); a != b {
				t.Errorf("the export line as shown:\n%s\nsets %s, want %s", export, b, a)
			}
		}
	}
}
