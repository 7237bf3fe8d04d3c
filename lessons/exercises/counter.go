package exercises

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"etcdtour/runner/exercise"
)

// This file holds what the counter exercises (lock, txn) and the lease
// exercises share: reading a key as the checker, pausing the learner's
// code after a request, many callers at once.

// read is key's value through the checker's client, and whether it exists.
func read(ctx context.Context, c *exercise.Code, key string) (string, bool, error) {
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	resp, err := c.Etcd.Get(ctx1, key)
	if err != nil || len(resp.Kvs) == 0 {
		return "", false, err
	}
	return string(resp.Kvs[0].Value), true, nil
}

// pauseOrReturn waits, at most limit, for the pause that c.PauseAfter
// asked for, or for r to return first: paused says which. When r returned,
// err is its error (nil if none); when neither came, it is errNoPause.
func pauseOrReturn(ctx context.Context, c *exercise.Code, r *exercise.Running, limit time.Duration) (paused bool, err error) {
	wctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	_, err = c.Paused(wctx, r)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, exercise.ErrReturned):
		return false, nil
	case wctx.Err() != nil && ctx.Err() == nil:
		return false, errNoPause
	}
	return false, err
}

// errNoPause is code that neither sent the request to pause after nor
// returned in time.
var errNoPause = errors.New("no pause")

// callers runs n callers of fn at once, each in a process of its own
// (c's and n-1 more: separate programs with clients of their own), each
// making rounds calls with the args caller(i) gives, one after the other,
// and returns every count they returned. The first error ends it.
func callers(ctx context.Context, c *exercise.Code, fn string, n, rounds int, args func(i int) any) ([]int, error) {
	codes := make([]*exercise.Code, n)
	codes[0] = c
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 1; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], errs[i] = c.Another(ctx)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var counts []int
	var first error
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				var got int
				err := codes[i].Call(ctx, fn, args(i), &got)
				mu.Lock()
				if err != nil {
					if first == nil {
						first = err
						cancel()
					}
					mu.Unlock()
					return
				}
				counts = append(counts, got)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.Ints(counts)
	return counts, first
}

// twice is the first count in sorted counts returned twice, or 0.
func twice(counts []int) int {
	for i := 1; i < len(counts); i++ {
		if counts[i] == counts[i-1] {
			return counts[i]
		}
	}
	return 0
}

// quote is s as the checker names a value: "5".
func quote(s string, ok bool) string {
	if !ok {
		return "no key"
	}
	return fmt.Sprintf("%q", s)
}
