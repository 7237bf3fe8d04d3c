package runner

// An Observer (runner/web's live picture of the cluster) follows each
// lesson from the runner's side: it reads the lesson's keys and leases
// through the runner's own client, never the lesson's, and sees the
// messages of the lesson's clients on the wire, as the etcdctl lines do.

import (
	"context"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/namespace"
)

// An Observer follows a run from the runner's side (Config.Observer). Its
// methods are called from any goroutine and must return quickly.
type Observer interface {
	// Lesson is called once the lesson's client is ready, before the
	// lesson runs, with what the observer may read of it. It returns at
	// once; what it starts must end, and the returned wait return, soon
	// after ctx ends, which the runner makes happen after the lesson's
	// clean-up (or before its own cluster is removed). v answers until
	// wait returns: a watch may not have delivered the clean-up's deletes
	// when ctx ends, and a last v.List shows what is left. Every request
	// needs a deadline. The runner then closes v.Watcher, which ends any
	// watch left.
	Lesson(ctx context.Context, v View) (wait func())
	// Wire is called with each message a lesson's client sends (sent true:
	// a request, before it leaves) or receives (a response once it came, a
	// stream's message): etcd's own types (etcdserverpb), not to be
	// changed. stream tells a stream's messages apart (the same value for
	// one stream), nil for a unary call. The runner's own requests are not
	// passed.
	Wire(lesson string, stream any, msg any, sent bool)
}

// A View is what an Observer may read of one lesson: through the runner's
// own client, nothing outside the lesson's prefix and nothing that writes.
type View struct {
	// Lesson is the lesson's ID; Prefix its keys' prefix,
	// PREFIX+RUNID+"/"+ID+"/". The View's keys are relative to Prefix.
	Lesson, Prefix string
	// List gets every key of the lesson.
	List func(ctx context.Context) (*clientv3.GetResponse, error)
	// Watcher watches the lesson's keys (keys relative to Prefix).
	Watcher clientv3.Watcher
	// TimeToLive asks etcd how long a lease has, and its keys (relative to
	// Prefix).
	TimeToLive func(ctx context.Context, id clientv3.LeaseID) (*clientv3.LeaseTimeToLiveResponse, error)
	// Members are the client addresses of the lesson's own cluster, in
	// member order, and Names their names; nil without one (Lesson.Needs).
	Members, Names []string
	// Status asks one member, by its address in Members, how it is.
	Status func(ctx context.Context, endpoint string) (*clientv3.StatusResponse, error)
}

// observe shows the lesson to cfg.Observer, through raw, the runner's
// client of the lesson's cluster. The returned end stops the observer and
// closes what it was given.
func (t *T) observe(o Observer, raw *clientv3.Client, prefix string) (end func()) {
	kv := namespace.NewKV(raw.KV, prefix)
	w := clientv3.NewWatcher(raw) // the observer's alone: closing it ends its watches
	lease := namespace.NewLease(raw.Lease, prefix)
	v := View{
		Lesson: t.id, Prefix: prefix,
		List: func(ctx context.Context) (*clientv3.GetResponse, error) {
			return kv.Get(ctx, "", clientv3.WithPrefix())
		},
		Watcher: namespace.NewWatcher(w, prefix),
		TimeToLive: func(ctx context.Context, id clientv3.LeaseID) (*clientv3.LeaseTimeToLiveResponse, error) {
			return lease.TimeToLive(ctx, id, clientv3.WithAttachedKeys())
		},
		Status: func(ctx context.Context, ep string) (*clientv3.StatusResponse, error) { return raw.Status(ctx, ep) },
	}
	if c := t.Cluster; c != nil {
		v.Members = c.Endpoints()
		for i := range c.Size() {
			v.Names = append(v.Names, c.Name(i))
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait := o.Lesson(ctx, v)
	return func() {
		cancel()
		wait()
		w.Close()
	}
}
