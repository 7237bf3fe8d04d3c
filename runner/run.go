package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/namespace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"etcdtour/runner/etcdconn"
	"etcdtour/runner/i18n"

	"etcdtour/runner/etcdctl"
)

// Config says where and how the course runs.
type Config struct {
	// Conn says how to reach etcd.
	Conn etcdconn.Conn
	// Prefix is the namespace all of the run's keys live under; it must end
	// in "/". Each run takes its own sub-prefix PREFIX+RUNID+"/", and each
	// lesson its own PREFIX+RUNID+"/"+LESSON+"/".
	Prefix string
	// RunID names this run's sub-prefix (see CheckRunID). Empty means a
	// random one. Run refuses to start if any key exists under the
	// sub-prefix: it would be another run's, or left by an earlier one.
	RunID string
	// Keep leaves the lessons' keys and leases in place after each lesson.
	Keep bool
	// LessonTimeout bounds one lesson; zero means 2 minutes, plus 300 of
	// the cluster's round trips as measured at start (a lesson makes
	// hundreds of requests one after another: txn at 100 ms each way took
	// 37 s).
	LessonTimeout time.Duration
	// Reporter receives every event. Required.
	Reporter Reporter
	// Interactive lets lessons that can wait for the learner's own etcdctl
	// commands do so (see T.Interactive).
	Interactive bool
	// DialOptions are added to every lesson client's, and to no other
	// client of the run (its clean-up, fences and quorum checks stay
	// truthful): gRPC interceptors that change what a lesson sees, as a
	// checker that injects faults into a learner's run does, or the tests'
	// clients that lie to prove that a lesson's checks can fail.
	DialOptions []grpc.DialOption
	// Code gives the Go code each step shows: Step returns the code of the
	// step whose t.Step call is at file:line (file may be a full path), or
	// "" if it has none. Nil shows none. (runner/source.Code is one.) If
	// it also has a method StepLines(file string, line int) []CodeLine,
	// step events carry its lines too (Event.Lines).
	Code interface {
		Step(file string, line int) string
	}
	// Pause, if set, is called before each step with the step's heading. It
	// returns false to quit the run, which then ends as if ctx were
	// cancelled: the lesson is interrupted and cleaned up.
	Pause func(ctx context.Context, lesson string, step int, title string) bool
	// OwnServers lets the runner start, for each lesson whose Needs asks
	// for one, an embedded server or cluster of the lesson's own. False
	// (the course runs on a cluster the user named) skips those lessons:
	// they would compact it, or stop its members.
	OwnServers bool
	// Alone says that the learner is alone on the etcd the course runs
	// on (one the run started): a lesson may watch keys outside the
	// course's (T.Stray). False on a cluster the user named, whose other
	// keys are not the course's to read.
	Alone bool
	// TempDir is where those servers' temp dirs are made; empty means
	// os.TempDir(). main puts them in the embedded etcd's temp dir, which
	// goes even when a second Ctrl-C exits at once.
	TempDir string
	// Observer, if set, follows each lesson from the runner's side: the
	// live picture of --web (runner/web). See Observer.
	Observer Observer
	// InvertCheck, for tests, makes the InvertCheck-th check (counted from
	// 1) of each lesson say the opposite of what the lesson found, so that
	// a test proves each check can fail, one at a time. 0 inverts none.
	InvertCheck int
	// Lang is the language of the narration: the lessons' titles, docs,
	// steps, texts and checks, and the runner's own words. The JSON output's
	// text fields follow it; its field names and kinds do not. The zero
	// Lang is English.
	Lang i18n.Lang
}

// DefaultPrefix is where the course's keys live unless --prefix says otherwise.
const DefaultPrefix = "/etcdtour/"

// Status is how a lesson ended.
type Status string

const (
	StatusPassed      Status = "passed"
	StatusFailed      Status = "failed"
	StatusInterrupted Status = "interrupted"
	StatusNotRun      Status = "not run"
	// StatusSkipped: the lesson needs a server of its own (Needs) and the
	// run is on a cluster the user named. It does not fail the run.
	StatusSkipped Status = "skipped"
)

