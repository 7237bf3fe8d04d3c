//go:build ignore

// The main of a program that talks to the etcd at $ETCDCTL_ENDPOINTS.
// lessonRun stands for the lesson's Run function (stub.go).

package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"
)

func main() {
	log.SetFlags(0)
	cli, err := newClient()
	if err != nil {
		log.Fatal(err)
	}
	defer cli.Close()
	/*{{- if .Own}}*/
	fmt.Printf("This program may compact the etcd at %s: give it one of its own.\n", strings.Join(cli.Endpoints(), ","))
	/*{{- end}}*/
	err = lessonRun(context.Background(), cli)
	// Delete the keys, also when the lesson failed.
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	_, derr := cli.Delete(ctx, "", clientv3.WithPrefix())
	cancel()
	if err != nil {
		log.Fatal(err)
	}
	if derr != nil {
		log.Fatalf("delete %q: %v", prefix, derr)
	}
}

// newClient connects to $ETCDCTL_ENDPOINTS (127.0.0.1:2379 if unset).
func newClient() (*clientv3.Client, error) {
	endpoints := os.Getenv("ETCDCTL_ENDPOINTS")
	if endpoints == "" {
		endpoints = "127.0.0.1:2379"
	}
	return newClientTo(strings.Split(endpoints, ","))
}
