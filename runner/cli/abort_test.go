package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"etcdtour/runner/i18n"
	"etcdtour/runner/runnertest"
)

// TestSecondInterruptAfterCleanup: a second Ctrl-C that comes once the
// lessons' clean-up has run (while the embedded etcd stops, say) does not
// claim to skip it, and on a user's cluster does not say keys may remain.
// Before the clean-up, it says both.
func TestSecondInterruptAfterCleanup(t *testing.T) {
	t.Parallel()
	a := &Abort{}
	if m := a.message(i18n.English); m != "interrupted again, exiting now without the lessons' clean-up" {
		t.Errorf("before the clean-up, a second Ctrl-C says %q", m)
	}
	ep := runnertest.Server(t).Endpoint()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"--endpoints", ep, "run", "install"}, strings.NewReader(""), &stdout, &stderr,
		func(string) string { return "" }, a, nil, nil)
	if code != exitOK {
		t.Fatalf("run install: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if m := a.message(i18n.English); m != "interrupted again, exiting now" {
		t.Errorf("after the clean-up, a second Ctrl-C says %q, want only that it exits", m)
	}
	stderr.Reset()
	a.Run()
	if stderr.Len() > 0 {
		t.Errorf("after the clean-up, a second Ctrl-C says: %q", stderr.String())
	}
}
