package bad

import (
	"context"
	"os/exec"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Do starts a process that would outlive it, and hangs.
func Do(ctx context.Context, cli *clientv3.Client) error {
	if err := exec.Command("sleep", "3131").Start(); err != nil {
		return err
	}
	select {}
}
