package bad

import (
	"context"
	"errors"
	"fmt"
	"os"

	clientv3 "go.etcd.io/etcd/client/v3"
)

func Do(ctx context.Context, cli *clientv3.Client) error {
	fmt.Println("hello from Do")
	fmt.Fprintln(os.Stderr, "and on stderr")
	return errors.New("nope")
}