// LessonResult is the outcome of one lesson.
type LessonResult struct {
	ID       string   `json:"id"`
	Status   Status   `json:"status"`
	Seconds  float64  `json:"seconds"`
	Error    string   `json:"error,omitempty"`
	Failures []string `json:"failures,omitempty"`
}

// Summary is the outcome of a run.
type Summary struct {
	Lessons     []LessonResult
	Seconds     float64
	Interrupted bool
}

// OK reports whether every lesson passed or was skipped.
func (s Summary) OK() bool {
	for _, r := range s.Lessons {
		if r.Status != StatusPassed && r.Status != StatusSkipped {
			return false
		}
	}
	return !s.Interrupted
}

// Run runs the lessons in order against the etcd cfg.Conn names. It returns
// an error only when it cannot start (etcd unreachable, bad credentials);
// lesson failures are in the Summary. When ctx is cancelled the running
// lesson is interrupted, cleaned up, and the rest are reported as not run.
func Run(ctx context.Context, cfg Config, lessons []Lesson) (Summary, error) {
	start := time.Now()
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultPrefix
	}
	if err := CheckPrefix(cfg.Lang, cfg.Prefix); err != nil {
		return Summary{}, err
	}
	farLimit := cfg.LessonTimeout == 0 // grows with the round trip
	if farLimit {
		cfg.LessonTimeout = 2 * time.Minute
	}
	if cfg.RunID == "" {
		cfg.RunID = NewRunID()
	}
	if err := CheckRunID(cfg.Lang, cfg.RunID); err != nil {
		return Summary{}, err
	}
	runPrefix := cfg.RunPrefix()
	cfg.Conn = cfg.Conn.WithDefaults()
	if cfg.Conn.Lang.IsEnglish() {
		cfg.Conn.Lang = cfg.Lang
	}
	// quit lets Pause end the run the same way an interrupt does.
	ctx, quit := context.WithCancel(ctx)
	defer quit()

	raw, m, version, err := connect(ctx, cfg.Conn, cfg.Prefix, runPrefix)
	if err != nil {
		return Summary{}, err
	}
	defer raw.Close()
	defer m.close()
	if farLimit {
		cfg.LessonTimeout += 300 * m.rtt
	}
	// The run's own request, with the budget of its others (the fences).
	lease, err := grantRunLease(ctx, m, m.budget(cfg.Conn))
	if err != nil {
		if refused(err) {
			actx, cancel := context.WithTimeout(ctx, m.budget(cfg.Conn))
			line := alarmLine(cfg.Lang, m.alarms(actx))
			cancel()
			if line != "" {
				return Summary{}, errors.New(line)
			}
		}
		return Summary{}, cfg.Conn.Explain(err, raw)
	}
	r := &run{raw: raw, members: m, lease: lease.id, version: version, prefix: runPrefix}
	env := "export " + cfg.Conn.EtcdctlEnv()
	cfg.Reporter.Report(Event{Kind: KindCourseStart, Version: version, Endpoints: cfg.Conn.Endpoints, Prefix: runPrefix, Env: env,
		Text: cfg.Lang.Msg("etcd %s at %s · keys under %s\netcdctl lines below assume: export %s",
			version, strings.Join(cfg.Conn.Endpoints, ","), runPrefix, cfg.Conn.EtcdctlEnv())})

	var sum Summary
	gone := false // etcd lost its leader or stopped answering: the rest would only time out
	for i, l := range lessons {
		if ctx.Err() != nil || gone {
			sum.Lessons = append(sum.Lessons, LessonResult{ID: l.ID, Status: StatusNotRun})
			continue
		}
		if l.Needs.Members > 0 && !cfg.OwnServers {
			// One line: the lesson is not the learner's to fix here.
			res := LessonResult{ID: l.ID, Status: StatusSkipped, Error: skipReason(cfg.Lang, l.Needs)}
			cfg.Reporter.Report(Event{Kind: KindLessonEnd, Lesson: l.ID, Status: res.Status, Error: res.Error})
			sum.Lessons = append(sum.Lessons, res)
			continue
		}
		cfg.Reporter.Report(Event{Kind: KindLessonStart, Lesson: l.ID, Title: cfg.Lang.Text(l.Title),
			Index: i + 1, Total: len(lessons), Text: cfg.Lang.Text(l.Doc)})
		res, lost := runLesson(ctx, quit, cfg, r, l, i == len(lessons)-1)
		cfg.Reporter.Report(Event{Kind: KindLessonEnd, Lesson: l.ID, Status: res.Status,
			Seconds: res.Seconds, Error: res.Error, Failures: res.Failures})
		sum.Lessons = append(sum.Lessons, res)
		gone = lost
	}
	// The run's lease goes last: it holds the fences of lessons whose
	// clean-up could not delete them, and of fence puts that may land late.
	budget := m.budget(cfg.Conn)
	if ctx.Err() != nil || gone {
		budget = interruptedCleanup / 2
	}
	lctx, cancel := context.WithTimeout(context.Background(), budget)
	if err := lease.end(lctx, m); err != nil {
		cfg.Reporter.Report(Event{Kind: KindNote, Text: cfg.Lang.Msg("cleanup: %s", lease.left(cfg.Lang, err))})
	} else if lease.unsure {
		cfg.Reporter.Report(Event{Kind: KindNote, Text: cfg.Lang.Msg("cleanup: %s", lease.late(cfg.Lang))})
	}
	cancel()
	sum.Interrupted = ctx.Err() != nil
	sum.Seconds = time.Since(start).Seconds()
	count := map[Status]int{}
	for _, r := range sum.Lessons {
		count[r.Status]++
	}
	cfg.Reporter.Report(Event{Kind: KindSummary, Passed: count[StatusPassed], Failed: count[StatusFailed],
		Interrupted: count[StatusInterrupted], NotRun: count[StatusNotRun], Skipped: count[StatusSkipped],
		Seconds: sum.Seconds, Lessons: sum.Lessons})
	return sum, nil
}

