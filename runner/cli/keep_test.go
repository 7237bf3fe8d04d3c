package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"etcdtour/runner/runnertest"
)

// TestKeepNothing: --keep on a lesson that deletes its own keys says there
// is nothing to keep, instead of pointing at an empty prefix; on one that
// leaves keys it still says where they are.
func TestKeepNothing(t *testing.T) {
	t.Parallel()
	ep := runnertest.Server(t).Endpoint()
	var stdout bytes.Buffer
	code, stderr, _ := runWith(context.Background(), nil, &stdout, "--keep", "--endpoints", ep, "run", "put-get")
	out := stdout.String()
	if code != 0 || !strings.Contains(out, "cleanup: nothing to keep (--keep): the lesson deleted its keys") || strings.Contains(out, "kept (--keep)") {
		t.Errorf("put-get --keep: exit %d, stderr %q; want nothing to keep:\n%s", code, stderr, out)
	}
}
