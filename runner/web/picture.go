package web

// The picture: etcd's state for the lesson under way, as the runner reads
// it (its own watch on the lesson's prefix, its own lease and member
// queries), and the lesson's watches as its client opened them.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// Timings of the runner's own queries and of the pages' updates.
const (
	publishEvery = 100 * time.Millisecond // at most ten snapshots a second
	leaseEvery   = time.Second            // a lease's TimeToLive
	memberEvery  = 500 * time.Millisecond // each member's Status
	queryTimeout = time.Second            // the observer's other requests
	// statusTimeout bounds a member's Status: a stopped member's waits
	// for it (the client waits for a connection), a busy machine's live
	// member may take more than a second.
	statusTimeout = 2 * time.Second
	keepRevs      = 24 // revisions the timeline shows
)

// picture is the state of one lesson. Guarded by Server.mu.
type picture struct {
	Lesson string
	Prefix string
	Step   int
	rev    int64
	keys   map[string]*mvccpb.KeyValue
	revs   []*revision
	leases map[int64]*lease
	order  []int64 // leases in the order seen
	// The lesson's watches: by stream, those asked for and not yet
	// created (the client creates them one at a time, in order), and by
	// stream and watch ID those created.
	pending map[any][]*watch
	watches []*watch
	byID    map[watchID]*watch
	members []*member
	held    bool // a step prompt waits: the runner holds the leases
}

type watchID struct {
	stream any
	id     int64
}

func newPicture() *picture {
	return &picture{keys: map[string]*mvccpb.KeyValue{}, leases: map[int64]*lease{},
		pending: map[any][]*watch{}, byID: map[watchID]*watch{}}
}

// A revision is one revision of the store and what it wrote under the
// lesson's prefix.
type revision struct {
	Rev    int64    `json:"rev"`
	Step   int      `json:"step,omitempty"`
	Writes []string `json:"writes"` // "PUT key", "DELETE key"
}

// A lease of the lesson's, counting down.
type lease struct {
	ID      string   `json:"id"`
	Granted int64    `json:"granted"` // TTL granted, s
	Left    float64  `json:"left"`    // s left at At
	At      int64    `json:"at"`      // unix ms
	Keys    []string `json:"keys"`
	Ended   bool     `json:"ended"`
	id      clientv3.LeaseID
}

// A watch of the lesson's.
type watch struct {
	Key       string `json:"key"`
	End       string `json:"end,omitempty"`
	Prefix    bool   `json:"prefix,omitempty"`
	From      int64  `json:"from"`
	Events    int    `json:"events"`
	Cancelled bool   `json:"cancelled,omitempty"`
}

// A member of the lesson's own cluster.
type member struct {
	Name     string `json:"name"`
	Endpoint string `json:"endpoint"`
	Up       bool   `json:"up"`
	Leader   bool   `json:"leader"`
	Rev      int64  `json:"rev"`
	Term     uint64 `json:"term"`
}

// A queue is the keys of one concurrency.Mutex or Election: PFX/LEASEID,
// each holding its session's lease; the first created holds it.
type queue struct {
	Name    string     `json:"name"`
	Waiters []keyShown `json:"waiters"`
}

type keyShown struct {
	Key     string `json:"key"`
	Value   string `json:"value"`
	Create  int64  `json:"create"`
	Mod     int64  `json:"mod"`
	Version int64  `json:"version"`
	Lease   string `json:"lease,omitempty"`
}

// snapshot is what a page gets of the picture.
type snapshot struct {
	Lesson  string      `json:"lesson"`
	Prefix  string      `json:"prefix"`
	Rev     int64       `json:"rev"`
	Now     int64       `json:"now"` // the server's clock, unix ms
	Keys    []keyShown  `json:"keys"`
	Revs    []*revision `json:"revs"`
	Leases  []*lease    `json:"leases"`
	Queues  []queue     `json:"queues"`
	Watches []*watch    `json:"watches"`
	Members []*member   `json:"members"`
	Held    bool        `json:"held,omitempty"` // leases stand still: a step prompt waits
}

func shown(kv *mvccpb.KeyValue) keyShown {
	k := keyShown{Key: printable(kv.Key), Value: printable(kv.Value), Create: kv.CreateRevision,
		Mod: kv.ModRevision, Version: kv.Version}
	if kv.Lease != 0 {
		k.Lease = fmt.Sprintf("%x", kv.Lease)
	}
	return k
}