// skipReason says why a lesson that needs a server of its own is not run
// on the user's cluster, and how to run it.
func skipReason(lang i18n.Lang, n Needs) string {
	what := lang.Msg("an etcd of its own")
	if n.Members > 1 {
		what = lang.Msg("an etcd cluster of its own (%d members)", n.Members)
	}
	return lang.Msg("needs %s to compact and stop, never the cluster --endpoints names: run it without --endpoints", what)
}

// RunPrefix is the prefix every key of the run lives under,
// Prefix+RunID+"/": what is left there if the run cannot clean up.
func (c Config) RunPrefix() string { return c.Prefix + c.RunID + "/" }

// CheckPrefix says whether p can be Config.Prefix: it ends in "/", and has
// no control character, which would break every etcdctl line it is printed
// in. The error is in lang.
func CheckPrefix(lang i18n.Lang, p string) error {
	if !strings.HasSuffix(p, "/") {
		return lang.Err("--prefix %q must end in \"/\", such as /etcdtour/", p)
	}
	if i := strings.IndexFunc(p, unicode.IsControl); i >= 0 {
		return lang.Err("--prefix %q has a control character (%U): use printable characters, such as /etcdtour/", p, []rune(p[i:])[0])
	}
	return nil
}

// CheckRunID says whether id can name a run: 1 to 64 letters, digits,
// '-', '_' and '.', beginning with a letter or digit. It becomes one level
// of the keys' prefix, so it has no '/'. The error is in lang.
func CheckRunID(lang i18n.Lang, id string) error {
	if !runIDPattern.MatchString(id) {
		return lang.Err("--run-id %q: want 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit, such as alice", id)
	}
	return nil
}

var runIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// NewRunID returns a random run ID, eight hex digits, for Config.RunID.
func NewRunID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// run is what the lessons of one run share.
type run struct {
	raw     *clientv3.Client // the runner's own client
	members *members         // the runner's own clients, one per endpoint
	lease   clientv3.LeaseID // the run's lease, which the fences carry
	version string           // the server's
	prefix  string           // the run's prefix, PREFIX+RUNID+"/"
}

