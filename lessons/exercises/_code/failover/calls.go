package main

import (
	"context"
	"encoding/json"

	clientv3 "go.etcd.io/etcd/client/v3"

	learner "exercises/failover"
)

// calls are the learner's functions the checker calls.
func calls() map[string]call {
	return map[string]call{
		"Increment": func(ctx context.Context, cli *clientv3.Client, args json.RawMessage, emit func(any)) (any, error) {
			var a struct{ Counter, RequestID string }
			if err := json.Unmarshal(args, &a); err != nil {
				return nil, err
			}
			return learner.Increment(ctx, cli, a.Counter, a.RequestID)
		},
	}
}
