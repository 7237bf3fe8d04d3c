package lessons_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"etcdtour/lessons"
	"etcdtour/runner"
	"etcdtour/runner/runnertest"
)

// The numbers a lesson's pages quote come from a run: every line of a
// ```sh block on docs/ID.md and docs/zh-CN/ID.md (an etcdctl line, with
// its revisions, or a line of its here-document) is one the lesson printed
// when run alone on a fresh etcd, PREFIX for its keys and LEASE for a
// lease's ID; and every figure the pages state in prose about such a run
// (docFigures) is the one the run gave. Changing a number by hand fails.

// docLeaseID is a lease's ID as etcdctl lines print it.
var docLeaseID = regexp.MustCompile(`\b[0-9a-f]{16}\b`)

// addr is an address a run picks (a member's, an instance's), or a page's
// name for one (M1).
var addr = regexp.MustCompile(`127\.0\.0\.1:\d+|\bM\d\b`)

// normal is a line with its lease IDs and addresses as names.
func normal(l string) string {
	return addr.ReplaceAllString(docLeaseID.ReplaceAllString(strings.TrimRight(l, " "), "LEASE"), "ADDR")
}

// shLines are the lines of a page's ```sh blocks, comments and blank
// lines left out.
func shLines(md string) []string {
	var out []string
	in := false
	for _, l := range strings.Split(md, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "```"):
			in = !in && (t == "```sh" || t == "```bash" || t == "```shell")
		case in:
			if i := strings.Index(l, " #"); i >= 0 {
				l = l[:i]
			}
			l = strings.TrimRight(l, " \\")
			if strings.TrimSpace(l) == "" || strings.HasPrefix(t, "#") {
				continue
			}
			out = append(out, l)
		}
	}
	return out
}

// noRunLines are the ```sh lines of pages that are no lesson's output:
// what the reader types to set up (export, a second terminal's go run).
func noRunLine(l string) bool {
	return strings.HasPrefix(l, "export ") || strings.HasPrefix(l, "go ") ||
		strings.Contains(l, "…") || strings.Contains(l, "...")
}

func TestDocNumbers(t *testing.T) {
	t.Parallel()
	for _, l := range lessons.Course {
		var pages []string
		for _, p := range []string{filepath.Join(docsDir, l.ID+".md"), filepath.Join(docsDir, "zh-CN", l.ID+".md")} {
			md, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, p, string(md))
		}
		t.Run(l.ID, func(t *testing.T) {
			t.Parallel()
			srv := runnertest.OwnServer(t)
			cfg := runner.Config{Prefix: "/n/", RunID: "r", OwnServers: true}
			cfg.Conn.Endpoints = []string{srv.Endpoint()}
			sum, rec := runnertest.Run(t, cfg, l)
			runnertest.MustPass(t, sum, rec)
			printed := map[string]bool{}
			for _, e := range runnertest.Events(rec, runner.KindEtcdctl) {
				text := strings.ReplaceAll(e.Text, "/n/r/"+l.ID, "PREFIX")
				for _, line := range strings.Split(text, "\n") {
					printed[normal(line)] = true
				}
			}
			var said []string
			for _, e := range rec.Events() {
				said = append(said, e.Text)
			}
			checkFigures(t, l.ID, strings.Join(said, "\n"))
			checkNoReplaySaid(t, l.ID, strings.Join(said, "\n"))
			for i := 0; i < len(pages); i += 2 {
				for _, line := range shLines(pages[i+1]) {
					if noRunLine(line) {
						continue
					}
					norm := normal(line)
					if !printed[norm] && !printed[strings.TrimSpace(norm)] {
						t.Errorf("%s: %q is no line %s printed when run alone on a fresh etcd", pages[i], line, l.ID)
					}
				}
			}
		})
	}
}

// docFigures are the numbers the pages state in prose about a run of the
// lesson alone on a fresh etcd: the page's sentence, with a group per
// number, and for each group where the run's output says it (its first
// group, in the first line that matches).
var docFigures = []struct {
	lesson, page, doc string
	run               []string
}{
	{"put-get", "put-get.md", "the Put is revision (\\d+), the\\s+overwrite (\\d+), the transaction (\\d+), the Delete of `name` (\\d+) and the prefix\\s+Delete (\\d+); the last Delete's header says (\\d+)",
		[]string{`header revision=(\d+)`, `create_revision=\d+ mod_revision=(\d+) version=2`, `"dir/a" = "[^"]*"  create_revision=(\d+)`, `deleted=1, revision=(\d+)`, `deleted=3, revision=(\d+)`, `deleted=0, revision=(\d+)`}},
	{"put-get", "zh-CN/put-get.md", "Put 是修订号 (\\d+)，覆盖是 (\\d+)，事务是 (\\d+)，删除 `name` 是 (\\d+)，前缀删除是 (\\d+)；最后一次 Delete 的 header 显示 (\\d+)",
		[]string{`header revision=(\d+)`, `create_revision=\d+ mod_revision=(\d+) version=2`, `"dir/a" = "[^"]*"  create_revision=(\d+)`, `deleted=1, revision=(\d+)`, `deleted=3, revision=(\d+)`, `deleted=0, revision=(\d+)`}},
	{"election", "election.md", "candidate 1's key is created at revision (\\d+),\\s+`Proclaim` rewrites it at (\\d+), candidate 2 queues at (\\d+)",
		[]string{`Observe: "[^"]*" = "[^"]*"  create_revision=(\d+)`, `create_revision=\d+ mod_revision=(\d+) version=2`, `candidate 2 queued: PUT .* mod_revision=(\d+)`}},
	{"election", "zh-CN/election.md", "候选者 1 的 key 创建于修订号 (\\d+)，`Proclaim` 在 (\\d+) 重写它，候选者 2 在 (\\d+) 排队",
		[]string{`Observe: "[^"]*" = "[^"]*"  create_revision=(\d+)`, `create_revision=\d+ mod_revision=(\d+) version=2`, `candidate 2 queued: PUT .* mod_revision=(\d+)`}},
	{"history", "history.md", "\\| [\\d –]+ bytes \\| (\\d+) bytes \\|", []string{`the file shrank from \d+ to (\d+) bytes`}},
	{"history", "zh-CN/history.md", "\\| [\\d –]+ 字节 \\| (\\d+) 字节 \\|", []string{`the file shrank from \d+ to (\d+) bytes`}},
	{"lock", "lock.md", "session 1's key is revision (\\d+), session 2's key (\\d+)",
		[]string{`session 1 holds "[^"]*", created at revision (\d+)`, `session 2 holds "[^"]*", created at revision (\d+)`}},
	{"lock", "zh-CN/lock.md", "会话 1 的 key 是修订号 (\\d+)，会话 2 的 key 是 (\\d+)",
		[]string{`session 1 holds "[^"]*", created at revision (\d+)`, `session 2 holds "[^"]*", created at revision (\d+)`}},
}

