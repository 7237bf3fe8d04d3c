package exercise

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/namespace"

	"etcdtour/runner/embedded"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/i18n"
)

//go:embed driver/runtime.go
var driverFS embed.FS

// Config says where the workspace is and which etcd the checks run on.
type Config struct {
	// Dir is the workspace: the Go module the learner writes in.
	Dir string
	// Conn reaches the etcd the checks run on: the embedded one, or the
	// user's (--endpoints). Its Endpoints must be set.
	Conn etcdconn.Conn
	// Prefix is where the checks' keys go, ending in "/": each check gets
	// Prefix + ID + "/" + its number + "/", deleted after it.
	Prefix string
	// Lang is the language of the results.
	Lang i18n.Lang
	// OnCheck, if not nil, is called with each check's result as soon as
	// it is known (a live display, JSON lines), in order, the checks not
	// run included.
	OnCheck func(CheckResult)
	// UserCluster says Conn is a cluster the user named (--endpoints):
	// an exercise with Members is skipped there, with one line saying
	// why, as a lesson with Needs is.
	UserCluster bool
	// OnCluster, if not nil, is called when the checker's own cluster of
	// an exercise with Members has started, with its temp dir: for a
	// process that is about to exit without the clean-up Run does (a
	// second Ctrl-C), which must remove it. Run removes the cluster, its
	// dir included, before it returns.
	OnCluster func(dir string)
}

// Status is how a check ended.
type Status string

// The statuses of a check.
const (
	Passed Status = "passed"
	Failed Status = "failed"
	NotRun Status = "not-run" // after a check that failed
)

// A Result is what checking one exercise found.
type Result struct {
	// ID is the exercise's.
	ID string `json:"id"`
	// Build is the compiler's output when the code did not build, with
	// the learner's file:line; empty when it built.
	Build string `json:"build,omitempty"`
	// Checks are the exercise's checks in order, each with its status.
	Checks []CheckResult `json:"checks,omitempty"`
	// Elapsed is how long the whole check took, build included.
	Elapsed time.Duration `json:"elapsed"`
	// Skipped, when not empty, says in one line why the exercise was not
	// checked at all (it needs a cluster of its own and Config.UserCluster
	// is set). A skipped exercise has not passed, and has not failed.
	Skipped string `json:"skipped,omitempty"`
}

// Passed reports whether the code built and passed every check.
func (r Result) Passed() bool {
	if r.Build != "" || len(r.Checks) == 0 {
		return false
	}
	for _, c := range r.Checks {
		if c.Status != Passed {
			return false
		}
	}
	return true
}

// A CheckResult is one check's line.
type CheckResult struct {
	// Name is the check's line, in the result's language.
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Why is, for a failed check, one or two lines: what the checker did
	// and what the code did wrong.
	Why []string `json:"why,omitempty"`
	// Step is the lesson step that teaches it, for a failed check.
	Step string `json:"step,omitempty"`
	// Output is the end of what the learner's code printed, for a failed
	// check, if anything.
	Output string `json:"output,omitempty"`
}

// Verify builds the learner's package of ex in cfg.Dir and runs its checks.
// A compile error is a Result with Build set, not an error; an error is the
// checker's own trouble (no go command, etcd unreachable).
func Verify(ctx context.Context, cfg Config, ex Exercise) (Result, error) {
	if why := Skipped(cfg, ex); why != "" {
		return Result{ID: ex.ID, Skipped: why}, nil
	}
	t0 := time.Now()
	d, buildOut, err := Build(ctx, cfg, ex)
	if err != nil {
		return Result{ID: ex.ID}, err
	}
	if buildOut != "" {
		return Result{ID: ex.ID, Build: buildOut, Elapsed: time.Since(t0)}, nil
	}
	res, err := Run(ctx, cfg, ex, d)
	res.Elapsed = time.Since(t0)
	return res, err
}

// A Driver is a built driver of an exercise: its binary, and which of the
// learner's packages built into it it runs.
type Driver struct {
	bin     string
	variant string // the package's index for the binary's table, "" for the one
	src     string // the package's dir, absolute: its frames in a stack are the learner's
	dir     string // the workspace, the learner's code's working dir
}

// Build builds the driver of ex with the learner's package in cfg.Dir and
// returns it. When the code does not build, out is the compiler's output,
// the learner's files named as from the workspace
// ("put-get/putget.go:12:2: ...").
func Build(ctx context.Context, cfg Config, ex Exercise) (d *Driver, out string, err error) {
	ds, out, err := build(ctx, cfg, ex, nil)
	if len(ds) == 0 {
		return nil, out, err
	}
	return ds[0], out, err
}