// printable is b as text, quoted if it is not printable UTF-8, cut to 64
// bytes.
func printable(b []byte) string {
	s := string(b)
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		s = strconv.Quote(s)
	}
	if len(s) > 64 {
		i := 63
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i] + "…"
	}
	return s
}

func (p *picture) snapshot(now time.Time) snapshot {
	sn := snapshot{Lesson: p.Lesson, Prefix: p.Prefix, Rev: p.rev, Now: now.UnixMilli(), Held: p.held,
		Keys: []keyShown{}, Revs: p.revs, Leases: []*lease{}, Queues: []queue{}, Watches: p.watches, Members: p.members}
	// Lists, never null, for the page.
	if sn.Revs == nil {
		sn.Revs = []*revision{}
	}
	if sn.Watches == nil {
		sn.Watches = []*watch{}
	}
	if sn.Members == nil {
		sn.Members = []*member{}
	}
	names := make([]string, 0, len(p.keys))
	for k := range p.keys {
		names = append(names, k)
	}
	slices.Sort(names)
	queues := map[string]*queue{}
	var qnames []string
	for _, k := range names {
		kv := p.keys[k]
		sn.Keys = append(sn.Keys, shown(kv))
		// concurrency's layout: PFX + "/" + the session's lease in hex.
		if i := strings.LastIndexByte(k, '/'); i > 0 && kv.Lease != 0 && k[i+1:] == fmt.Sprintf("%x", kv.Lease) {
			q := queues[k[:i]]
			if q == nil {
				q = &queue{Name: k[:i]}
				queues[k[:i]] = q
				qnames = append(qnames, k[:i])
			}
			q.Waiters = append(q.Waiters, shown(kv))
		}
	}
	for _, n := range qnames {
		q := queues[n]
		slices.SortFunc(q.Waiters, func(a, b keyShown) int { return int(a.Create - b.Create) })
		sn.Queues = append(sn.Queues, *q)
	}
	for _, id := range p.order {
		l := p.leases[id]
		l.Keys = l.Keys[:0]
		for _, k := range names {
			if p.keys[k].Lease == id {
				l.Keys = append(l.Keys, printable([]byte(k)))
			}
		}
		sn.Leases = append(sn.Leases, l)
	}
	return sn
}

// changed marks the picture for the pages: a snapshot goes out within
// publishEvery. s.mu is held.
func (s *Server) changedLocked() {
	if s.dirty {
		return
	}
	s.dirty = true
	select {
	case <-s.done:
		return
	default:
	}
	s.timer = time.AfterFunc(publishEvery, s.publishState)
}

// publishState makes the picture's snapshot the one every page gets.
func (s *Server) publishState() {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.done:
		return // closed: the last picture is out
	default:
	}
	s.dirty = false
	s.state = sse("state", s.pic.snapshot(time.Now()))
	s.stateV++
	s.notify()
}

// Lesson implements runner.Observer: a new picture for the lesson, kept
// up to date by the runner's own watch on its prefix, its own TimeToLive
// of each of the lesson's leases and, on a cluster of its own, each
// member's Status.
func (s *Server) Lesson(ctx context.Context, v runner.View) (wait func()) {
	s.mu.Lock()
	p := newPicture()
	p.Lesson, p.Prefix = v.Lesson, v.Prefix
	for i, ep := range v.Members {
		p.members = append(p.members, &member{Name: v.Names[i], Endpoint: ep})
	}
	s.pic = p
	s.changedLocked()
	s.mu.Unlock()

	var wg sync.WaitGroup
	wg.Go(func() { s.follow(ctx, v, p) })
	wg.Go(func() { s.leases(ctx, v, p) })
	if len(v.Members) > 0 {
		wg.Go(func() { s.members(ctx, v, p) })
	}
	return func() {
		wg.Wait()
		// The watch may not have delivered the clean-up's deletes: what
		// is left, and which leases went with them.
		s.list(context.Background(), v, p)
		s.ttls(context.Background(), v, p)
		s.mu.Lock()
		for _, w := range p.watches {
			w.Cancelled = true // the runner closed the lesson's clients
		}
		s.changedLocked()
		s.mu.Unlock()
	}
}

