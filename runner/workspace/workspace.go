// Package workspace owns the learner's exercises workspace on disk: the Go
// module etcdtour exercises init writes, what init may and may not
// overwrite, the progress file, and reset with a backup. It knows files,
// not exercises: what goes into them is the caller's.
//
// The workspace's own bookkeeping lives in its hidden .etcdtour/ dir, which
// the go command ignores: manifest.json (the hash of each file as etcdtour
// last wrote it, to tell a file the learner changed from one they did
// not), progress.json (the exercises passed; small, for the learner to
// commit if they like), build/ (the checker's drivers and binaries) and
// backup/ (files reset replaced). A .gitignore there keeps build/ out of
// git.
package workspace

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Hidden is the workspace's own dir, relative to its root.
const Hidden = ".etcdtour"

// A File is one file of the workspace: its path relative to the root,
// with slashes, and its content.
type File struct {
	Path string
	Data []byte
}

// What Init did with a file.
type Outcome string

// The outcomes of Init for each file.
const (
	Written   Outcome = "written"   // it was missing
	Updated   Outcome = "updated"   // unchanged by the learner, and etcdtour's is newer
	Kept      Outcome = "kept"      // the learner changed it: left as it is
	Unchanged Outcome = "unchanged" // as etcdtour would write it
)

// Init writes files under dir, making dir if need be: a missing file is
// written; a file that is as etcdtour last wrote it is brought up to date;
// a file the learner changed is never touched. It returns what it did with
// each file, in the order given.
func Init(dir string, files []File) ([]Outcome, error) {
	if err := os.MkdirAll(filepath.Join(dir, Hidden), 0o755); err != nil {
		return nil, err
	}
	m, err := loadManifest(dir)
	if err != nil {
		return nil, err
	}
	out := make([]Outcome, len(files))
	for i, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		old, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			out[i] = Written
		case err != nil:
			return nil, err
		case hash(old) == hash(f.Data):
			out[i] = Unchanged
		case m[f.Path] == hash(old):
			out[i] = Updated
		default:
			out[i] = Kept
		}
		if out[i] == Written || out[i] == Updated {
			if err := writeFile(path, f.Data); err != nil {
				return nil, err
			}
		}
		if out[i] != Kept {
			m[f.Path] = hash(f.Data)
		}
	}
	if err := writeFile(filepath.Join(dir, Hidden, ".gitignore"), []byte("build/\n")); err != nil {
		return nil, err
	}
	return out, m.save(dir)
}

// Reset writes files over the learner's, first copying each file that
// differs to backup/ in the hidden dir, stamped with the time. It returns
// the backups made, relative to dir.
func Reset(dir string, files []File, now time.Time) ([]string, error) {
	m, err := loadManifest(dir)
	if err != nil {
		return nil, err
	}
	var backups []string
	stamp := now.UTC().Format("20060102-150405")
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		old, err := os.ReadFile(path)
		if err == nil && hash(old) != hash(f.Data) {
			b := filepath.Join(Hidden, "backup", stamp, filepath.FromSlash(f.Path))
			if err := writeFile(filepath.Join(dir, b), old); err != nil {
				return backups, err
			}
			backups = append(backups, b)
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return backups, err
		}
		if err := writeFile(path, f.Data); err != nil {
			return backups, err
		}
		m[f.Path] = hash(f.Data)
	}
	return backups, m.save(dir)
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

func hash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// manifest maps each file etcdtour wrote to the hash of what it wrote.
type manifest map[string]string

const manifestFile = "manifest.json"

func loadManifest(dir string) (manifest, error) {
	m := manifest{}
	b, err := os.ReadFile(filepath.Join(dir, Hidden, manifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		// A damaged manifest: treat every file as the learner's.
		return manifest{}, nil
	}
	return m, nil
}

func (m manifest) save(dir string) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, Hidden, manifestFile), append(b, '\n'))
}

// Progress is what the learner has done: the exercises passed, and when.
type Progress struct {
	// Passed maps an exercise's ID to when it first passed.
	Passed map[string]time.Time `json:"passed"`
}

const progressFile = "progress.json"

// LoadProgress reads dir's progress; none yet is an empty one.
func LoadProgress(dir string) (Progress, error) {
	p := Progress{Passed: map[string]time.Time{}}
	b, err := os.ReadFile(filepath.Join(dir, Hidden, progressFile))
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("%s: %v", filepath.Join(dir, Hidden, progressFile), err)
	}
	if p.Passed == nil {
		p.Passed = map[string]time.Time{}
	}
	return p, nil
}

// Pass records that id passed at t, unless it had passed before.
func (p Progress) Pass(id string, t time.Time) {
	if _, ok := p.Passed[id]; !ok {
		p.Passed[id] = t.UTC().Truncate(time.Second)
	}
}

// Save writes p into dir.
func (p Progress) Save(dir string) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, Hidden, progressFile), append(b, '\n'))
}

// Next is the first of ids not passed yet, and false when all have passed.
func (p Progress) Next(ids []string) (string, bool) {
	for _, id := range ids {
		if _, ok := p.Passed[id]; !ok {
			return id, true
		}
	}
	return "", false
}

// Find looks for the workspace that holds dir: dir or the closest dir
// above it with a hidden .etcdtour/ beside a go.mod.
func Find(dir string) (string, bool) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for {
		if isWorkspace(dir) {
			return dir, true
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", false
		}
		dir = up
	}
}

func isWorkspace(dir string) bool {
	_, err1 := os.Stat(filepath.Join(dir, "go.mod"))
	st, err2 := os.Stat(filepath.Join(dir, Hidden))
	return err1 == nil && err2 == nil && st.IsDir()
}

// Module turns the course's own go.mod into the workspace's: module
// exercises, the same requirements at the same versions, all but the etcd
// client marked indirect. The same requirements (and the course's go.sum)
// make the same build list the course was built with, whose modules are
// all in the module cache: the workspace builds offline. (Fewer
// requirements would let the go command pick other versions, which may not
// be there.)
func Module(courseMod []byte, client string) ([]byte, error) {
	lines := strings.Split(string(courseMod), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "module ") {
		return nil, errors.New("the course's go.mod does not start with its module line")
	}
	lines[0] = "module exercises"
	found := false
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) < 2 || strings.HasPrefix(l, "module") || strings.HasPrefix(l, "go ") || f[0] == "require" || f[0] == ")" {
			continue
		}
		if f[0] == client {
			found = true
			lines[i] = strings.TrimSuffix(l, " // indirect")
			continue
		}
		if !slices.Contains(f, "//") {
			lines[i] = l + " // indirect"
		}
	}
	if !found {
		return nil, fmt.Errorf("the course's go.mod does not require %s", client)
	}
	return []byte(strings.Join(lines, "\n")), nil
}