// BuildVariants builds one driver binary with several versions of the
// learner's package of ex, each in a dir of cfg.Dir (relative, such as
// "v/solution"), and returns a Driver of each, in order: one link for them
// all, where each is most of a build's time. It is for the tests, which
// run a reference solution and the wrong ones.
func BuildVariants(ctx context.Context, cfg Config, ex Exercise, dirs []string) ([]*Driver, string, error) {
	return build(ctx, cfg, ex, dirs)
}

func build(ctx context.Context, cfg Config, ex Exercise, variants []string) ([]*Driver, string, error) {
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, "", err
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return nil, "", cfg.Lang.Err("%s is not an exercises workspace (no go.mod): run etcdtour exercises init there", cfg.Dir)
	}
	if _, err := os.Stat(filepath.Join(dir, ex.ID)); err != nil && variants == nil {
		return nil, "", cfg.Lang.Err("%s has no %s/: run etcdtour exercises init %s to add it", cfg.Dir, ex.ID, cfg.Dir)
	}
	rel := filepath.Join(".etcdtour", "build", ex.ID)
	bdir := filepath.Join(dir, rel)
	if err := os.MkdirAll(bdir, 0o755); err != nil {
		return nil, "", err
	}
	runtimeSrc, err := driverFS.ReadFile("driver/runtime.go")
	if err != nil {
		return nil, "", err
	}
	callsSrc, err := fs.ReadFile(ex.Files, "calls.go")
	if err != nil {
		return nil, "", err
	}
	files := map[string][]byte{"runtime.go": bytes.Replace(runtimeSrc, []byte("//go:build ignore\n"), nil, 1)}
	var drivers []*Driver
	bin := filepath.Join(bdir, "driver")
	if variants == nil {
		files["calls.go"] = callsSrc
		drivers = append(drivers, &Driver{bin: bin, src: filepath.Join(dir, ex.ID), dir: dir})
	} else {
		// Each variant's calls.go calls its own package, under a name of
		// its own; calls() picks one by ETCDTOUR_VARIANT.
		bin = filepath.Join(bdir, "variants")
		var table strings.Builder
		table.WriteString("package main\n\nimport \"os\"\n\nfunc calls() map[string]call {\n\tswitch os.Getenv(\"ETCDTOUR_VARIANT\") {\n")
		for i, v := range variants {
			src := bytes.Replace(callsSrc, []byte(`"exercises/`+ex.ID+`"`), []byte(`"exercises/`+filepath.ToSlash(v)+`"`), 1)
			src = bytes.Replace(src, []byte("func calls() map[string]call {"), fmt.Appendf(nil, "func calls%d() map[string]call {", i), 1)
			files[fmt.Sprintf("calls%d.go", i)] = src
			fmt.Fprintf(&table, "\tcase %q:\n\t\treturn calls%d()\n", fmt.Sprint(i), i)
			drivers = append(drivers, &Driver{bin: bin, variant: fmt.Sprint(i), src: filepath.Join(dir, v), dir: dir})
		}
		table.WriteString("\t}\n\treturn nil\n}\n")
		files["calls.go"] = []byte(table.String())
	}
	var args []string
	for name, src := range files {
		if err := writeIfChanged(filepath.Join(bdir, name), src); err != nil {
			return nil, "", err
		}
		args = append(args, "./"+filepath.ToSlash(filepath.Join(rel, name)))
	}
	sort.Strings(args)
	// No symbol table or DWARF: the link is most of a warm build, and a
	// panic's stack keeps its file:line without them.
	cmd := exec.CommandContext(ctx, "go", append([]string{"build", "-ldflags=-s -w", "-o", bin}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(os.Environ()), "GOFLAGS=-mod=readonly")
	b, err := cmd.CombinedOutput()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(b) > 0 && ctx.Err() == nil {
			return nil, buildErrors(cfg.Lang, string(b), filepath.ToSlash(rel)), nil
		}
		if errors.Is(err, exec.ErrNotFound) {
			return nil, "", cfg.Lang.Err("checking an exercise needs the Go toolchain: no go command in PATH")
		}
		return nil, "", cfg.Lang.Err("go build: %v: %s", err, strings.TrimSpace(string(b)))
	}
	return drivers, "", nil
}

// writeIfChanged writes data to path unless it holds it already, so that
// go build sees an unchanged file as unchanged.
func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return os.WriteFile(path, data, 0o644)
}