// runLesson runs one lesson with its own namespaced client and cleans up
// after it, whatever happened. When the lesson failed it also finds out
// whether the cluster can still serve the run; if not, it says so in one
// line as soon as it knows, and returns lost. It takes cfg whole: it is
// what makes the lesson's T and client from ten of cfg's fields, and hands
// on only what each part needs (startCluster, cleanup).
func runLesson(ctx context.Context, quit context.CancelFunc, cfg Config, r *run, l Lesson, last bool) (res LessonResult, lost bool) {
	start := time.Now()
	prefix := r.prefix + l.ID + "/"
	leases := &leaseSet{ids: map[clientv3.LeaseID]bool{}}
	lc := &lessonClient{prefix: prefix, timeout: cfg.Conn.CommandTimeout, leases: leases, raw: r.raw}
	t := &T{id: l.ID, rep: cfg.Reporter, etcdctlEnv: cfg.Conn.EtcdctlEnv(), interactive: cfg.Interactive, alone: cfg.Alone,
		code: cfg.Code, lang: cfg.Lang, lc: lc, obs: cfg.Observer, invert: cfg.InvertCheck}
	if cfg.Pause != nil {
		t.pause = func(step int, title string) bool {
			release := lc.hold(t.ctx, t.Client) // time stands still while paused
			defer release()
			if !cfg.Pause(t.ctx, l.ID, step, title) {
				quit()
				return false
			}
			return true
		}
	}
	conn := cfg.Conn
	own := l.Needs.Members > 0
	if !own {
		t.slowBar, t.rtt = slowBar(r.members.rtt), r.members.rtt
	}
	lc.dial = func(endpoints []string) (*clientv3.Client, error) {
		conn, w := conn, wire{t: t}
		if endpoints != nil {
			conn.Endpoints = endpoints
		}
		if len(endpoints) == 1 {
			w.only = endpoints[0] // a client of one member (Cluster.Client)
		}
		opts := append(w.dialOptions(), cfg.DialOptions...)
		if own {
			// Its members stop and restart on cue: reconnect within a
			// tenth of a second, not gRPC's default backoff of a second
			// and more, which only makes the learner wait.
			opts = append(opts, grpc.WithConnectParams(grpc.ConnectParams{
				Backoff:           backoff.Config{BaseDelay: 50 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 200 * time.Millisecond},
				MinConnectTimeout: time.Second,
			}))
		}
		c, err := conn.Client(append(opts, fence{lc}.dialOptions()...)...)
		if err != nil {
			return nil, err
		}
		c.KV = namespace.NewKV(c.KV, prefix)
		c.Maintenance = guardedMaintenance{c.Maintenance}
		if own {
			// Its own etcd: the lesson may drop its history.
			c.Maintenance = ownMaintenance{c.Maintenance.(guardedMaintenance)}
		} else {
			c.KV = guardedKV{c.KV}
		}
		c.Watcher = namespace.NewWatcher(c.Watcher, prefix)
		c.Lease = trackedLease{Lease: namespace.NewLease(c.Lease, prefix), set: leases, timeout: cfg.Conn.CommandTimeout}
		c.Cluster = guardedCluster{c.Cluster}
		c.Auth = guardedAuth{c.Auth}
		return c, nil
	}

	// The fence is the runner's, not the lesson's: it is not part of the
	// lesson's time. A lesson on an etcd of its own writes there: no fence.
	var fenceErr error
	if !own {
		fctx, fcancel := context.WithTimeout(ctx, r.members.budget(cfg.Conn))
		key := fenceKey(r.prefix, l.ID)
		var rev int64
		rev, fenceErr = putFence(fctx, r.members, key, r.lease)
		fcancel()
		lc.fenceKey, lc.fenceRev = key, rev
	}

	lctx, cancel := context.WithTimeout(ctx, cfg.LessonTimeout)
	if cfg.Interactive || cfg.Pause != nil {
		lctx, cancel = context.WithCancel(ctx) // a person sets the pace
	}
	t.ctx = lctx
	endObserver := func() {}
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = cfg.Lang.Err("panic: %v", r)
			}
		}()
		if fenceErr != nil {
			return cfg.Lang.Err("could not create the lesson's fence %s: %w", lc.fenceKey, fenceErr)
		}
		if own {
			if conn, err = t.startCluster(lctx, l.Needs, cfg.TempDir, cfg.Conn.DialTimeout); err != nil {
				return err
			}
		}
		if t.Client, err = t.NewClient(); err != nil {
			return cfg.Lang.Err("connect: %w", err)
		}
		if cfg.Observer != nil {
			t.lc.mu.Lock()
			raw := t.lc.raw // the run's, or its own cluster's
			t.lc.mu.Unlock()
			endObserver = t.observe(cfg.Observer, raw, prefix)
		}
		err = l.Run(lctx, t)
		t.endStep()
		return err
	}()
	timedOut := errors.Is(lctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
	cancel()

	t.mu.Lock()
	t.cleaning = true
	failed := err != nil || timedOut || len(t.failures) > 0
	t.mu.Unlock()
	// Interrupted is how the lesson ended, not a Ctrl-C during its clean-up.
	interrupted := ctx.Err() != nil

	// A lesson that failed may have failed because the cluster lost its
	// leader: find out while the clean-up runs. The window is
	// --command-timeout and most of a second more, for an election under
	// way (a stalled leader is replaced within etcd's election timeout,
	// 1 s by default) not to pass for a lost leader. If none is found, say
	// so at once, and give the clean-up a second more (nothing can be
	// written without a leader, but one may come back).
	lostc := make(chan struct{})
	probed := make(chan struct{})
	if failed && !interrupted && !own {
		go func() {
			defer close(probed)
			// A raised alarm (alarm.go) stops the run too, but leaves the
			// clean-up its time: etcd still deletes and revokes. Its list
			// goes through the leader: it is asked at the same time.
			actx, acancel := context.WithTimeout(ctx, cfg.Conn.CommandTimeout+2*r.members.rtt)
			alarm := make(chan string, 1)
			go func() { alarm <- alarmLine(cfg.Lang, r.members.alarms(actx)) }()
			defer func() { acancel(); <-alarm }()
			ok, why := r.members.health(ctx, cfg.Lang, r.raw, r.prefix, cfg.Conn.CommandTimeout+probeExtra+2*r.members.rtt)
			if ctx.Err() != nil {
				return
			}
			if ok {
				select {
				case why = <-alarm:
					alarm <- why // for the deferred receive
				case <-actx.Done():
				}
				if why == "" {
					return
				}
			}
			if !last {
				why = cfg.Lang.Msg("%s: the lessons after %s are not run", why, l.ID)
			}
			cfg.Reporter.Report(Event{Kind: KindNote, Text: why})
			lost = true
			if !ok {
				close(lostc)
			}
		}()
	} else {
		close(probed)
	}
	if t.Cluster != nil {
		endObserver() // before its cluster goes
		t.removeCluster()
	} else {
		cleanup(ctx, lostc, cfg.Keep, r.members.budget(cfg.Conn), r, t)
		endObserver() // after: it sees the clean-up's deletes
	}
	<-probed

	t.mu.Lock()
	res = LessonResult{ID: l.ID, Status: StatusPassed, Failures: t.failures}
	t.mu.Unlock()
	switch {
	case interrupted:
		res.Status, res.Error = StatusInterrupted, cfg.Lang.Msg("interrupted")
	case timedOut:
		res.Status, res.Error = StatusFailed, cfg.Lang.Msg("did not finish within %v", cfg.LessonTimeout)
	case status.Code(err) == codes.Unimplemented:
		// An older server answers a call it does not know this way.
		res.Status = StatusFailed
		res.Error = cfg.Lang.Msg("etcd %s at %s is too old for this lesson: it does not implement a call the lesson makes (%v); run it against a newer etcd",
			r.version, strings.Join(cfg.Conn.Endpoints, ","), err)
	case err != nil:
		res.Status, res.Error = StatusFailed, t.where(err)
	case len(res.Failures) > 0:
		res.Status = StatusFailed
		res.Error = cfg.Lang.Msg("%d check(s) failed", len(res.Failures))
	}
	if res.Status == StatusFailed && !own && !lost && ctx.Err() == nil {
		// A failure across a leader change says so (term.go).
		tctx, tcancel := context.WithTimeout(ctx, cfg.Conn.CommandTimeout)
		if why := t.leaderChanged(tctx, cfg.Lang, r.members); why != "" {
			res.Error = cfg.Lang.Msg("%s; %s", res.Error, why)
		}
		tcancel()
		// And one on a crowded cluster says that (slow.go).
		if why := t.slowWhy(); why != "" {
			res.Error = cfg.Lang.Msg("%s; %s", res.Error, why)
		}
	}
	res.Seconds = time.Since(start).Seconds()
	return res, lost
}

