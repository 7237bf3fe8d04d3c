package lessons_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLessonsUseOnlyTheirClient reads the lessons' source: a lesson talks
// to etcd only through t.Client and t.NewClient, which are namespaced and
// refuse cluster-wide calls. A client built from the raw connection would
// get around both, on a cluster that holds other people's keys.
func TestLessonsUseOnlyTheirClient(t *testing.T) {
	forbidden := regexp.MustCompile(`clientv3\.New\w*\(|namespace\.New\w*\(|\.ActiveConnection\(|\.Dial\(|grpc\.`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for i, line := range strings.Split(string(b), "\n") {
			if m := forbidden.FindString(line); m != "" {
				t.Errorf("%s:%d: %s: lessons must use t.Client or t.NewClient", f, i+1, m)
			}
		}
	}
	if checked < 6 {
		t.Fatalf("read %d lesson files, want the course's", checked)
	}
}
