package main

import (
	"context"
	"encoding/json"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	learner "exercises/lock"
)

// calls are the learner's functions the checker calls. Each caller has a
// session of its own, made at its first call; the checker revokes their
// leases after the check.
func calls() map[string]call {
	var mu sync.Mutex
	sessions := map[int]*concurrency.Session{}
	session := func(cli *clientv3.Client, caller int) (*concurrency.Session, error) {
		mu.Lock()
		defer mu.Unlock()
		if s := sessions[caller]; s != nil {
			return s, nil
		}
		s, err := concurrency.NewSession(cli, concurrency.WithTTL(10))
		if err != nil {
			return nil, err
		}
		sessions[caller] = s
		return s, nil
	}
	return map[string]call{
		"Increment": func(ctx context.Context, cli *clientv3.Client, args json.RawMessage, emit func(any)) (any, error) {
			var a struct {
				Caller    int
				Lock, Key string
			}
			if err := json.Unmarshal(args, &a); err != nil {
				return nil, err
			}
			s, err := session(cli, a.Caller)
			if err != nil {
				return nil, err
			}
			return learner.Increment(ctx, s, a.Lock, a.Key)
		},
	}
}
