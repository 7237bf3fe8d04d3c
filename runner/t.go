package runner

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner/embedded"
	"etcdtour/runner/i18n"

	"etcdtour/runner/etcdctl"
)

// T is a lesson's handle on the run: the client it works with and the
// narrator it talks through. Its methods are safe to call from several
// goroutines.
type T struct {
	// Client talks to etcd with every key under the lesson's own prefix: a
	// lesson writes "greeting" and etcd stores PREFIX+"greeting". The runner
	// closes it after the lesson, which cancels its watches and keep-alives.
	Client *clientv3.Client
	// Cluster is the lesson's own embedded cluster, if its Needs asked
	// for one; nil otherwise. Client then talks to all of its members.
	Cluster *embedded.Cluster

	// The narrator: where events go, in what language, with what code.
	id   string
	rep  Reporter
	lang i18n.Lang // what the narration is translated into
	code interface {
		Step(file string, line int) string
	} // Config.Code
	ctx context.Context // the lesson's: its events are dropped once it is done
	// pause waits for the presenter before a step (Config.Pause), holding
	// the lesson's leases meanwhile; false: they quit. Nil: no pauses.
	pause       func(step int, title string) bool
	interactive bool   // --interactive
	etcdctlEnv  string // what etcdctl needs to reach the lesson's cluster
	cleaning    bool   // set once Run returned: the runner's clean-up reports

	// The client's side that is the run's, not the lesson's (client.go).
	lc *lessonClient
	// obs sees the lesson's messages on the wire (Config.Observer); nil:
	// none does.
	obs Observer

	mu        sync.Mutex
	step      int
	stepTitle string
	stepFunc  stepFunc // the function that called Step
	// failedCalls maps what each failed request's error says (its gRPC
	// message) to its etcdctl line, "" where two lines failed so: where
	// names the request whose error the lesson returned, or none.
	failedCalls map[string]string
	lines       int // etcdctl lines shown in this step
	hidden      int // and requests not shown
	failures    []string
	terms       terms // the raft terms of the lesson's answers (term.go)
	checks      int   // checks made so far
	invert      int   // the check to invert (Config.InvertCheck), 0: none

	calls compound // which requests are the concurrency package's (concurrency.go)
	// slowBar is how long an answered request may take before the step
	// says the cluster was slow (slow.go); 0 on a lesson's own cluster.
	slowBar    time.Duration
	rtt        time.Duration // the run's cluster's round trip at start
	slowStep   slowness      // this step's slow requests
	slowLesson slowness      // and the lesson's
	alone      bool          // Config.Alone
}

// report passes a lesson's event on, unless the lesson was interrupted or
// timed out: what it says after that is about calls that will not run.
func (t *T) report(e Event) {
	if e.Kind != KindStep && e.Line == 0 {
		e.Line = t.callerLine()
	}
	t.mu.Lock()
	drop := t.ctx != nil && t.ctx.Err() != nil && !t.cleaning
	e.Step = t.step
	t.mu.Unlock()
	if drop {
		return
	}
	e.Lesson = t.id
	t.rep.Report(e)
}

// stepFunc is a function as the stack names it: a function inlined into
// another has the other's entry, so its name tells them apart.
type stepFunc struct {
	entry      uintptr
	name, file string
}

// callerLine is the line of the step's code that is making the event being
// reported, by the stack: the line of the function that called Step (a
// helper's call is the line that called the helper), else, in a goroutine
// the step started, the innermost line in the step's file (which may be
// outside the step's code: a helper's). 0 if none.
func (t *T) callerLine() int {
	t.mu.Lock()
	fn := t.stepFunc
	t.mu.Unlock()
	if fn.entry == 0 {
		return 0
	}
	var pcs [128]uintptr
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs[:])])
	inner := 0
	for {
		f, more := frames.Next()
		if (stepFunc{f.Entry, f.Function, f.File}) == fn {
			return f.Line
		}
		if f.File == fn.file && inner == 0 {
			inner = f.Line
		}
		if !more {
			return inner
		}
	}
}

// said is an event of kind k that says format with args: its Text in the
// run's language, its Format and Args as said.
func (t *T) said(k Kind, format string, args []any) Event {
	return Event{Kind: k, Text: t.lang.Msg(format, args...), Format: format, Args: args}
}

// Timeout is how long one request may take (--command-timeout). Every call a
// lesson makes gets a context with this timeout: the client waits forever for
// a server that does not answer.
func (t *T) Timeout() time.Duration { return t.lc.timeout }

// Key is the full key etcd stores for the lesson's key k, as etcdctl must
// name it.
func (t *T) Key(k string) string { return t.lc.prefix + k }

