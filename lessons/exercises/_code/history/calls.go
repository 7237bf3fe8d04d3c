package main

import (
	"context"
	"encoding/json"

	clientv3 "go.etcd.io/etcd/client/v3"

	learner "exercises/history"
)

// calls are the learner's functions the checker calls.
func calls() map[string]call {
	return map[string]call{
		"ReadAt": func(ctx context.Context, cli *clientv3.Client, args json.RawMessage, emit func(any)) (any, error) {
			var a struct {
				Key string
				Rev int64
			}
			if err := json.Unmarshal(args, &a); err != nil {
				return nil, err
			}
			return learner.ReadAt(ctx, cli, a.Key, a.Rev)
		},
	}
}