// buildErrors is go build's output for the learner: the "# package" lines
// go, and an error in the driver (the learner changed a signature the
// checker calls) says so.
func buildErrors(lang i18n.Lang, out, driverDir string) string {
	var lines []string
	driver := false
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if strings.HasPrefix(l, "# ") {
			continue
		}
		if strings.Contains(l, driverDir) {
			driver = true
		}
		lines = append(lines, l)
	}
	if driver {
		lines = append(lines, lang.Msg("(the errors in %s are the checker's calls of your functions: keep the names and signatures the starter gave them)", driverDir))
	}
	return strings.Join(lines, "\n")
}

// Skipped says in one line why ex is not checked with cfg (it needs a
// cluster of the checker's own, and cfg's is the user's), "" if it is.
func Skipped(cfg Config, ex Exercise) string {
	if ex.Members > 0 && cfg.UserCluster {
		return cfg.Lang.Msg("skipped: its checks need an etcd of the checker's own, to revoke, compact or stop members on; not on --endpoints")
	}
	return ""
}

// Run runs ex's checks on the driver that Build made, each in a process
// and under a prefix of its own: one after another, or, for an exercise
// whose checks are Concurrent, all at the same time, so that it takes as
// long as its longest check, not their sum. The results come in order;
// the first check that fails, in order, is reported, and the later ones
// are not run, or stopped (their processes killed, which ends their
// calls) and reported not run. Their contexts are not cancelled: a
// request of the checker's cancelled in flight could still land after
// the check's keys were deleted.
//
// An exercise with Members runs on a cluster of the checker's own,
// started here and removed before Run returns; its members are restored
// after each check.
func Run(ctx context.Context, cfg Config, ex Exercise, d *Driver) (res Result, err error) {
	res = Result{ID: ex.ID}
	if why := Skipped(cfg, ex); why != "" {
		res.Skipped = why
		return res, nil
	}
	conn := cfg.Conn.WithDefaults()
	var own *embedded.Cluster
	if ex.Members > 0 {
		if own, err = embedded.StartCluster(ctx, embedded.ClusterOptions{Members: ex.Members}); err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			return res, cfg.Lang.Err("start the checker's own etcd: %w", err)
		}
		defer func() {
			if cerr := own.Close(); cerr != nil && err == nil {
				err = cfg.Lang.Err("remove the checker's own etcd: %w", cerr)
			}
		}()
		if cfg.OnCluster != nil {
			cfg.OnCluster(own.Dir())
		}
		conn = etcdconn.Conn{Endpoints: own.Endpoints(), DialTimeout: conn.DialTimeout, CommandTimeout: conn.CommandTimeout, Lang: cfg.Lang}.WithDefaults()
	}
	type outcome struct {
		cr  CheckResult
		err error
	}
	stop := make(chan struct{})
	var stopOnce sync.Once
	stopAll := func() { stopOnce.Do(func() { close(stop) }) }
	defer stopAll()
	outs := make([]chan outcome, len(ex.Checks))
	launch := func(i int) {
		c := ex.Checks[i]
		go func() {
			cr := CheckResult{Name: cfg.Lang.Text(c.Name), Status: NotRun}
			prefix := fmt.Sprintf("%s%s/%d/", cfg.Prefix, ex.ID, i+1)
			err := runCheck(ctx, stop, conn, own, prefix, d, cfg.Lang, c, &cr)
			if err == nil && own != nil {
				err = restore(ctx, own) // Validate: own clusters' checks are not concurrent
			}
			outs[i] <- outcome{cr, err}
		}()
	}
	for i := range ex.Checks {
		outs[i] = make(chan outcome, 1)
		if ex.Concurrent || i == 0 {
			launch(i)
		}
	}
	failed := false
	var first error
	for i, c := range ex.Checks {
		if !ex.Concurrent && i > 0 {
			if failed || first != nil {
				outs[i] <- outcome{}
			} else {
				launch(i)
			}
		}
		o := <-outs[i] // every check is waited for: its processes gone, its keys deleted
		if failed || first != nil {
			o = outcome{cr: CheckResult{Name: cfg.Lang.Text(c.Name), Status: NotRun}}
		}
		if o.err != nil {
			first = o.err
			stopAll()
			continue
		}
		if o.cr.Status == Failed {
			failed = true
			stopAll()
		}
		res.Checks = append(res.Checks, o.cr)
		if cfg.OnCheck != nil && first == nil {
			cfg.OnCheck(o.cr)
		}
	}
	return res, first
}

// restore starts again the members of the checker's own cluster that a
// check stopped, and waits for a leader: the next check starts whole.
func restore(ctx context.Context, c *embedded.Cluster) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for i := range c.Size() {
		if !c.Running(i) {
			if err := c.Restart(ctx, i); err != nil {
				return err
			}
		}
	}
	_, err := c.Leader(ctx)
	return err
}

