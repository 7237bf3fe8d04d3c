package main

import (
	"context"
	"encoding/json"

	clientv3 "go.etcd.io/etcd/client/v3"

	learner "exercises/watch-resume"
)

// calls are the learner's functions the checker calls.
func calls() map[string]call {
	return map[string]call{
		"Follow": func(ctx context.Context, cli *clientv3.Client, args json.RawMessage, emit func(any)) (any, error) {
			var a struct{ Prefix string }
			if err := json.Unmarshal(args, &a); err != nil {
				return nil, err
			}
			err := learner.Follow(ctx, cli, a.Prefix,
				func(kvs map[string]string, rev int64) {
					emit(map[string]any{"snapshot": kvs, "rev": rev})
				},
				func(c learner.Change) { emit(map[string]any{"change": c}) })
			return nil, err
		},
	}
}
