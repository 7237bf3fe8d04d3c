package exercises_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/lessons"
	"etcdtour/lessons/exercises"
	"etcdtour/runner/embedded"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/exercise"
	"etcdtour/runner/i18n"
	"etcdtour/runner/runnertest"
	"etcdtour/runner/workspace"
)

func TestMain(m *testing.M) { os.Exit(runnertest.Main(m)) }

// TestList: the list is valid, each exercise's lesson is in the course and
// its page exists.
func TestList(t *testing.T) {
	t.Parallel()
	if err := exercise.Validate(exercises.List); err != nil {
		t.Fatal(err)
	}
	for _, e := range exercises.List {
		found := false
		for _, l := range lessons.Course {
			found = found || l.ID == e.Lesson
		}
		if !found {
			t.Errorf("%s: lesson %q is not in the course", e.ID, e.Lesson)
		}
		for _, page := range []string{e.Doc, exercise.DocPage(i18n.Chinese.With(exercise.Chinese()), e.Doc)} {
			page, _, _ := strings.Cut(page, "#")
			if _, err := os.Stat(filepath.Join("..", "..", page)); err != nil {
				t.Errorf("%s: its page: %v", e.ID, err)
			}
		}
	}
}

// A variant is one solution of an exercise the tests run through the
// checker, and what the checker must say about it.
type variant struct {
	name string // starter, solution, wrong/NAME
	pass bool
	// check and says: for a failing variant, the check that fails and a
	// part of its explanation.
	check, says string
}

func variants(e exercise.Exercise) []variant {
	vs := []variant{
		{name: "starter", check: e.Checks[0].Name, says: "not implemented"},
		{name: "solution", pass: true},
	}
	for _, m := range e.Mistakes {
		vs = append(vs, variant{name: "wrong/" + m.Dir, check: m.Check, says: m.Says})
	}
	return vs
}

// newWorkspace is a workspace in a temp dir holding every variant of e,
// each as a package of its own under v/ (v/solution, v/wrong/NAME, ...).
func newWorkspace(t *testing.T, e exercise.Exercise, vs []variant) string {
	t.Helper()
	dir := t.TempDir()
	var files []workspace.File
	for _, name := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "go.mod" {
			if b, err = workspace.Module(b, "go.etcd.io/etcd/client/v3"); err != nil {
				t.Fatal(err)
			}
		}
		files = append(files, workspace.File{Path: name, Data: b})
	}
	for _, v := range vs {
		src, err := e.Source(v.name)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range src {
			f.Path = "v/" + v.name + "/" + filepath.Base(f.Path)
			files = append(files, f)
		}
	}
	if _, err := workspace.Init(dir, files); err != nil {
		t.Fatal(err)
	}
	return dir
}

// ETCDTOUR_EXERCISE_SHOW=1 logs what the checker says of each variant
// (with -v), as etcdtour check shows it.

// repeat is how many times each variant runs: ETCDTOUR_EXERCISE_REPEAT,
// else once. (20 proves the checks are not flaky; it takes minutes.)
func repeat(t *testing.T) int {
	s := os.Getenv("ETCDTOUR_EXERCISE_REPEAT")
	if s == "" {
		return 1
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("ETCDTOUR_EXERCISE_REPEAT=%q: want a count", s)
	}
	return n
}

// ownClusters bounds the runs on a cluster of the checker's own at once
// (each a cluster of up to three members, which stops and elects): on a
// busy two-core machine twenty at once starved each other's elections and
// deadlines past every limit (a load average of 40).
var ownClusters = make(chan struct{}, 2)

