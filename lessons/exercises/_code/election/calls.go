package main

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	learner "exercises/election"
)

// calls are the learner's functions the checker calls. Each candidate has
// a session of its own, made at its first call (TTL 5 s: a revoked lease
// is noticed within 5/3 s + 0.5 s, and a machine busy for a second or two
// loses none), and the Worker its Campaign returned; the checker revokes
// their leases after the check.
func calls() map[string]call {
	var mu sync.Mutex
	sessions := map[int]*concurrency.Session{}
	workers := map[int]*learner.Worker{}
	session := func(cli *clientv3.Client, cand int) (*concurrency.Session, error) {
		mu.Lock()
		defer mu.Unlock()
		if s := sessions[cand]; s != nil {
			return s, nil
		}
		s, err := concurrency.NewSession(cli, concurrency.WithTTL(5))
		if err != nil {
			return nil, err
		}
		sessions[cand] = s
		return s, nil
	}
	type args struct {
		Candidate                  int
		Election, Name, Key, Value string
		WaitMs                     int
	}
	worker := func(raw json.RawMessage) (*learner.Worker, args, error) {
		var a args
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, a, err
		}
		mu.Lock()
		w := workers[a.Candidate]
		mu.Unlock()
		if w == nil {
			return nil, a, errors.New("Campaign returned no Worker")
		}
		return w, a, nil
	}
	return map[string]call{
		"Campaign": func(ctx context.Context, cli *clientv3.Client, raw json.RawMessage, emit func(any)) (any, error) {
			var a args
			if err := json.Unmarshal(raw, &a); err != nil {
				return nil, err
			}
			s, err := session(cli, a.Candidate)
			if err != nil {
				return nil, err
			}
			w, err := learner.Campaign(ctx, s, a.Election, a.Name)
			if err != nil {
				return nil, err
			}
			if w == nil {
				return nil, errors.New("Campaign returned a nil *Worker and no error")
			}
			mu.Lock()
			workers[a.Candidate] = w
			mu.Unlock()
			return nil, nil
		},
		"Write": func(ctx context.Context, cli *clientv3.Client, raw json.RawMessage, emit func(any)) (any, error) {
			w, a, err := worker(raw)
			if err != nil {
				return nil, err
			}
			return w.Write(ctx, a.Key, a.Value)
		},
		// Lost waits, at most WaitMs, for the Worker's Lost() to close.
		"Lost": func(ctx context.Context, cli *clientv3.Client, raw json.RawMessage, emit func(any)) (any, error) {
			w, a, err := worker(raw)
			if err != nil {
				return nil, err
			}
			select {
			case <-w.Lost():
				return true, nil
			case <-time.After(time.Duration(a.WaitMs) * time.Millisecond):
				return false, nil
			case <-ctx.Done():
				return false, ctx.Err()
			}
		},
		"Resign": func(ctx context.Context, cli *clientv3.Client, raw json.RawMessage, emit func(any)) (any, error) {
			w, _, err := worker(raw)
			if err != nil {
				return nil, err
			}
			return nil, w.Resign(ctx)
		},
	}
}
