// Package lockloss: an unfenced Put after Lock. Lock returned nil, so the
// code writes; nothing asks etcd whether the lock is still held.
package lockloss

import (
	"context"
	"time"

	"go.etcd.io/etcd/client/v3/concurrency"
)

// Guarded writes value to key after Lock, with a plain Put.
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
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	_, err = s.Client().Put(ctx1, key, value)
	cancel()
	if err != nil {
		return false, err
	}
	return true, nil
}
