package lessons_test

// The lessons' programs are built once for what makes them, and kept: a
// build links twenty binaries of the etcd client (about 12 s of CPU, the
// suite's largest single piece of work), and Go's build cache keeps the
// compiled packages but not linked programs.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// programCache is where built programs are kept, in the user's cache dir
// beside Go's own; "" (no cache dir) builds every time.
func programCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "etcdtour-tests", "programs")
}

// programBuildFlags are the flags of every program's build: no symbol table
// or DWARF, a third less time linking.
var programBuildFlags = []string{"-ldflags=-s -w"}

// toolchain is what, besides its source, makes a program's binary: the go
// command's version and settings, as go env prints them in dir.
func toolchain(ctx context.Context, dir string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", "env", "GOVERSION", "GOROOT", "GOOS", "GOARCH", "GOAMD64", "GOARM64",
		"CGO_ENABLED", "CC", "CGO_CFLAGS", "CGO_LDFLAGS", "GOEXPERIMENT", "GOFLAGS", "GOTOOLCHAIN")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go env: %v", err)
	}
	return out, nil
}

// programKey names program name's binary in the cache: a hash of the
// toolchain, the build flags, the module's go.mod and go.sum (which pin
// every module it imports) and the program's one source file, name/main.go.
// A change to any of them is another key, and so another build.
func programKey(tool []byte, dir, name string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "etcdtour test program 1\n%s\n%q\n", tool, programBuildFlags)
	for _, f := range []string{"go.mod", "go.sum", filepath.Join(name, "main.go")} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(f), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// buildPrograms builds the programs names (each the package ./NAME of the
// module in dir, of one file, main.go) that cache does not hold yet, in one
// go build at a lower priority, and puts them in it. It returns each
// program's binary, and the names it built. With cache "" it builds them
// all into dir/bin. The build's output goes to log.
func buildPrograms(ctx context.Context, dir string, names []string, cache string, log io.Writer) (bins map[string]string, built []string, err error) {
	bins = map[string]string{}
	keys := map[string]string{}
	var missing []string
	if cache != "" {
		tool, err := toolchain(ctx, dir)
		if err != nil {
			return nil, nil, err
		}
		if err := os.MkdirAll(cache, 0o755); err != nil {
			return nil, nil, err
		}
		for _, name := range names {
			if keys[name], err = programKey(tool, dir, name); err != nil {
				return nil, nil, err
			}
			bin := filepath.Join(cache, keys[name])
			if _, err := os.Stat(bin); err == nil {
				bins[name] = bin
				// Kept while used: trimCache removes what was not.
				now := time.Now()
				os.Chtimes(bin, now, now)
				continue
			}
			missing = append(missing, name)
		}
	} else {
		missing = names
	}
	if len(missing) == 0 {
		return bins, nil, nil
	}
	out := filepath.Join(dir, "bin")
	args := append(append([]string{"go", "build"}, programBuildFlags...), "-o", out+string(filepath.Separator))
	for _, name := range missing {
		args = append(args, "./"+name)
	}
	if _, err := exec.LookPath("nice"); err == nil {
		args = append([]string{"nice", "-n", "10"}, args...)
	}
	build := exec.CommandContext(ctx, args[0], args[1:]...)
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	build.Stdout, build.Stderr = log, log
	if err := build.Run(); err != nil {
		return nil, nil, fmt.Errorf("go build: %v", err)
	}
	for _, name := range missing {
		bins[name] = filepath.Join(out, name)
		if cache != "" {
			if err := keep(bins[name], filepath.Join(cache, keys[name])); err != nil {
				return nil, nil, err
			}
			bins[name] = filepath.Join(cache, keys[name])
		}
	}
	return bins, missing, nil
}

// keep copies binary bin to path, all at once: another suite running at
// the same time sees it whole or not at all.
func keep(bin, path string) error {
	b, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	err = errors.Join(err, tmp.Chmod(0o755), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// keptPrograms is how many binaries the cache keeps: a few versions of the
// course's twenty programs (each is 15-20 MB; a day of lesson edits made
// a hundred and more).
const keptPrograms = 80

// trimCache keeps the keptPrograms binaries used last (a binary's time is
// its last use) and removes the others, and any not used for a day; never
// one used within the hour, which another suite running at the same time
// may be about to start.
func trimCache(cache string) {
	entries, err := os.ReadDir(cache)
	if err != nil {
		return
	}
	type bin struct {
		path string
		used time.Time
	}
	var bins []bin
	for _, e := range entries {
		if info, err := e.Info(); err == nil && !e.IsDir() {
			bins = append(bins, bin{filepath.Join(cache, e.Name()), info.ModTime()})
		}
	}
	slices.SortFunc(bins, func(a, b bin) int { return b.used.Compare(a.used) })
	for i, b := range bins {
		if age := time.Since(b.used); (i >= keptPrograms && age > time.Hour) || age > 24*time.Hour {
			os.Remove(b.path)
		}
	}
}

// TestProgramCache: a program is built once; a change to its source, or to
// go.sum, builds it again, and the binary run is the new one.
func TestProgramCache(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("the programs' binaries have no .exe")
	}
	dir, cache := t.TempDir(), t.TempDir()
	write := func(name, src string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	prog := func(says string) string {
		return "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Print(\"" + says + "\") }\n"
	}
	write("go.mod", "module programs\n\ngo 1.22\n")
	write("go.sum", "")
	write("a/main.go", prog("a1"))
	write("b/main.go", prog("b1"))
	ctx := context.Background()
	var log bytes.Buffer
	build := func(wantBuilt string, want ...string) {
		t.Helper()
		bins, built, err := buildPrograms(ctx, dir, []string{"a", "b"}, cache, &log)
		if err != nil {
			t.Fatalf("%v\n%s", err, log.String())
		}
		if got := strings.Join(built, " "); got != wantBuilt {
			t.Errorf("built %q, want %q", got, wantBuilt)
		}
		for i, name := range []string{"a", "b"} {
			out, err := exec.Command(bins[name]).Output()
			if err != nil || string(out) != want[i] {
				t.Errorf("%s says %q (%v), want %q", name, out, err, want[i])
			}
			if !strings.HasPrefix(bins[name], cache) {
				t.Errorf("%s runs from %s, not from the cache", name, bins[name])
			}
		}
		os.RemoveAll(filepath.Join(dir, "bin"))
	}
	build("a b", "a1", "b1")
	build("", "a1", "b1")
	write("a/main.go", prog("a2"))
	build("a", "a2", "b1")
	write("go.sum", "\n")
	build("a b", "a2", "b1")
	// What was built before is still there.
	write("go.sum", "")
	build("", "a2", "b1")
	write("a/main.go", prog("a1"))
	build("", "a1", "b1")
}
