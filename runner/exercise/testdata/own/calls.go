package main

import (
	"context"
	"encoding/json"

	clientv3 "go.etcd.io/etcd/client/v3"

	learner "exercises/own"
)

func calls() map[string]call {
	return map[string]call{
		"Put": func(ctx context.Context, cli *clientv3.Client, args json.RawMessage, emit func(any)) (any, error) {
			var a struct{ Key, Value string }
			if err := json.Unmarshal(args, &a); err != nil {
				return nil, err
			}
			return learner.Put(ctx, cli, a.Key, a.Value)
		},
		"PutOnce": func(ctx context.Context, cli *clientv3.Client, args json.RawMessage, emit func(any)) (any, error) {
			var a struct{ Key, Value string }
			if err := json.Unmarshal(args, &a); err != nil {
				return nil, err
			}
			return learner.PutOnce(ctx, cli, a.Key, a.Value)
		},
	}
}
