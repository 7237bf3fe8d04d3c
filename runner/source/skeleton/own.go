//go:build ignore

// The main of a program that starts an etcd of its own (cluster.go), of
// lessonMembers members. lessonRun stands for the lesson's Run function
// (stub.go).

package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// cluster is the program's own etcd.
var cluster *etcdCluster

func main() {
	log.SetFlags(0)
	// Ctrl-C (or SIGTERM), also while etcd starts, ends the lesson; the
	// etcd processes and their data go all the same.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	fmt.Println("Starting an etcd of this program's own: /*{{.Members}}*/ etcd process(es).")
	var err error
	if cluster, err = startCluster(ctx, lessonMembers); err == nil {
		var cli *clientv3.Client
		if cli, err = newClient(); err == nil {
			err = lessonRun(ctx, cli)
			cli.Close()
		}
		cluster.Close() // its keys go with it
	}
	interrupted := ctx.Err() != nil
	stop()
	switch {
	case interrupted:
		fmt.Fprintln(os.Stderr, "interrupted")
		os.Exit(130)
	case err != nil:
		log.Fatal(failures.named(err))
	}
}

// newClient connects to every member of the program's own etcd.
func newClient() (*clientv3.Client, error) { return newClientTo(cluster.Endpoints()) }
