package cli

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"etcdtour/runner/runnertest"
)

// TestBinaryServerHangsUp: an https etcd that requires a client certificate
// we do not have hangs up after the handshake, the client's next writes
// fail with EPIPE, and the kernel sends SIGPIPE. The binary must not take
// that SIGPIPE for a closed stdout and stop the run as interrupted (exit
// 130, as it did in 5 runs of 6 when it listened for SIGPIPE): it must say
// that a client certificate is needed, exit 1. Built and run as a user
// would, since signals are main's business.
func TestBinaryServerHangsUp(t *testing.T) {
	t.Parallel()
	c := runnertest.NewCerts(t)
	etcd := runnertest.StartCluster(t, runnertest.ClusterOptions{Members: 1, HeartbeatMs: 10, ElectionMs: 100,
		CertFile: c.ServerCert, KeyFile: c.ServerKey, ClientCAFile: c.CA, ClientTLS: c.ClientConfig(t, true)})
	endpoint := "https://" + etcd.Endpoint(0)
	bin := buildBinary(t)
	// Six runs at once: each is an independent try at the race.
	for i := range 6 {
		t.Run(fmt.Sprintf("run %d", i+1), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "--endpoints", endpoint, "--cacert", c.CA, "--dial-timeout", "1s", "run", "install")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			code := cmd.ProcessState.ExitCode()
			if code != 1 || !strings.Contains(stderr.String(), "client certificate") {
				t.Fatalf("exit %d (%v), stderr %q; want 1 and one line asking for a client certificate", code, err, stderr.String())
			}
		})
	}
}
