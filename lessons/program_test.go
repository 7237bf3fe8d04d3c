package lessons_test

// Every lesson is a program: "etcdtour show --program ID" builds in a
// module of its own with the project's requirements, runs to exit 0
// against a real etcd, and leaves no key and no lease behind.

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"go/scanner"
	"go/token"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"etcdtour/lessons"
	"etcdtour/runner"
	"etcdtour/runner/loopback"
	"etcdtour/runner/runnertest"
	"etcdtour/runner/source"
)

// sourceCode is the course's source, for the tests of the code steps show,
// of "etcdtour show" and of the programs.
var sourceCode = source.NewCode(lessons.Source)

// programs are the lessons' programs in a module of their own, built in
// the background from the package's start (TestMain), at a lower priority,
// unless the cache holds them (buildPrograms): the build, the package's
// heaviest CPU work, overlaps TestCourse without taking the CPU its
// one-second leases need. TestPrograms waits for it.
var programs struct {
	dir        string
	err        error           // making the module
	log        *os.File        // the build's output (a file: no goroutine copies it)
	startsEtcd map[string]bool // the programs that start etcd processes
	bins       map[string]string
	// built waits for the build, once (go test -count=2 runs TestPrograms
	// twice); nil if it did not start.
	built func() error
}

// startPrograms writes the programs' module to a temp dir and starts its
// build, unless -run leaves TestPrograms out. stop ends the build if it
// still runs and removes the dir.
func startPrograms() (stop func()) {
	flag.Parse()
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() != "" {
		re, err := regexp.Compile(strings.Split(f.Value.String(), "/")[0])
		if err == nil && !re.MatchString("TestPrograms") {
			return func() {}
		}
	}
	dir, err := os.MkdirTemp("", "etcdtour-programs-")
	if err != nil {
		programs.err = err
		return func() {}
	}
	programs.dir = dir
	ctx, cancel := context.WithCancel(context.Background())
	stop = func() {
		cancel() // the build, if it still runs
		if programs.built != nil {
			programs.built()
		}
		if programs.log != nil {
			programs.log.Close()
		}
		os.RemoveAll(dir)
	}
	names, err := writePrograms(dir)
	if programs.err = err; err != nil {
		return stop
	}
	if programs.log, programs.err = os.Create(filepath.Join(dir, "build.log")); programs.err != nil {
		return stop
	}
	done := make(chan error, 1)
	go func() {
		cache := programCache()
		bins, _, err := buildPrograms(ctx, dir, names, cache, programs.log)
		programs.bins = bins
		if cache != "" {
			trimCache(cache)
		}
		done <- err
	}()
	programs.built = sync.OnceValue(func() error { return <-done })
	return stop
}

// renamedLessons are made into programs a second time, from the course's
// source with its *runner.T and its client named otherwise (renames):
// ID-renamed/main.go. Discovery has helpers that take a client of their
// own besides t.
var renamedLessons = []runner.Lesson{lessons.PutGet, lessons.Discovery}

// renames names the lessons' *runner.T lt and their client kvc (as long
// as cli: the program is the same, but for the name).
var renames = map[string]string{"t": "lt", "cli": "kvc"}

// renamed is the course's source with every identifier named a key of
// names renamed to its value.
func renamed(names map[string]string) (fs.FS, error) {
	out := fstest.MapFS{}
	files, err := fs.Glob(lessons.Source, "*.go")
	if err != nil {
		return nil, err
	}
	for _, name := range files {
		src, err := fs.ReadFile(lessons.Source, name)
		if err != nil {
			return nil, err
		}
		out[name] = &fstest.MapFile{Data: renameIdents(src, names)}
	}
	return out, nil
}

// renameIdents returns Go source src with every identifier named a key of
// names renamed to its value.
func renameIdents(src []byte, names map[string]string) []byte {
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	var s scanner.Scanner
	s.Init(file, src, nil, scanner.ScanComments)
	var b bytes.Buffer
	at := 0
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if to, ok := names[lit]; ok && tok == token.IDENT {
			off := file.Offset(pos)
			b.Write(src[at:off])
			b.WriteString(to)
			at = off + len(lit)
		}
	}
	b.Write(src[at:])
	return b.Bytes()
}