// EtcdctlEnv is what etcdctl needs, as variables for export, to reach the
// cluster as the course does: ETCDCTL_ENDPOINTS and, on a TLS or auth
// cluster, the rest (but the password: etcdctl asks for it).
func (t *T) EtcdctlEnv() string { return t.etcdctlEnv }

// Interactive reports whether the learner asked to drive the lesson with
// their own etcdctl commands (--interactive).
func (t *T) Interactive() bool { return t.interactive }

// SayStray says, until the function it returns is called or ctx ends,
// each key written outside the lesson's own keys, for a lesson that waits
// for the learner's etcdctl writes to watch key ("etcdctl put name hello"
// misses the lesson's name). It watches with the runner's own client,
// unseen, and only where the learner is alone on the etcd (Config.Alone):
// on a cluster the user named, whose other keys are not the course's to
// read, it does nothing. The returned function waits for its watch to end.
func (t *T) SayStray(ctx context.Context, key string) (stop func()) {
	if !t.alone || t.lc.raw == nil {
		return func() {}
	}
	// From the revision after now: a write once SayStray returned is seen.
	gctx, cancel := context.WithTimeout(ctx, t.Timeout())
	now, err := t.lc.raw.Get(gctx, "/", clientv3.WithCountOnly())
	cancel()
	if err != nil {
		return func() {}
	}
	wctx, cancel := context.WithCancel(ctx)
	wch := t.lc.raw.Watch(clientv3.WithRequireLeader(wctx), "", clientv3.WithPrefix(), clientv3.WithRev(now.Header.Revision+1))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for resp := range wch {
			for _, ev := range resp.Events {
				if k := string(ev.Kv.Key); ev.Type == clientv3.EventTypePut && !strings.HasPrefix(k, t.lc.prefix) {
					t.report(t.said(KindSay, "%s was written, outside the watched key\n%s: this watch does not see it", []any{k, key}))
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

// stepLines is what a Config.Code may also give: a step's code line by line
// (Event.Lines).
type stepLines interface {
	StepLines(file string, line int) []CodeLine
}

// Step, Say, Result, Wait, Check and Equal take a format in English, the
// key of its translation (package i18n): the runner narrates in the run's
// language (Config.Lang).

// Step starts a new numbered step. In step mode it first waits for the
// presenter; if they quit, the lesson's context is cancelled.
func (t *T) Step(format string, args ...any) {
	t.endStep()
	e := t.said(KindStep, format, args)
	title := e.Text
	src, code := "", ""
	var lines []CodeLine
	var pcs [1]uintptr
	caller, _ := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs[:])]).Next()
	if file, line := caller.File, caller.Line; file != "" {
		src = fmt.Sprintf("%s/%s:%d", filepath.Base(filepath.Dir(file)), filepath.Base(file), line)
		if t.code != nil {
			code = t.code.Step(file, line)
		}
		if sl, ok := t.code.(stepLines); ok {
			lines = sl.StepLines(file, line)
		}
	}
	t.mu.Lock()
	t.stepFunc = stepFunc{caller.Entry, caller.Function, caller.File}
	t.step++
	step := t.step
	t.stepTitle = title
	t.mu.Unlock()
	if t.pause != nil && t.ctx.Err() == nil && !t.pause(step, title) {
		return
	}
	e.Source, e.Code, e.Lines = src, code, lines
	t.report(e)
}

// Say explains something to the learner.
func (t *T) Say(format string, args ...any) {
	t.report(t.said(KindSay, format, args))
}

// Etcdctl shows the etcdctl command that does what the next call does, for
// the calls whose requests do not render as one: a watch, a lock, a
// keep-alive. (The etcdctl lines of unary calls come from the requests
// themselves.) Pass each argument separately; they are quoted for a POSIX
// shell as needed.
func (t *T) Etcdctl(args ...string) {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = etcdctl.Quote(a)
	}
	t.calls.listen(args)
	t.report(Event{Kind: KindEtcdctl, Text: "etcdctl " + strings.Join(q, " ")})
	if len(args) > 1 && (args[0] == "lock" || args[0] == "elect" && args[1] != "--listen") {
		// Pasted, it would block the shell, in a session of its own that
		// the next lines (the Go session's lease and key) do not name.
		t.report(t.said(KindSay, "↑ not replayable: etcdctl %s blocks the shell, in a session of its own", []any{args[0]}))
	}
	if len(args) > 1 && args[0] == "lease" && args[1] == "keep-alive" {
		t.report(t.said(KindSay, "↑ it blocks the shell: run it in a terminal of its own, or end it with &", nil))
	}
}

