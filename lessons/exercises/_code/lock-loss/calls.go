package main

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	learner "exercises/lock-loss"
)

// calls are the learner's functions the checker calls. Each caller has a
// session of its own, made at its first call (TTL 5 s: a revoked lease is
// noticed within 5/3 s + 0.5 s, and a machine busy for a second or two
// loses none); the checker revokes their leases after the check.
func calls() map[string]call {
	var mu sync.Mutex
	sessions := map[int]*concurrency.Session{}
	session := func(cli *clientv3.Client, caller int) (*concurrency.Session, error) {
		mu.Lock()
		defer mu.Unlock()
		if s := sessions[caller]; s != nil {
			return s, nil
		}
		s, err := concurrency.NewSession(cli, concurrency.WithTTL(5))
		if err != nil {
			return nil, err
		}
		sessions[caller] = s
		return s, nil
	}
	type args struct {
		Caller           int
		Lock, Key, Value string
		WaitMs           int
	}
	return map[string]call{
		"Guarded": func(ctx context.Context, cli *clientv3.Client, raw json.RawMessage, emit func(any)) (any, error) {
			var a args
			if err := json.Unmarshal(raw, &a); err != nil {
				return nil, err
			}
			s, err := session(cli, a.Caller)
			if err != nil {
				return nil, err
			}
			return learner.Guarded(ctx, s, a.Lock, a.Key, a.Value)
		},
		// SessionDone waits, at most WaitMs, for the caller's session's
		// Done() to close: the checker's way to know the learner's code
		// could have seen the loss.
		"SessionDone": func(ctx context.Context, cli *clientv3.Client, raw json.RawMessage, emit func(any)) (any, error) {
			var a args
			if err := json.Unmarshal(raw, &a); err != nil {
				return nil, err
			}
			s, err := session(cli, a.Caller)
			if err != nil {
				return nil, err
			}
			select {
			case <-s.Done():
				return true, nil
			case <-time.After(time.Duration(a.WaitMs) * time.Millisecond):
				return false, nil
			case <-ctx.Done():
				return false, ctx.Err()
			}
		},
	}
}
