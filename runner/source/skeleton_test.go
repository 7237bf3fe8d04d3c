package source

import (
	"os/exec"
	"strings"
	"testing"
)

// TestSkeletonBuilds: the program's skeleton is Go that builds and passes
// go vet, in both of its forms, with stub.go standing for the lesson.
func TestSkeletonBuilds(t *testing.T) {
	t.Parallel()
	for _, files := range [][]string{
		{"program.go", "endpoints.go", "stub.go"},
		{"program.go", "own.go", "cluster.go", "stub.go"},
	} {
		t.Run(strings.Join(files, "+"), func(t *testing.T) {
			t.Parallel()
			vet := exec.Command("go", append([]string{"vet"}, files...)...)
			vet.Dir = "skeleton"
			if out, err := vet.CombinedOutput(); err != nil {
				t.Errorf("go vet %s: %v\n%s", strings.Join(files, " "), err, out)
			}
		})
	}
}
