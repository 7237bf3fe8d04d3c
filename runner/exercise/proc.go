package exercise

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner/embedded"
	"etcdtour/runner/i18n"
)

// driverConfig is the driver's first line: it mirrors runtime.go's config.
type driverConfig struct {
	Endpoints   []string      `json:"endpoints"`
	Prefix      string        `json:"prefix"`
	DialTimeout time.Duration `json:"dialTimeout"`
	User        string        `json:"user,omitempty"`
	Password    string        `json:"password,omitempty"`
	CACert      string        `json:"cacert,omitempty"`
	Cert        string        `json:"cert,omitempty"`
	Key         string        `json:"key,omitempty"`
	Insecure    bool          `json:"insecure,omitempty"`
}

type command struct {
	Op     string `json:"op"`
	ID     int    `json:"id,omitempty"`
	Fn     string `json:"fn,omitempty"`
	Args   any    `json:"args,omitempty"`
	Method string `json:"method,omitempty"`
	Before bool   `json:"before,omitempty"`
	Drop   bool   `json:"drop,omitempty"`
	Key    string `json:"key,omitempty"`
	Value  string `json:"value,omitempty"`
}

type event struct {
	Ev     string          `json:"ev"`
	ID     int             `json:"id,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Err    string          `json:"err,omitempty"`
	Panic  string          `json:"panic,omitempty"`
	Stack  string          `json:"stack,omitempty"`
	Method string          `json:"method,omitempty"`
	Rev    int64           `json:"rev,omitempty"`
	Lease  int64           `json:"lease,omitempty"`
	Unread int             `json:"unread,omitempty"`
}

// proc is one run of the driver: a process group of its own, the pipes,
// and the learner's output, kept to show under a crash.
type proc struct {
	cmd      *exec.Cmd
	cmdW     *os.File // fd 3 of the driver
	enc      *json.Encoder
	encMu    sync.Mutex
	output   *tailBuffer
	srcDir   string // the learner's package dir, to find their frames in a stack
	stopOnce sync.Once

	mu      sync.Mutex
	calls   map[int]*Running
	nextID  int
	leases  []int64
	kas     KeepAlives          // how the learner used KeepAlive
	renewed map[int64]int       // keep-alive responses the learner's code got, by lease
	lastAt  map[int64]time.Time // when the last of them came, by lease
	renewal chan struct{}       // closed and made anew at each of them
	paused  chan event          // the driver paused after a response
	ready   chan struct{}
	dead    chan struct{} // closed when the process has ended
	crash   *Crash        // why, once dead
	running string        // the function running when it died
}

// start starts the driver d with cfg and waits until its client is made.
func start(ctx context.Context, d *Driver, cfg driverConfig) (*proc, error) {
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	evR, evW, err := os.Pipe()
	if err != nil {
		cmdR.Close()
		cmdW.Close()
		return nil, err
	}
	p := &proc{
		cmd:     exec.Command(d.bin),
		cmdW:    cmdW,
		enc:     json.NewEncoder(cmdW),
		output:  &tailBuffer{max: 16 << 10},
		srcDir:  d.src,
		calls:   map[int]*Running{},
		paused:  make(chan event, 1),
		renewed: map[int64]int{},
		lastAt:  map[int64]time.Time{},
		renewal: make(chan struct{}),
		ready:   make(chan struct{}),
		dead:    make(chan struct{}),
	}
	p.cmd.Stdout, p.cmd.Stderr = p.output, p.output
	p.cmd.Dir = d.dir // a relative path in the learner's code is in the workspace
	// A process the learner's code started outside the group may hold
	// stdout open: Wait does not wait for it beyond this.
	p.cmd.WaitDelay = 500 * time.Millisecond
	p.cmd.ExtraFiles = []*os.File{cmdR, evW}
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// The learner's code gets no terminal and no variables of ours that
	// reach etcd: its client is the driver's, made from cfg.
	p.cmd.Env = append(cleanEnv(os.Environ()), "ETCDTOUR_VARIANT="+d.variant)
	err = p.cmd.Start()
	cmdR.Close()
	evW.Close()
	if err != nil {
		cmdW.Close()
		evR.Close()
		return nil, err
	}
	go p.read(evR)
	if err := p.send(cfg); err != nil {
		p.stop()
		return nil, err
	}
	select {
	case <-p.ready:
		return p, nil
	case <-p.dead:
		err := p.crash
		p.stop()
		return nil, fmt.Errorf("the driver did not start: %v: %s", err, strings.TrimSpace(p.output.String()))
	case <-ctx.Done():
		p.stop()
		return nil, ctx.Err()
	}
}

func cleanEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "ETCDCTL_") {
			out = append(out, kv)
		}
	}
	return out
}

func (p *proc) send(v any) error {
	p.encMu.Lock()
	defer p.encMu.Unlock()
	return p.enc.Encode(v)
}

// read hands each event to whoever waits for it; at the end of the events
// the process has ended (or closed fd 4): read reaps it and says why.
func (p *proc) read(r *os.File) {
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		switch e.Ev {
		case "ready":
			close(p.ready)
		case "lease":
			p.mu.Lock()
			p.leases = append(p.leases, e.Lease)
			p.mu.Unlock()
		case "keepalive-call":
			p.mu.Lock()
			p.kas.Calls++
			p.mu.Unlock()
		case "keepalive":
			p.mu.Lock()
			p.kas.Responses++
			p.kas.Unread = max(p.kas.Unread, e.Unread)
			p.renewed[e.Lease]++
			p.lastAt[e.Lease] = time.Now()
			close(p.renewal)
			p.renewal = make(chan struct{})
			p.mu.Unlock()
		case "paused":
			select {
			case p.paused <- e:
			default:
			}
		case "emit", "return":
			p.mu.Lock()
			r := p.calls[e.ID]
			p.mu.Unlock()
			if r != nil {
				r.deliver(e, p)
			}
		case "fatal":
			p.output.Write([]byte(e.Err + "\n"))
		}
	}
	err := p.cmd.Wait()
	p.mu.Lock()
	c := &Crash{Fn: p.running, Output: p.output.String()}
	if err != nil {
		c.Status = err.Error()
	} else {
		c.Status = "exit status 0"
	}
	c.Panic, c.Where = p.panicIn(c.Output)
	p.crash = c
	p.mu.Unlock()
	close(p.dead)
}

var panicLine = regexp.MustCompile(`(?m)^(?:panic: |fatal error: )(.*)$`)

// panicIn finds a panic or a fatal error in the output of a process, and
// the first frame of its stack in the learner's package.
func (p *proc) panicIn(out string) (what, where string) {
	m := panicLine.FindStringSubmatch(out)
	if m == nil {
		return "", ""
	}
	what = strings.TrimSuffix(m[1], " [recovered]")
	return what, p.frame(out)
}

// frame is the first file:line of the learner's package in a stack.
func (p *proc) frame(stack string) string {
	for _, line := range strings.Split(stack, "\n") {
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(line, p.srcDir+string(os.PathSeparator)); ok {
			if i := strings.LastIndex(rest, " +0x"); i >= 0 {
				rest = rest[:i]
			}
			return relFrame(p.srcDir, rest)
		}
	}
	return ""
}

// relFrame is file:line as the learner sees it from the workspace:
// "put-get/putget.go:12".
func relFrame(srcDir, rest string) string {
	i := strings.LastIndex(srcDir, string(os.PathSeparator))
	return srcDir[i+1:] + "/" + rest
}

// stop ends the process group and waits for the process to end: a closed
// fd 3 asks the driver to exit, once its requests in flight have ended (at
// most 300 ms: a lease granted meanwhile is reported, and revoked after
// the check); a kill follows, for learner code that does not let it.
func (p *proc) stop() { p.stopOnce.Do(p.kill) }

func (p *proc) kill() {
	p.cmdW.Close()
	select {
	case <-p.dead:
	case <-time.After(500 * time.Millisecond):
	}
	// The whole group: the learner's code may have started processes.
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.dead
}

// A Running is a call of the learner's function, started by Code.Start.
type Running struct {
	fn      string
	id      int
	p       *proc
	emitted chan json.RawMessage // what the function reported, in order
	done    chan struct{}
	res     json.RawMessage
	err     error
}

func (r *Running) deliver(e event, p *proc) {
	switch e.Ev {
	case "emit":
		r.emitted <- e.Result
	case "return":
		switch {
		case e.Panic != "":
			r.err = &Crash{Fn: r.fn, Panic: e.Panic, Where: p.frame(e.Stack), Status: "recovered"}
		case e.Err != "":
			r.err = &CallError{Fn: r.fn, Err: e.Err}
		}
		r.res = e.Result
		p.mu.Lock()
		delete(p.calls, r.id)
		if p.running == r.fn {
			p.running = ""
		}
		p.mu.Unlock()
		close(r.done)
	}
}

// Next waits for the next value the function reported through its
// callback and decodes it into v. It returns io.EOF when the function
// returned without reporting more (Wait says how), and a *Crash when the
// process died.
func (r *Running) Next(ctx context.Context, v any) error {
	select {
	case b := <-r.emitted:
		return json.Unmarshal(b, v)
	default:
	}
	select {
	case b := <-r.emitted:
		return json.Unmarshal(b, v)
	case <-r.done:
		// What was emitted before the return is delivered first.
		select {
		case b := <-r.emitted:
			return json.Unmarshal(b, v)
		default:
		}
		return io.EOF
	case <-r.p.dead:
		return r.p.crashed()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Cancel cancels the context the learner's function was given.
func (r *Running) Cancel() { r.p.send(command{Op: "cancel", ID: r.id}) }

// Wait waits for the function to return and decodes its result into v (if
// v is not nil). Its error is a *CallError when the function returned one,
// a *Crash when it panicked or the process died.
func (r *Running) Wait(ctx context.Context, v any) error {
	select {
	case <-r.done:
	case <-r.p.dead:
		select {
		case <-r.done:
		default:
			return r.p.crashed()
		}
	case <-ctx.Done():
		return ctx.Err()
	}
	if r.err != nil {
		return r.err
	}
	if v != nil && len(r.res) > 0 {
		return json.Unmarshal(r.res, v)
	}
	return nil
}

func (p *proc) crashed() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.crash
}

// Code is the learner's code under a check: its functions to call, and
// the checker's own client in the same namespace.
type Code struct {
	// Etcd is the checker's client, namespaced as the learner's is: keys
	// as the learner's code names them. The engine closes it.
	Etcd *clientv3.Client
	// Lang is the learner's language, for Fail.
	Lang i18n.Lang
	// Cluster is the checker's own cluster, for an exercise with Members
	// (nil otherwise): the check may stop and restart its members, move
	// its leader, and compact it (through Etcd). Members it stopped are
	// started again after the check.
	Cluster *embedded.Cluster
	p       *proc
	spawn   func(context.Context) (*proc, error)
}

// Another starts another process of the learner's code, with a client of
// its own in the same namespace, for a check that runs several programs
// at once (callers in separate clients, as separate machines would be).
// It ends with the check, as the first does, and its leases are revoked
// after it. Its Etcd is the checker's client, as c's.
func (c *Code) Another(ctx context.Context) (*Code, error) {
	p, err := c.spawn(ctx)
	if err != nil {
		return nil, err
	}
	return &Code{Etcd: c.Etcd, Lang: c.Lang, Cluster: c.Cluster, p: p, spawn: c.spawn}, nil
}

// Fail is a check's finding, format in English (the catalog's key).
func (c *Code) Fail(format string, args ...any) error {
	return &Failure{Msg: c.Lang.Msg(format, args...)}
}

// Start calls the learner's function fn with args (encoded as JSON for the
// exercise's calls.go) and returns at once.
func (c *Code) Start(fn string, args any) *Running {
	p := c.p
	p.mu.Lock()
	p.nextID++
	r := &Running{fn: fn, id: p.nextID, p: p, emitted: make(chan json.RawMessage, 1024), done: make(chan struct{})}
	p.calls[r.id] = r
	p.running = fn
	p.mu.Unlock()
	if err := p.send(command{Op: "call", ID: r.id, Fn: fn, Args: args}); err != nil {
		r.err = p.crashedOr(err)
		close(r.done)
	}
	return r
}

func (p *proc) crashedOr(err error) error {
	select {
	case <-p.dead:
		return p.crashed()
	default:
		return err
	}
}

// Call calls fn and waits for it to return: Start and Wait.
func (c *Code) Call(ctx context.Context, fn string, args, result any) error {
	return c.Start(fn, args).Wait(ctx, result)
}

// PauseAfter makes the learner's client stop after the next response to a
// request of method (the last element of its gRPC name: "Range" for a Get,
// "Put", "Txn", "LeaseGrant"), before the learner's code sees it; method
// may name several, "Range|Txn", and the first response of any of them
// pauses (a read is a Get, or a Txn, as STM reads). Paused says when;
// Resume lets the code go on.
func (c *Code) PauseAfter(method string) error {
	return c.p.send(command{Op: "pause", Method: method})
}

// A pause the checker never resumes is an answer that never comes: the
// learner's call fails when its own deadline passes (DeadlineExceeded),
// though its request was applied (after PauseAfter).

// PauseBefore makes the learner's client stop before it sends its next
// request of method; Paused says when (with revision 0), Resume sends it.
func (c *Code) PauseBefore(method string) error {
	return c.p.send(command{Op: "pause", Method: method, Before: true})
}

// PutBefore makes the learner's client put key (in its namespace) with
// value in one Txn with its next Get (method "Range"), just before it:
// the Get's answer holds the write and is at its revision, certain even
// on a cluster where other clients write all the time, as it would be
// had the checker written just before the learner's Get. A PauseAfter
// set too stops the code after that answer, as after any.
func (c *Code) PutBefore(method, key, value string) error {
	return c.p.send(command{Op: "put-before", Method: method, Key: key, Value: value})
}

// Paused waits for the pause PauseAfter or PauseBefore asked for and
// returns the revision of the response the learner's code is about to get
// (0 before a request). If r, the call expected to pause, returns first,
// Paused returns its error, or ErrReturned.
func (c *Code) Paused(ctx context.Context, r *Running) (int64, error) {
	var done chan struct{}
	if r != nil {
		done = r.done
	}
	select {
	case e := <-c.p.paused:
		return e.Rev, nil
	case <-done:
		// Paused, then returned (its call's deadline passed while it
		// was held): the pause came first.
		select {
		case e := <-c.p.paused:
			return e.Rev, nil
		default:
		}
		if r.err != nil {
			return 0, r.err
		}
		return 0, ErrReturned
	case <-c.p.dead:
		return 0, c.p.crashed()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// ErrReturned is Paused's error when the call returned, with no error,
// before it sent the request it was to pause at.
var ErrReturned = errors.New("returned before the pause")

// Resume lets the paused code go on.
func (c *Code) Resume() error { return c.p.send(command{Op: "resume"}) }

// Drop lets the paused code go on with an error instead of the response,
// the one gRPC gives when the connection breaks before the answer comes
// (Unavailable, "error reading from server: EOF"): after PauseAfter, the
// request was applied but the learner's code cannot know it, as when the
// member it talked to dies right after the cluster committed its write;
// after PauseBefore, the request was never sent. clientv3 retries a read
// that fails so, not a write.
func (c *Code) Drop() error { return c.p.send(command{Op: "resume", Drop: true}) }

// Kill kills the learner's process (its whole process group) at once, as
// a crash or a power cut would, and waits until it has ended: whatever
// its code kept going in the background, such as a lease's KeepAlive,
// stops with it. The check's keys and leases are cleaned up after the
// check as always.
func (c *Code) Kill() {
	syscall.Kill(-c.p.cmd.Process.Pid, syscall.SIGKILL)
	<-c.p.dead
}

// KeepAlives says how the learner's code used KeepAlive so far.
func (c *Code) KeepAlives() KeepAlives {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	return c.p.kas
}

// Renewals is how many keep-alive responses for lease the learner's code
// has got so far, through a KeepAlive channel or from KeepAliveOnce (each
// one is the lease renewed for its whole TTL), and when the last came.
func (c *Code) Renewals(lease int64) (int, time.Time) {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	return c.p.renewed[lease], c.p.lastAt[lease]
}

// Renewed is closed when the learner's code gets its next keep-alive
// response, for any lease.
func (c *Code) Renewed() <-chan struct{} {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	return c.p.renewal
}

// Dead is closed when the learner's process has ended; Exited then says
// how (a *Crash).
func (c *Code) Dead() <-chan struct{} { return c.p.dead }

// Exited is the *Crash of the learner's process if it has ended, else nil.
func (c *Code) Exited() error {
	select {
	case <-c.p.dead:
		return c.p.crashed()
	default:
		return nil
	}
}

// KeepAlives is how the learner's code used KeepAlive.
type KeepAlives struct {
	// Calls is how many times it called KeepAlive.
	Calls int
	// Responses is how many keep-alive responses came to its channels
	// (one every third of the lease's TTL).
	Responses int
	// Unread is the most responses that sat unread in one channel when
	// the next came. Code that reads its channel keeps it at 0; code that
	// does not lets it grow by one a renewal until the channel is full
	// (16), when clientv3 drops responses and warns "lease keepalive
	// response queue is full".
	Unread int
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	b   bytes.Buffer
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b.Write(p)
	if over := t.b.Len() - t.max; over > 0 {
		t.b.Next(over)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.b.String()
}