// where says which step and call an error of the lesson's came from: a
// lesson returns err as the client gave it.
func (t *T) where(err error) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	msg := t.lang.Error(err.Error())
	// The request whose error this is, if one alone failed with it: not
	// another one's that failed before or beside it.
	var lines []string
	for m, line := range t.failedCalls {
		if m != "" && strings.Contains(msg, m) {
			lines = append(lines, line)
		}
	}
	if len(lines) == 1 && lines[0] != "" && !strings.Contains(msg, lines[0]) {
		msg = fmt.Sprintf("%s: %s", strings.SplitN(lines[0], "\n", 2)[0], msg)
	}
	if t.step > 0 {
		msg = t.lang.Msg("step %d (%s): %s", t.step, t.stepTitle, msg)
	}
	return msg
}

// probeExtra is how much longer than --command-timeout the runner looks for
// a leader after a lesson failed, and lostCleanup how long the clean-up may
// go on after none was found: the note comes within --command-timeout + 1 s
// of the failure.
const (
	probeExtra  = 800 * time.Millisecond
	lostCleanup = time.Second
)

// interruptedCleanup bounds the whole clean-up of a lesson that was
// interrupted, so that Ctrl-C ends the run within 2 s even when the server
// no longer answers. Otherwise the clean-up has max(--command-timeout, 5s).
const interruptedCleanup = time.Second