// space is a run of white space, a line break in a page's paragraph.
var space = regexp.MustCompile(`\s+`)

// checkFigures checks lesson's docFigures against the text of its run.
func checkFigures(t *testing.T, lesson, run string) {
	t.Helper()
	for _, f := range docFigures {
		if f.lesson != lesson {
			continue
		}
		md, err := os.ReadFile(filepath.Join(docsDir, f.page))
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(f.doc).FindStringSubmatch(space.ReplaceAllString(string(md), " "))
		if m == nil {
			t.Errorf("%s: no sentence matches %q: the test's docFigures and the page disagree", f.page, f.doc)
			continue
		}
		for i, re := range f.run {
			r := regexp.MustCompile(re).FindStringSubmatch(run)
			got := ""
			for _, g := range r[min(1, len(r)):] {
				if g != "" {
					got = g
					break
				}
			}
			if got != m[i+1] {
				t.Errorf("%s says %s where the run of %s alone printed %q (%s)", f.page, m[i+1], lesson, got, re)
			}
		}
	}
}

// docWaits are the waits a lesson chooses, as its pages name them: each
// the constant in the lesson's source (file), a Go duration such as
// "100 * time.Millisecond", and on the page a number of ms, 毫秒, s or 秒.
var docWaits = []struct {
	page, doc, file, src string
}{
	{"election.md", "\\*\\*`leaderHold`, ([\\d.]+ ms)\\*\\*", "election.go", `const leaderHold = (\d+ \* time\.\w+)`},
	{"zh-CN/election.md", "\\*\\*`leaderHold`，([\\d.]+ ms)\\*\\*", "election.go", `const leaderHold = (\d+ \* time\.\w+)`},
	{"lock.md", `The hold, ([\d.]+ ms), is the only wait`, "lock.go", `const hold = (\d+ \* time\.\w+)`},
	{"zh-CN/lock.md", `持锁的 ([\d.]+ ms) 是本课自己选择的唯一等待`, "lock.go", `const hold = (\d+ \* time\.\w+)`},
	{"watch-away.md", `The lesson waits ([\d.]+ ms), its own choice`, "watchaway.go", `t\.Wait\((\d+\*time\.\w+), "for the watch to reconnect`},
	{"zh-CN/watch-away.md", `本课自己选择等待 ([\d.]+ 毫秒)`, "watchaway.go", `t\.Wait\((\d+\*time\.\w+), "for the watch to reconnect`},
	{"failover.md", `the client writes for ([\d.]+ s) before the stop and`, "failover_helpers.go", `writeBefore = (\d+ \* time\.\w+)`},
	{"zh-CN/failover.md", `客户端在停止之前写 ([\d.]+ 秒)`, "failover_helpers.go", `writeBefore = (\d+ \* time\.\w+)`},
}

// duration reads "100 ms", "0.5 秒" or "500 * time.Millisecond".
func duration(s string) (time.Duration, error) {
	s = strings.NewReplacer(" ", "", "*", "", "time.Millisecond", "ms", "time.Second", "s", "毫秒", "ms", "秒", "s").Replace(s)
	return time.ParseDuration(s)
}

// TestDocWaits: a wait a page says the lesson chooses is the one in its
// source. Changing either by hand fails.
func TestDocWaits(t *testing.T) {
	for _, w := range docWaits {
		md, err := os.ReadFile(filepath.Join(docsDir, w.page))
		if err != nil {
			t.Fatal(err)
		}
		src, err := os.ReadFile(w.file)
		if err != nil {
			t.Fatal(err)
		}
		d := regexp.MustCompile(w.doc).FindStringSubmatch(space.ReplaceAllString(string(md), " "))
		s := regexp.MustCompile(w.src).FindStringSubmatch(string(src))
		if d == nil || s == nil {
			t.Errorf("%s (%q) or %s (%q) no longer says it: the test's docWaits and the page disagree", w.page, w.doc, w.file, w.src)
			continue
		}
		dd, err1 := duration(d[1])
		sd, err2 := duration(s[1])
		if err1 != nil || err2 != nil || dd != sd {
			t.Errorf("%s says %s where %s has %s", w.page, d[1], w.file, s[1])
		}
	}
}
