package cli

import (
	"os/exec"
	"strings"
	"testing"
)

// layers are etcdtour's packages, bottom up: a package imports only
// packages of a layer below its own (docs/README.md, "How the code is laid
// out", draws them). A package missing here fails the test: place it.
var layers = [][]string{
	// Leaves: no other etcdtour package.
	{"runner/i18n", "runner/tty", "runner/loopback", "runner/etcdctl", "runner/suggest"},
	// The components the core is built from, and the exercises' workspace.
	{"runner/gowrap", "runner/embedded", "runner/etcdconn", "runner/workspace"},
	// The core: lessons, T, Run; and the exercises' engine.
	{"runner", "runner/exercise"},
	// What the core's events and lessons are turned into, the lessons and
	// the exercises.
	{"runner/report", "runner/source", "runner/web", "runner/exwatch", "lessons", "lessons/exercises"},
	// The tests' harness: runs lessons and renders what they reported.
	{"runner/runnertest"},
	// The command line.
	{"runner/cli"},
	// The process: main.go alone at the top.
	{""},
}

// TestLayers fails for every import of one etcdtour package by another of
// the same layer or of one above it, and for a package in no layer.
func TestLayers(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "etcdtour/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const module = "etcdtour"
	layer := map[string]int{}
	for i, l := range layers {
		for _, p := range l {
			layer[strings.TrimSuffix(module+"/"+p, "/")] = i
		}
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := fields[0]
		li, ok := layer[pkg]
		if !ok {
			t.Errorf("%s is in no layer: add it to layers (and to docs/README.md's picture)", pkg)
			continue
		}
		seen++
		for _, imp := range fields[1:] {
			if imp != module && !strings.HasPrefix(imp, module+"/") {
				continue
			}
			if lj, ok := layer[imp]; ok && lj >= li {
				t.Errorf("%s imports %s, of a layer not below its own (%d >= %d)", pkg, imp, lj, li)
			}
		}
	}
	if seen != len(layer) {
		t.Errorf("go list found %d of the %d packages in layers: a package is gone, or go list is broken", seen, len(layer))
	}
}
