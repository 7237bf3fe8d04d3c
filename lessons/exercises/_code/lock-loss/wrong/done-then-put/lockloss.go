// Package lockloss: looks at the session's Done() before a plain Put. A
// loss between the look and the Put goes unseen: a race.
package lockloss

import (
	"context"
	"time"

	"go.etcd.io/etcd/client/v3/concurrency"
)

// Guarded writes value to key after Lock, if s.Done() is still open.
func Guarded(ctx context.Context, s *concurrency.Session, lock, key, value string) (bool, error) {
	m := concurrency.NewMutex(s, lock)
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	err := m.Lock(ctx1)
	cancel()
	if err != nil {
		return false, err
	}
	defer func() {
		ctx1, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		m.Unlock(ctx1)
		cancel()
	}()
	select {
	case <-s.Done():
		return false, nil // the session is gone: do not write
	default:
	}
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	_, err = s.Client().Put(ctx1, key, value)
	cancel()
	if err != nil {
		return false, err
	}
	return true, nil
}
