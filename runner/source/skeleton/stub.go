//go:build ignore

// What a lesson brings to its program, for a build of the skeleton alone:
// the program names the lesson's Run function and the members of its own
// etcd where the skeleton names lessonRun and lessonMembers. This file is
// not part of any program.

package main

import (
	"context"

	clientv3 "go.etcd.io/etcd/client/v3"
)

func lessonRun(ctx context.Context, cli *clientv3.Client) error { return nil }

const lessonMembers = 3