// TestExercises runs every exercise's starter, reference solution and
// wrong solutions through the checker: the solution passes, the starter
// fails its first check with "not implemented", and each wrong solution
// fails the check its Mistake names, with the words that name its bug.
// The variants of an exercise are built into one driver (one link); each
// runs repeat times on an etcd of its own, as etcdtour check does, so that
// no other variant's writes land between the checker's; nothing is left
// in etcd.
func TestExercises(t *testing.T) {
	t.Parallel()
	n := repeat(t)
	for _, e := range exercises.List {
		t.Run(e.ID, func(t *testing.T) {
			t.Parallel()
			vs := variants(e)
			dir := newWorkspace(t, e, vs)
			var dirs []string
			for _, v := range vs {
				dirs = append(dirs, "v/"+v.name)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			drivers, out, err := exercise.BuildVariants(ctx, exercise.Config{Dir: dir}, e, dirs)
			cancel()
			if err != nil || out != "" {
				t.Fatalf("build: %v\n%s", err, out)
			}
			for i, v := range vs {
				t.Run(v.name, func(t *testing.T) {
					t.Parallel()
					limit := time.Duration(n) * time.Minute
					if e.Members > 0 {
						limit *= 3 // its runs wait for one another (ownClusters)
					}
					ctx, cancel := context.WithTimeout(context.Background(), limit)
					defer cancel()
					cfg := exercise.Config{Dir: dir, Prefix: "/exercises-test/"}
					if e.Members == 0 { // else the checker starts its own
						srv, err := embedded.StartServer(embedded.ServerOptions{})
						if err != nil {
							t.Fatal(err)
						}
						defer srv.Close()
						cfg.Conn = etcdconn.Conn{Endpoints: []string{srv.Endpoint()}}
					}
					good := 0
					for r := range n {
						if e.Members > 0 {
							ownClusters <- struct{}{}
						}
						res, err := exercise.Run(ctx, cfg, e, drivers[i])
						if e.Members > 0 {
							<-ownClusters
						}
						if err != nil {
							t.Errorf("run %d: %v", r+1, err)
							continue
						}
						if os.Getenv("ETCDTOUR_EXERCISE_SHOW") != "" && r == 0 {
							t.Logf("%s", exercise.FormatChecks(cfg.Lang, e, res, 0))
						}
						if msg := judge(v, res); msg != "" {
							t.Errorf("run %d: %s", r+1, msg)
							continue
						}
						good++
					}
					if n > 1 {
						t.Logf("%s %s: %d/%d as it should", e.ID, v.name, good, n)
					}
					if e.Members == 0 {
						leftovers(t, cfg)
					}
				})
			}
			if e.Members > 0 {
				// Its own cluster: on a cluster the user named it is
				// skipped, with one line, before any check runs.
				res, err := exercise.Run(context.Background(), exercise.Config{Dir: dir, UserCluster: true}, e, drivers[1])
				if err != nil || res.Skipped == "" || len(res.Checks) > 0 {
					t.Errorf("on a cluster the user named: %+v, %v; want it skipped", res, err)
				}
				return
			}
			// On etcd 3.4, three members, as with --endpoints: each
			// variant once, one after another. For watch, another client
			// writes outside the checks' prefix all along, as on a busy
			// cluster: its writes take revisions between the checker's
			// and the learner's requests, and the checks must not count
			// on them. (On put-get, they make the first check catch a
			// revision guessed from the Get, before the check that
			// writes between Get and Put: caught all the same.)
			if e.Members > 0 {
				// On a cluster the user named it is skipped, with
				// one line, and nothing is sent to it.
				t.Run("endpoints", func(t *testing.T) {
					cfg := exercise.Config{Dir: dir, Conn: etcdconn.Conn{Endpoints: []string{"127.0.0.1:1"}}, UserCluster: true}
					res, err := exercise.Run(context.Background(), cfg, e, drivers[0])
					if err != nil || res.Skipped == "" || len(res.Checks) > 0 {
						t.Errorf("on --endpoints: %+v, %v; want it skipped", res, err)
					}
				})
				return
			}
			t.Run("etcd-3.4", func(t *testing.T) {
				t.Parallel()
				c := runnertest.StartCluster(t, runnertest.ClusterOptions{Members: 3})
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
				defer cancel()
				if e.ID == "watch" {
					defer busy(t, c.Endpoints())()
				}
				for i, v := range vs {
					cfg := exercise.Config{Dir: dir, Conn: etcdconn.Conn{Endpoints: c.Endpoints()}, Prefix: "/etcdtour/exercises-test/" + v.name + "/"}
					res, err := exercise.Run(ctx, cfg, e, drivers[i])
					if err != nil {
						t.Errorf("%s: %v", v.name, err)
					} else if msg := judge(v, res); msg != "" {
						t.Errorf("%s: %s", v.name, msg)
					}
					leftovers(t, cfg)
				}
			})
		})
	}
}

// judge says what is wrong with res for variant v, "" if nothing.
func judge(v variant, res exercise.Result) string {
	if v.pass {
		if !res.Passed() {
			return fmt.Sprintf("the reference solution failed: %+v", res.Checks)
		}
		return ""
	}
	for _, c := range res.Checks {
		if c.Status != exercise.Failed {
			continue
		}
		why := strings.Join(c.Why, "\n")
		if c.Name != v.check || !strings.Contains(why, v.says) {
			return fmt.Sprintf("failed %q with %q; want %q failed with %q", c.Name, why, v.check, v.says)
		}
		return ""
	}
	return fmt.Sprintf("passed every check; want %q failed with %q", v.check, v.says)
}

// leftovers fails t for any key under cfg's prefix and any lease left.
func leftovers(t *testing.T, cfg exercise.Config) {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: cfg.Conn.Endpoints, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := cli.Get(ctx, cfg.Prefix, clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range resp.Kvs {
		t.Errorf("left behind: key %s", kv.Key)
	}
}

// busy writes a key outside the checks' prefix every 2 ms, through a
// client of its own, until the function it returns is called.
func busy(t *testing.T, endpoints []string) (stop func()) {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
			cli.Put(wctx, "/busy/writer", strconv.Itoa(i)) // errors: the cluster's, the checks see them
			wcancel()
		}
	}()
	return func() {
		cancel()
		<-done
		dctx, dcancel := context.WithTimeout(context.Background(), 5*time.Second)
		cli.Delete(dctx, "/busy/", clientv3.WithPrefix())
		dcancel()
		cli.Close()
	}
}

