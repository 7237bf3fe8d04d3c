package main

import (
	"context"
	"encoding/json"

	clientv3 "go.etcd.io/etcd/client/v3"

	learner "exercises/keepalive"
)

// calls are the learner's functions the checker calls.
func calls() map[string]call {
	return map[string]call{
		"Keep": func(ctx context.Context, cli *clientv3.Client, args json.RawMessage, emit func(any)) (any, error) {
			var a struct {
				Key, Value string
				TTL        int64
			}
			if err := json.Unmarshal(args, &a); err != nil {
				return nil, err
			}
			return nil, learner.Keep(ctx, cli, a.Key, a.Value, a.TTL)
		},
	}
}