// list reads every key of the lesson.
func (s *Server) list(ctx context.Context, v runner.View, p *picture) (int64, error) {
	lctx, cancel := context.WithTimeout(ctx, queryTimeout)
	resp, err := v.List(lctx)
	cancel()
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(p.keys)
	for _, kv := range resp.Kvs {
		p.keys[string(kv.Key)] = kv
		p.addLease(kv.Lease, 0)
	}
	p.rev = max(p.rev, resp.Header.Revision)
	s.changedLocked()
	return resp.Header.Revision, nil
}

// follow lists the lesson's keys and watches them from there on, until
// ctx ends.
func (s *Server) follow(ctx context.Context, v runner.View, p *picture) {
	var rev int64
	for ctx.Err() == nil {
		var err error
		if rev, err = s.list(ctx, v, p); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
	for ctx.Err() == nil {
		wch := v.Watcher.Watch(ctx, "", clientv3.WithPrefix(), clientv3.WithRev(rev+1), clientv3.WithProgressNotify())
		for resp := range wch {
			if resp.Err() != nil {
				break
			}
			s.apply(p, resp)
			if resp.Header.Revision > rev {
				rev = max(rev, lastRev(resp))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(200 * time.Millisecond): // a compaction, a lost member: again
		}
		if r, err := s.list(ctx, v, p); err == nil {
			rev = r
		}
	}
}

func lastRev(resp clientv3.WatchResponse) int64 {
	if n := len(resp.Events); n > 0 {
		return resp.Events[n-1].Kv.ModRevision
	}
	return resp.Header.Revision
}

// apply takes the events of one watch response into the picture.
func (s *Server) apply(p *picture, resp clientv3.WatchResponse) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p.rev = max(p.rev, resp.Header.Revision)
	for _, ev := range resp.Events {
		kv := ev.Kv
		key := string(kv.Key)
		var r *revision
		if n := len(p.revs); n > 0 && p.revs[n-1].Rev == kv.ModRevision {
			r = p.revs[n-1]
		} else {
			r = &revision{Rev: kv.ModRevision, Step: p.Step, Writes: []string{}}
			p.revs = append(p.revs, r)
			if len(p.revs) > keepRevs {
				p.revs = p.revs[len(p.revs)-keepRevs:]
			}
		}
		r.Writes = append(r.Writes, ev.Type.String()+" "+printable(kv.Key))
		switch ev.Type {
		case clientv3.EventTypePut:
			p.keys[key] = kv
			p.addLease(kv.Lease, 0)
		case clientv3.EventTypeDelete:
			delete(p.keys, key)
		}
	}
	s.changedLocked()
}

// addLease starts showing lease id, granted for ttl seconds if known.
func (p *picture) addLease(id int64, ttl int64) *lease {
	if id == 0 {
		return nil
	}
	l := p.leases[id]
	if l == nil {
		l = &lease{ID: fmt.Sprintf("%x", id), id: clientv3.LeaseID(id), Keys: []string{}}
		p.leases[id] = l
		p.order = append(p.order, id)
	}
	if ttl > 0 {
		l.Granted, l.Left, l.At, l.Ended = ttl, float64(ttl), time.Now().UnixMilli(), false
	}
	return l
}

// leases asks etcd, every leaseEvery, how long each of the lesson's
// leases has left, and which keys it holds.
func (s *Server) leases(ctx context.Context, v runner.View, p *picture) {
	t := time.NewTicker(leaseEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.ttls(ctx, v, p)
	}
}

// ttls asks for the TimeToLive of each lease not known to have ended.
func (s *Server) ttls(ctx context.Context, v runner.View, p *picture) {
	s.mu.Lock()
	var ids []clientv3.LeaseID
	for _, id := range p.order {
		if !p.leases[id].Ended {
			ids = append(ids, clientv3.LeaseID(id))
		}
	}
	s.mu.Unlock()
	for _, id := range ids {
		qctx, cancel := context.WithTimeout(ctx, queryTimeout)
		resp, err := v.TimeToLive(qctx, id)
		cancel()
		if err != nil {
			continue
		}
		s.mu.Lock()
		l := p.leases[int64(id)]
		now := time.Now().UnixMilli()
		switch {
		case p.held && resp.TTL >= 0:
			// Held by the runner while a prompt waits: full.
		case resp.TTL < 0:
			if !l.Ended {
				l.Ended, l.Left, l.At = true, 0, now
				s.changedLocked()
			}
		default:
			// TTL is whole seconds, truncated: the lease has TTL to
			// TTL+1 left. Correct the page's countdown only when it is
			// off by more than that.
			left := l.Left - float64(now-l.At)/1000
			if l.Granted != resp.GrantedTTL || left < float64(resp.TTL)-0.2 || left > float64(resp.TTL)+1.2 {
				l.Granted, l.Left, l.At = resp.GrantedTTL, float64(resp.TTL)+0.5, now
				s.changedLocked()
			}
		}
		s.mu.Unlock()
	}
}

// members asks each member of the lesson's own cluster how it is, every
// memberEvery: up or not, leader or not, its revision. Each member is
// asked on its own: a stopped member, whose Status waits for its deadline,
// does not hold back the picture of the others (the leader elected after
// it stopped shows within memberEvery of its election). An answer that
// comes after ctx ended is not a member's state but the lesson's end: it
// is not shown, and the page keeps the members as they last answered.
func (s *Server) members(ctx context.Context, v runner.View, p *picture) {
	var wg sync.WaitGroup
	for i, ep := range v.Members {
		wg.Go(func() {
			t := time.NewTicker(memberEvery)
			defer t.Stop()
			for {
				qctx, cancel := context.WithTimeout(ctx, statusTimeout)
				st, err := v.Status(qctx, ep)
				cancel()
				if ctx.Err() != nil {
					return
				}
				s.mu.Lock()
				m := *p.members[i]
				m.Up, m.Leader = err == nil, false
				if err == nil {
					m.Leader = st.Leader == st.Header.MemberId
					m.Rev, m.Term = st.Header.Revision, st.RaftTerm
					p.rev = max(p.rev, m.Rev)
				}
				if m.Leader {
					// One leader on the page: one elected in a later term
					// than another member last said it led in.
					for j, o := range p.members {
						if j != i && o.Leader && o.Term < m.Term {
							o2 := *o
							o2.Leader = false
							p.members[j] = &o2
						}
					}
				}
				if m != *p.members[i] {
					p.members[i] = &m
					s.changedLocked()
				}
				s.mu.Unlock()
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		})
	}
	wg.Wait()
}

// Wire implements runner.Observer: the lesson's watches, as its client
// asked for them and as they delivered, and the leases it granted and
// renewed.
func (s *Server) Wire(lesson string, stream, msg any, sent bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pic
	if p.Lesson != lesson {
		return
	}
	switch m := msg.(type) {
	case *pb.WatchRequest:
		c := m.GetCreateRequest()
		if c == nil {
			return
		}
		w := &watch{Key: strings.TrimPrefix(string(c.Key), p.Prefix), From: c.StartRevision}
		if len(c.RangeEnd) > 0 {
			end := strings.TrimPrefix(string(c.RangeEnd), p.Prefix)
			if string(c.RangeEnd) == clientv3.GetPrefixRangeEnd(string(c.Key)) {
				w.Prefix = true
			} else {
				w.End = end
			}
		}
		p.pending[stream] = append(p.pending[stream], w)
		p.watches = append(p.watches, w)
		s.changedLocked()
	case *pb.WatchResponse:
		id := watchID{stream, m.WatchId}
		if m.Created {
			if q := p.pending[stream]; len(q) > 0 {
				p.byID[id] = q[0]
				p.pending[stream] = q[1:]
			}
		}
		w := p.byID[id]
		if w == nil {
			return
		}
		if n := len(m.Events); n > 0 {
			w.Events += n
			s.changedLocked()
		}
		if m.Canceled {
			w.Cancelled = true
			delete(p.byID, id)
			s.changedLocked()
		}
	case *pb.LeaseGrantResponse:
		if m.Error == "" {
			p.addLease(m.ID, m.TTL)
			s.changedLocked()
		}
	case *pb.LeaseKeepAliveResponse:
		if l := p.leases[m.ID]; l != nil && m.TTL > 0 {
			l.Granted, l.Left, l.At = max(l.Granted, m.TTL), float64(m.TTL), time.Now().UnixMilli()
			s.changedLocked()
		}
	case *pb.LeaseRevokeRequest:
		if l := p.leases[m.ID]; l != nil && !sent {
			l.Ended, l.Left = true, 0
			s.changedLocked()
		}
	case *pb.LeaseRevokeResponse:
		// The request's ID is not in the response: the next TimeToLive
		// says it ended.
	}
}