// keptNone reports whether there is no key under prefix to keep: a lesson
// that deletes its own keys leaves --keep nothing to point at. When no
// member answers within a second, it says false: the keys may be there.
func keptNone(r *run, prefix string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), interruptedCleanup)
	defer cancel()
	var some atomic.Bool // members may answer at once
	err := r.members.do(ctx, func(ctx context.Context, cli *clientv3.Client) error {
		resp, err := cli.Get(ctx, prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
		if err == nil && resp.Count > 0 {
			some.Store(true)
		}
		return err
	})
	return err == nil && !some.Load()
}

// cleanup closes the lesson's clients (ending their watches and keep-alives),
// revokes the leases the lesson granted (and those whose Grant got no
// answer) and deletes its keys with its fence, all at once, through
// whichever members answer. It uses its own deadline so that it also runs
// after the run was interrupted; it gives up a second after lost is closed.
// keep (--keep) leaves the keys and leases, and says how to see them;
// budget is how long the clean-up may take when not interrupted.
func cleanup(runCtx context.Context, lost <-chan struct{}, keep bool, budget time.Duration, r *run, t *T) {
	for _, c := range t.lc.take() {
		c.Close()
	}
	fkey, _ := t.lc.fence()
	prefix := t.lc.prefix
	if keep {
		text := t.lang.Msg("kept (--keep); see them with: etcdctl get --prefix %s", etcdctl.Quote(prefix))
		if keptNone(r, prefix) {
			text = t.lang.Msg("nothing to keep (--keep): the lesson deleted its keys")
		}
		t.report(Event{Kind: KindCleanup, Text: text})
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	// An interrupt, before the clean-up or during it, shortens it to the
	// interrupted budget (AfterFunc on a context already done runs at once).
	defer context.AfterFunc(runCtx, func() { time.AfterFunc(interruptedCleanup, cancel) })()
	go func() {
		select {
		case <-lost:
			time.AfterFunc(lostCleanup, cancel)
		case <-ctx.Done():
		}
	}()
	unknown := t.lc.leases.unanswered()
	leases := t.lc.leases.list()
	for id := range unknown {
		if !slices.Contains(leases, id) {
			leases = append(leases, id)
		}
	}
	revokeErrs := make([]error, len(leases))
	var wg sync.WaitGroup
	for i, id := range leases {
		wg.Go(func() {
			revokeErrs[i] = r.members.do(ctx, func(ctx context.Context, cli *clientv3.Client) error {
				_, err := cli.Revoke(ctx, id)
				return err
			})
		})
	}
	var deleted atomic.Int64 // tries through two members may both succeed
	var delErr error
	wg.Go(func() {
		delErr = r.members.do(ctx, func(ctx context.Context, cli *clientv3.Client) error {
			if fkey == "" {
				del, err := cli.Delete(ctx, prefix, clientv3.WithPrefix())
				if err == nil {
					deleted.Add(del.Deleted)
				}
				return err
			}
			// The fence and the keys at once: a late write of the lesson's
			// lands before this (and is deleted) or after (and is refused).
			resp, err := cli.Txn(ctx).Then(clientv3.OpDelete(fkey), clientv3.OpDelete(prefix, clientv3.WithPrefix())).Commit()
			if err == nil {
				deleted.Add(resp.Responses[1].GetResponseDeleteRange().Deleted)
			}
			return err
		})
	})
	wg.Wait()

	var done, left []string
	switch {
	case delErr != nil && fkey != "":
		t.Check(false, "cleanup: delete %q: %v", prefix, delErr)
		// The fence first: then a write that lands late is refused.
		left = append(left, t.lang.Msg("could not delete the keys under %s: etcdctl del %s && etcdctl del --prefix %s", prefix, etcdctl.Quote(fkey), etcdctl.Quote(prefix)))
	case delErr != nil:
		t.Check(false, "cleanup: delete %q: %v", prefix, delErr)
		left = append(left, t.lang.Msg("could not delete the keys under %s: etcdctl del --prefix %s", prefix, etcdctl.Quote(prefix)))
	case deleted.Load() > 0:
		done = append(done, t.lang.Msg("deleted %d key(s)", deleted.Load()))
	}
	revoked := 0
	for i, err := range revokeErrs {
		id := leases[i]
		ttl, unanswered := unknown[id]
		switch {
		case err == nil:
			revoked++
		case errors.Is(err, rpctypes.ErrLeaseNotFound) && unanswered:
			// Not granted (yet): a member that holds the Grant may still
			// grant it when it answers again.
			t.Check(false, "cleanup: lease %x was asked for and got no answer: a member may still grant it later (for %d s): etcdctl lease revoke %x", id, ttl, id)
			left = append(left, t.lang.Msg("lease %x may still be granted later: etcdctl lease revoke %x", id, id))
		case errors.Is(err, rpctypes.ErrLeaseNotFound):
			// already revoked by the lesson, or expired
		default:
			t.Check(false, "cleanup: revoke lease %x: %v (etcdctl lease revoke %x)", id, err, id)
			left = append(left, t.lang.Msg("could not revoke lease %x: etcdctl lease revoke %x", id, id))
		}
	}
	if revoked > 0 {
		done = append([]string{t.lang.Msg("revoked %d lease(s)", revoked)}, done...)
	}
	done = append(done, left...)
	if len(done) == 0 {
		done = append(done, t.lang.Msg("nothing left behind"))
	}
	t.report(Event{Kind: KindCleanup, Text: strings.Join(done, t.lang.Msg(", "))})
}