// TestProgramsRenamed: what a lesson calls its *runner.T is none of its
// program's business: with t named lt, every program is the same.
func TestProgramsRenamed(t *testing.T) {
	t.Parallel()
	fsys, err := renamed(map[string]string{"t": "lt"})
	if err != nil {
		t.Fatal(err)
	}
	code := source.NewCode(fsys)
	for _, l := range lessons.Course {
		want, err := sourceCode.Program(l)
		if err != nil {
			t.Fatal(err)
		}
		got, err := code.Program(l)
		if err != nil {
			t.Errorf("%s with t named lt: %v", l.ID, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s with t named lt: the program differs:\n%s", l.ID, got)
		}
	}
}

// writePrograms writes the module: go.mod and go.sum as the project's,
// and ID/main.go, "etcdtour show --program ID", for every lesson, and
// ID-renamed/main.go for renamedLessons. It returns the programs' names
// (ID, ID-renamed).
func writePrograms(dir string) ([]string, error) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		return nil, err
	}
	sum, err := os.ReadFile("../go.sum")
	if err != nil {
		return nil, err
	}
	mod = bytes.Replace(mod, []byte("module etcdtour\n"), []byte("module programs\n"), 1)
	files := map[string][]byte{"go.mod": mod, "go.sum": sum}
	programs.startsEtcd = map[string]bool{}
	for _, l := range lessons.Course {
		src, err := sourceCode.Program(l)
		if err != nil {
			return nil, fmt.Errorf("show --program %s: %v", l.ID, err)
		}
		files[filepath.Join(l.ID, "main.go")] = src
		// Those of lessons that stop members start etcd processes of
		// their own: they need etcd on PATH.
		programs.startsEtcd[l.ID] = bytes.Contains(src, []byte("\nfunc startCluster("))
	}
	fsys, err := renamed(renames)
	if err != nil {
		return nil, err
	}
	code := source.NewCode(fsys)
	for _, l := range renamedLessons {
		src, err := code.Program(l)
		if err != nil {
			return nil, fmt.Errorf("show --program %s, t and cli renamed: %v", l.ID, err)
		}
		orig := files[filepath.Join(l.ID, "main.go")]
		if !bytes.Equal(renameIdents(src, map[string]string{"kvc": "cli"}), orig) {
			return nil, fmt.Errorf("show --program %s, t and cli renamed: the program is not the lesson's with cli named kvc:\n%s", l.ID, src)
		}
		files[filepath.Join(l.ID+"-renamed", "main.go")] = src
	}
	for name, b := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return nil, err
		}
	}
	var names []string
	for name := range files {
		if strings.HasSuffix(name, "main.go") {
			names = append(names, filepath.Dir(name))
		}
	}
	slices.Sort(names)
	return names, nil
}