// runCheck runs one check in a driver process of its own and fills in cr.
// Whatever happens, the process is gone and the check's keys and leases
// are deleted when it returns. When stop closes, the check's processes
// are killed: its result will not be used.
func runCheck(ctx context.Context, stop <-chan struct{}, conn etcdconn.Conn, own *embedded.Cluster, prefix string, d *Driver, lang i18n.Lang, c Check, cr *CheckResult) (err error) {
	limit := c.Timeout
	if limit == 0 {
		limit = DefaultTimeout
	}
	raw, err := conn.Client()
	if err != nil {
		return err
	}
	defer raw.Close()
	defer func() {
		// Clean-up gets its own time: the check's may be over.
		cctx, cancel := context.WithTimeout(context.Background(), conn.CommandTimeout)
		defer cancel()
		if _, derr := raw.Delete(cctx, prefix, clientv3.WithPrefix()); derr != nil && err == nil {
			err = lang.Err("deleting the check's keys under %s: %v", prefix, derr)
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	user, pass := conn.User, conn.Password
	if name, pw, ok := strings.Cut(user, ":"); ok {
		user, pass = name, pw
	}
	endpoints := conn.Endpoints
	if own != nil && len(c.Members) > 0 {
		all := own.Endpoints()
		endpoints = nil
		for _, i := range c.Members {
			endpoints = append(endpoints, all[i])
		}
	}
	dcfg := driverConfig{
		Endpoints: endpoints, Prefix: prefix, DialTimeout: conn.DialTimeout,
		User: user, Password: pass, CACert: conn.CACert, Cert: conn.Cert, Key: conn.Key, Insecure: conn.InsecureSkipVerify,
	}
	// Every process of the check's (Code.Another starts more) ends with
	// it, and the leases its code granted are revoked.
	var mu sync.Mutex
	var procs []*proc
	spawn := func(ctx context.Context) (*proc, error) {
		p, err := start(ctx, d, dcfg)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		procs = append(procs, p)
		mu.Unlock()
		select {
		case <-stop:
			p.stop() // stopped meanwhile
		default:
		}
		return p, nil
	}
	p, err := spawn(ctx)
	if err != nil {
		return err
	}
	checked := make(chan struct{})
	stopped := make(chan struct{})
	defer func() { close(checked); <-stopped }()
	go func() {
		defer close(stopped)
		select {
		case <-stop:
			mu.Lock()
			all := procs
			mu.Unlock()
			for _, p := range all {
				p.stop()
			}
		case <-checked:
		}
	}()
	defer func() {
		mu.Lock()
		all := procs
		mu.Unlock()
		for _, p := range all {
			p.stop()
		}
		for _, p := range all {
			// The learner's leases, granted through the driver's client.
			p.mu.Lock()
			leases := p.leases
			p.mu.Unlock()
			for _, id := range leases {
				cctx, cancel := context.WithTimeout(context.Background(), conn.CommandTimeout)
				raw.Revoke(cctx, clientv3.LeaseID(id)) // an expired one is gone already
				cancel()
			}
		}
	}()
	view := clientv3.NewCtxClient(ctx)
	view.KV = namespace.NewKV(raw.KV, prefix)
	view.Watcher = namespace.NewWatcher(raw.Watcher, prefix)
	view.Lease = namespace.NewLease(raw.Lease, prefix)
	code := &Code{Etcd: view, Lang: lang, Cluster: own, p: p, spawn: spawn}
	cerr := c.Run(ctx, code)
	if cerr == nil {
		cr.Status = Passed
		return nil
	}
	if ctx.Err() != nil && errors.Is(cerr, ctx.Err()) {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			cerr = errTimeout
		} else {
			return cerr // interrupted
		}
	}
	var f *Failure
	var ce *CallError
	var crash *Crash
	if !errors.As(cerr, &f) && !errors.As(cerr, &ce) && !errors.As(cerr, &crash) && !errors.Is(cerr, errTimeout) {
		return lang.Err("check %q: %w", lang.Text(c.Name), cerr)
	}
	cr.Status = Failed
	cr.Why = explain(lang, cerr, limit)
	cr.Step = c.Step
	if errors.As(cerr, &crash) && crash.Output != "" {
		cr.Output = tail(crash.Output, 8) // the process that died, of several
	} else {
		p.stop() // all it printed is in: its output's copy ends with it
		cr.Output = tail(p.output.String(), 8)
	}
	return nil
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