// NoReplay says, as Say does, why the etcdctl lines shown, pasted in order
// into a shell, would not do what the lesson did (a crash, a stopped
// member: things no etcdctl line does). A program made from the lesson,
// which shows no etcdctl line, leaves it out.
func (t *T) NoReplay(format string, args ...any) {
	t.report(t.said(KindSay, format, args))
}

// Result shows what a call returned.
func (t *T) Result(format string, args ...any) {
	t.report(t.said(KindResult, format, args))
}

// Wait says that the lesson now waits for something, for about d if d > 0.
// The wait lasts until the lesson's next request, check, step or wait: what
// it reports with Result or Say meanwhile (each renewal, a lock acquired, an
// expiry) is part of the wait, and should be reported when it happens, not
// after the wait, so that a console shows it under the wait's line as it
// comes.
func (t *T) Wait(d time.Duration, format string, args ...any) {
	e := t.said(KindWait, format, args)
	e.Seconds = d.Seconds()
	t.report(e)
}

// Check records whether ok holds. A false check fails the lesson, like
// testing.T.Errorf, and the lesson goes on. Check returns ok.
func (t *T) Check(ok bool, format string, args ...any) bool {
	e := t.said(KindCheck, format, args)
	ok = t.inverted(ok)
	e.OK = boolp(ok)
	if !ok {
		t.mu.Lock()
		t.failures = append(t.failures, e.Text)
		t.mu.Unlock()
	}
	t.report(e)
	return ok
}

// Equal checks that got equals want, like Check, and shows both when they
// differ. got and want compare as a program made from the lesson compares
// them: numbers of different integer types by value, so that
// t.Equal(resp.Count, 3, ...) works; slices element by element, as
// slices.Equal does (nil and empty are equal); maps entry by entry, as
// maps.Equal does; other values of one type with ==, or with
// reflect.DeepEqual where == cannot compare them.
func (t *T) Equal(got, want any, format string, args ...any) bool {
	e := t.said(KindCheck, format, args)
	ok := t.inverted(equal(got, want))
	e.OK, e.Got, e.Want = boolp(ok), shown(got), shown(want)
	if !ok {
		t.mu.Lock()
		t.failures = append(t.failures, t.lang.Msg("%s: got %v, want %v", e.Text, e.Got, e.Want))
		t.mu.Unlock()
	}
	t.report(e)
	return ok
}

// inverted counts a check and returns its verdict, the opposite for the
// check Config.InvertCheck names.
func (t *T) inverted(ok bool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.checks++
	return ok != (t.checks == t.invert)
}

// shown is v as Equal shows it: with fmt.Sprint, but the strings of a
// slice or array quoted, so that ["a b" "c"] differs from ["a" "b c"].
func shown(v any) string {
	if r := reflect.ValueOf(v); (r.Kind() == reflect.Slice || r.Kind() == reflect.Array) && r.Type().Elem().Kind() == reflect.String {
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprint(v)
}

func equal(got, want any) bool {
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	if !g.IsValid() || !w.IsValid() {
		return g.IsValid() == w.IsValid()
	}
	switch {
	case g.CanInt() && w.CanInt():
		return g.Int() == w.Int()
	case g.CanUint() && w.CanUint():
		return g.Uint() == w.Uint()
	case g.CanInt() && w.CanUint():
		return g.Int() >= 0 && uint64(g.Int()) == w.Uint()
	case g.CanUint() && w.CanInt():
		return w.Int() >= 0 && uint64(w.Int()) == g.Uint()
	}
	if g.Type() != w.Type() {
		return false
	}
	switch g.Kind() {
	case reflect.Slice:
		if !g.Type().Elem().Comparable() {
			break
		}
		if g.Len() != w.Len() {
			return false
		}
		for i := 0; i < g.Len(); i++ {
			if !g.Index(i).Equal(w.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if !g.Type().Elem().Comparable() {
			break
		}
		if g.Len() != w.Len() {
			return false
		}
		for it := g.MapRange(); it.Next(); {
			v := w.MapIndex(it.Key())
			if !v.IsValid() || !it.Value().Equal(v) {
				return false
			}
		}
		return true
	}
	if g.Comparable() {
		return g.Equal(w)
	}
	return reflect.DeepEqual(got, want)
}

// NewClient opens another client under the lesson's prefix, as a second
// program would. The runner closes it after the lesson.
func (t *T) NewClient() (*clientv3.Client, error) { return t.lc.open(nil) }

// Ping asks etcd whether it still answers, with the runner's own request:
// it is not shown as the lesson's.
func (t *T) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(quiet(ctx), t.lc.timeout)
	defer cancel()
	// The lesson's prefix: a Get of "" alone is refused (no key given).
	_, err := t.Client.Get(ctx, "", clientv3.WithPrefix(), clientv3.WithCountOnly())
	return err
}