func TestPrograms(t *testing.T) {
	t.Parallel()
	if programs.err != nil {
		t.Fatal(programs.err)
	}
	if programs.built == nil {
		t.Fatal("the programs' build did not start: TestMain's -run filter left it out")
	}
	dir, startsEtcd := programs.dir, programs.startsEtcd
	if err := programs.built(); err != nil {
		out, _ := os.ReadFile(programs.log.Name())
		t.Fatalf("the lessons' programs: %v\n%s", err, out)
	}
	bins := programs.bins
	// go vet them while they run.
	vet := exec.Command("go", "vet", "./...")
	vet.Dir = dir
	vet.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	var vetOut bytes.Buffer
	vet.Stdout, vet.Stderr = &vetOut, &vetOut
	if err := vet.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := vet.Wait(); err != nil {
			t.Errorf("go vet of the lessons' programs: %v\n%s", err, vetOut.String())
		}
	}()

	// A server of their own, etcd 3.4 as a learner may run (the embedded
	// one where none is installed, outside CI): at the end no key and no
	// lease may be left on it. A lesson that needs an etcd of its own
	// (it compacts it) gets one more, its own, as its program says it must,
	// unless its program starts etcd processes of its own (it stops them).
	newServer := func() string {
		if _, err := exec.LookPath("etcd"); err == nil || os.Getenv("CI") == "true" {
			return runnertest.StartEtcd(t)
		}
		t.Logf("no etcd on PATH: the programs run against an embedded etcd")
		return runnertest.OwnServer(t).Endpoint()
	}
	eps := []string{newServer()}
	own := map[string]string{}
	for _, l := range lessons.Course {
		if l.Needs.Members > 0 && !startsEtcd[l.ID] {
			own[l.ID] = newServer()
			eps = append(eps, own[l.ID])
		}
	}
	runs := map[string]runner.Lesson{}
	for _, l := range lessons.Course {
		runs[l.ID] = l
	}
	for _, l := range renamedLessons {
		runs[l.ID+"-renamed"] = l
		// An etcd of its own: the same keys as l's program, at the same
		// time.
		if !startsEtcd[l.ID] {
			own[l.ID+"-renamed"] = newServer()
			eps = append(eps, own[l.ID+"-renamed"])
		}
	}
	t.Run("run", func(t *testing.T) {
		for name, l := range runs {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				if _, err := exec.LookPath("etcd"); err != nil && startsEtcd[l.ID] {
					t.Skipf("%s starts etcd processes of its own, and there is no etcd on PATH", l.ID)
				}
				ep := eps[0]
				if own[name] != "" {
					ep = own[name]
				} else if own[l.ID] != "" {
					ep = own[l.ID]
				}
				cmd := exec.Command(bins[name])
				cmd.Env = append(os.Environ(), "ETCDCTL_ENDPOINTS="+ep)
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				if err != nil || stderr.Len() > 0 {
					t.Errorf("%s: %v\nstderr: %s\nstdout:\n%s", l.ID, err, stderr.String(), stdout.String())
				}
				if !strings.Contains(stdout.String(), "\n1. ") {
					t.Errorf("%s printed no step 1:\n%s", l.ID, stdout.String())
				}
			})
		}
		// Run without ETCDCTL_ENDPOINTS (or with a wrong one), a program
		// names the address it tried, within a few seconds, before any
		// step: where nothing listens, and where a server never answers.
		t.Run("put-get, no etcd at the address", func(t *testing.T) {
			t.Parallel()
			free, err := loopback.FreeAddr()
			if err != nil {
				t.Fatal(err)
			}
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close() // accepted, never answered
			for _, ep := range []string{free, l.Addr().String()} {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				cmd := exec.CommandContext(ctx, bins["put-get"])
				cmd.Env = append(os.Environ(), "ETCDCTL_ENDPOINTS="+ep)
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				cancel()
				want := "cannot reach etcd at " + ep
				if err == nil || !strings.Contains(stderr.String(), want) || !strings.Contains(stderr.String(), "set ETCDCTL_ENDPOINTS") || strings.Contains(stdout.String(), "1. ") {
					t.Errorf("put-get with ETCDCTL_ENDPOINTS=%s: %v, stderr %q, stdout %q; want an error naming the address before any step", ep, err, stderr.String(), stdout.String())
				}
			}
		})
		// A port picked free may be taken before etcd binds it (another
		// test's etcd took one in a suite run): a member that exits while
		// the program's cluster starts makes it start again on new ports.
		// Here a fake etcd makes member m2 exit at once, the first time.
		t.Run("quorum, a member exits while starting", func(t *testing.T) {
			t.Parallel()
			fakeEtcdRun(t, bins["quorum"],
				`case " $* " in *" --name m2 "*) [ -e FAILED ] || { touch FAILED; exit 1; };; esac`)
		})
		// A stopped member's ports are free until it restarts: one taken
		// for a moment makes the restarted member exit at once, and the
		// program starts it again. Here m1's first restart exits.
		t.Run("watch-resume, a restarted member exits at once", func(t *testing.T) {
			t.Parallel()
			fakeEtcdRun(t, bins["watch-resume"],
				`case " $* " in *" --name m1 "*) if [ -e STARTED ]; then [ -e FAILED ] || { touch FAILED; exit 1; }; else touch STARTED; fi;; esac`)
		})
	})
	// Each interrupted once it printed its first step, on an etcd of
	// their own: an interrupted program leaves its leases to their TTLs.
	shared, intEPs := newServer(), map[string]string{}
	for _, l := range lessons.Course {
		intEPs[l.ID] = shared
		if l.Needs.Members > 0 && !startsEtcd[l.ID] {
			intEPs[l.ID] = newServer()
		}
	}
	interruptPrograms(t, bins, startsEtcd, intEPs)
	if _, err := exec.LookPath("etcd"); err == nil || os.Getenv("CI") == "true" {
		frozenPrograms(t, bins, startsEtcd)
	} else {
		t.Logf("no etcd on PATH: no run with a frozen member (it needs three etcd processes)")
	}
	for _, ep := range eps {
		nothingLeft(t, ep)
	}
}

// fakeEtcdRun runs program with an etcd on PATH that runs script (a sh
// case statement; FAILED and STARTED are files of the test's own) before
// the real etcd, and fails t unless the script failed a start (touched
// FAILED) and the program passed all the same.
func fakeEtcdRun(t *testing.T, program, script string) {
	real, err := exec.LookPath("etcd")
	if err != nil || runtime.GOOS == "windows" {
		t.Skip("needs etcd on PATH and a POSIX shell")
	}
	fake := t.TempDir()
	failed := filepath.Join(fake, "failed")
	script = strings.NewReplacer("FAILED", failed, "STARTED", filepath.Join(fake, "started")).Replace(script)
	if err := os.WriteFile(filepath.Join(fake, "etcd"), []byte("#!/bin/sh\n"+script+"\nexec "+real+" \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(program)
	cmd.Env = append(os.Environ(), "PATH="+fake+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if _, serr := os.Stat(failed); serr != nil {
		t.Fatalf("the fake etcd never failed a start: %v", serr)
	}
	if err != nil {
		t.Errorf("%s, with a start of etcd failing: %v\n%s", program, err, out)
	}
}

// nothingLeft fails t if the etcd at ep holds a key or a lease.
func nothingLeft(t *testing.T, ep string) {
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{ep}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	get, err := cli.Get(ctx, "", clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range get.Kvs {
		t.Errorf("a program left key %q", kv.Key)
	}
	leases, err := cli.Leases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range leases.Leases {
		t.Errorf("a program left lease %x", l.ID)
	}
}
