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
	fmt.Println("Starting an etcd of this program's own: /*{{.Members}}*/ etcd process(es).")
	var err error
	if cluster, err = startCluster(lessonMembers); err != nil {
		log.Fatal(err)
	}
	cli, err := newClient()
	if err != nil {
		cluster.Close()
		log.Fatal(err)
	}
	// Ctrl-C ends the lesson, and the etcd processes and their data go.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = lessonRun(ctx, cli)
	stop()
	cli.Close()
	cluster.Close() // its keys go with it
	if err != nil {
		log.Fatal(err)
	}
}

// newClient connects to every member of the program's own etcd.
func newClient() (*clientv3.Client, error) { return newClientTo(cluster.Endpoints()) }