// TestDocs: docs/exercises.md has a row for every exercise, and its
// Chinese page, docs/zh-CN/exercises.md, the same sections, the same
// commands and a row for every exercise too; the READMEs and the Chinese
// index link them.
func TestDocs(t *testing.T) {
	t.Parallel()
	read := func(path string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join("..", "..", path))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	en, zh := read("docs/exercises.md"), read("docs/zh-CN/exercises.md")
	sections := map[string]string{
		"Watch mode": "监视模式", "The workspace": "工作区", "Checking": "检查",
		"The exercises": "练习", "Adding an exercise": "添加一个练习",
	}
	var want []string
	for _, h := range sectionsOf(en) {
		c, ok := sections[h]
		if !ok {
			t.Errorf("docs/exercises.md has a section %q that this test has no Chinese for", h)
		}
		want = append(want, c)
	}
	if got := sectionsOf(zh); !slices.Equal(got, want) {
		t.Errorf("docs/zh-CN/exercises.md: sections %q, want %q", got, want)
	}
	if a, b := shBlocks(en), shBlocks(zh); !slices.Equal(a, b) {
		t.Errorf("docs/zh-CN/exercises.md: its sh blocks %q differ from the English page's %q", b, a)
	}
	for _, e := range exercises.List {
		if !strings.Contains(en, "| "+e.ID+" ([lesson](") {
			t.Errorf("docs/exercises.md has no row for %s", e.ID)
		}
		if !strings.Contains(zh, "| "+e.ID+"（[课程](") {
			t.Errorf("docs/zh-CN/exercises.md has no row for %s", e.ID)
		}
	}
	for page, link := range map[string]string{
		"README.md":            "(docs/exercises.md)",
		"README.zh-CN.md":      "(docs/zh-CN/exercises.md)",
		"docs/zh-CN/README.md": "(exercises.md)",
		"docs/exercises.md":    "(zh-CN/exercises.md)",
	} {
		if !strings.Contains(read(page), link) {
			t.Errorf("%s does not link %s", page, link)
		}
	}
}

// sectionsOf are a page's "## " headings, in order.
func sectionsOf(md string) []string {
	var out []string
	for _, line := range strings.Split(md, "\n") {
		if h, ok := strings.CutPrefix(line, "## "); ok {
			out = append(out, strings.TrimSpace(h))
		}
	}
	return out
}

// shBlocks are the lines of a page's ```sh blocks.
func shBlocks(md string) []string {
	var out []string
	in := false
	for _, line := range strings.Split(md, "\n") {
		switch {
		case line == "```sh":
			in = true
		case strings.HasPrefix(line, "```"):
			in = false
		case in:
			out = append(out, line)
		}
	}
	return out
}
