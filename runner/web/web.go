// Package web serves a live picture of a run to browsers (run --web): the
// lesson as it goes (the same events as --json, the current step marked)
// beside etcd's state, read by the runner itself: the lesson's keys, the
// store's revisions, its leases counting down, lock and election queues,
// the lesson's watches and, on a cluster of the lesson's own, its members.
//
// A Server is a runner.Reporter (the lesson's events) and a
// runner.Observer (the state: its own watch on the lesson's prefix, its
// own lease and member queries, which the runner ends and cleans up after
// each lesson). Pages follow it over server-sent events (/events); a page
// opened late gets the run so far. With --step the presenter's page, whose
// URL carries a token, may answer the step prompt (/next); any other page
// only watches. Everything the page needs is in the binary (embed).
package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"etcdtour/runner"
	"etcdtour/runner/i18n"
)

//go:embed assets
var assets embed.FS

// DefaultAddr is where --web listens when given no address: loopback, a
// port the system picks.
const DefaultAddr = "127.0.0.1:0"

// Options configure a Server.
type Options struct {
	// Addr is the address to listen on, host:port; "" is DefaultAddr.
	Addr string
	// Lang is the language of the page's own words; the events come
	// translated by the runner.
	Lang i18n.Lang
	// Next answers the prompt the terminal shows (Prompt) as Enter does,
	// if one is shown, and reports whether one was
	// (report.Console.Next). Nil: the page controls nothing.
	Next func() bool
}

// A Server serves the live picture of one run. Its methods are safe to call
// from several goroutines.
type Server struct {
	lang  i18n.Lang
	next  func() bool
	token string
	ln    net.Listener
	http  *http.Server
	page  []byte // index.html, with the page's words
	done  chan struct{}

	mu      sync.Mutex
	log     [][]byte      // the run's events so far, as SSE messages
	pic     *picture      // the state of the lesson under way
	state   []byte        // its last snapshot, an SSE message
	stateV  uint64        // which snapshot
	pause   []byte        // the prompt shown, an SSE message
	pauseV  uint64        // which prompt
	paused  bool          // the run stands at a Pause
	changed chan struct{} // closed and replaced on every change
	dirty   bool          // pic changed since the last snapshot
	timer   *time.Timer   // publishes a dirty picture
	streams int           // pages connected, for tests and the benchmark
}

// Start listens on o.Addr and serves the page until Close.
func Start(o Options) (*Server, error) {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, o.Lang.Err("--web %s: %w", o.Addr, err)
	}
	tok := make([]byte, 16)
	rand.Read(tok)
	s := &Server{lang: o.Lang, next: o.Next, token: hex.EncodeToString(tok), ln: ln,
		done: make(chan struct{}), changed: make(chan struct{}), pic: newPicture()}
	if s.page, err = s.render(); err != nil {
		ln.Close()
		return nil, err
	}
	s.publishState()
	static, _ := fs.Sub(assets, "assets")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.index)
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /events", s.events)
	mux.HandleFunc("POST /next", s.control)
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go s.http.Serve(ln)
	return s, nil
}

// URL is the presenter's address of the page: with the token that lets it
// answer the step prompt. Listening on all interfaces, it names loopback.
func (s *Server) URL() string { return s.base(true) + "?token=" + s.token }

// FollowerURL is the address for everyone else: it watches, and controls
// nothing. Listening on all interfaces, it names the machine's first
// address that is not loopback.
func (s *Server) FollowerURL() string { return s.base(false) }

func (s *Server) base(local bool) string {
	a := s.ln.Addr().(*net.TCPAddr)
	host := a.IP.String()
	if a.IP.IsUnspecified() {
		host = "127.0.0.1"
		if !local {
			host = outward()
		}
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(a.Port)) + "/"
}

// outward is the machine's first address that is not loopback, IPv4 if
// it has one, for followers in the room; else loopback.
func outward() string {
	addrs, _ := net.InterfaceAddrs()
	var v6 string
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok || n.IP.IsLoopback() || n.IP.IsLinkLocalUnicast() {
			continue
		}
		if n.IP.To4() != nil {
			return n.IP.String()
		}
		if v6 == "" {
			v6 = n.IP.String()
		}
	}
	if v6 != "" {
		return v6
	}
	return "127.0.0.1"
}

// Close ends every page's stream and stops serving. Pages keep the last
// picture.
func (s *Server) Close() error {
	s.mu.Lock()
	select {
	case <-s.done:
		s.mu.Unlock()
		return nil
	default:
	}
	if s.timer != nil {
		s.timer.Stop()
	}
	s.mu.Unlock()
	s.publishState() // the last picture: the clean-up's, the run's end
	s.mu.Lock()
	close(s.done)
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.http.Shutdown(ctx); err != nil {
		return s.http.Close()
	}
	return nil
}

// Streams is how many pages follow the run now.
func (s *Server) Streams() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.streams
}

// words are the page's own words, in the run's language.
func (s *Server) words() map[string]string {
	l := s.lang
	return map[string]string{
		"title":     l.Msg("etcdtour, live"),
		"lesson":    l.Msg("Lesson"),
		"state":     l.Msg("etcd, live"),
		"revision":  l.Msg("revision"),
		"keys":      l.Msg("Keys under the lesson's prefix"),
		"key":       l.Msg("key"),
		"value":     l.Msg("value"),
		"create":    l.Msg("create rev"),
		"mod":       l.Msg("mod rev"),
		"version":   l.Msg("version"),
		"lease":     l.Msg("lease"),
		"nokeys":    l.Msg("no keys"),
		"timeline":  l.Msg("Revisions"),
		"leases":    l.Msg("Leases"),
		"noleases":  l.Msg("no leases"),
		"ended":     l.Msg("ended"),
		"queues":    l.Msg("Lock and election queues"),
		"noqueues":  l.Msg("no queues"),
		"holder":    l.Msg("holder"),
		"waiting":   l.Msg("waiting"),
		"watches":   l.Msg("The lesson's watches"),
		"nowatches": l.Msg("no watches"),
		"from":      l.Msg("from rev"),
		"now":       l.Msg("now"),
		"events":    l.Text("%s event(s)"),
		"cleanup":   l.Text("cleanup: %s"),
		"cancelled": l.Msg("cancelled"),
		"members":   l.Msg("Members"),
		"leader":    l.Msg("leader"),
		"stopped":   l.Msg("not answering"),
		"next":      l.Msg("Next"),
		"nextkeys":  l.Msg("Next (→ or space) runs the step"),
		"paused":    l.Text("paused before step %s: %s"),
		"morewait":  l.Msg("paused: more on the terminal"),
		"follower":  l.Msg("following the presenter"),
		"ended-run": l.Msg("the run has ended"),
		"summary":   l.Text("the run has ended: %s passed, %s failed"),
		"end":       l.Text("%s: %s"),
		"gotwant":   l.Text("(got %s, want %s)"),
		"left":      l.Text("%s s / %s s"),
		"lost":      l.Msg("connection lost: the run has ended or etcdtour stopped"),
		"more":      l.Text("%s more"),
		"waitrun":   l.Msg("waiting for the run to start"),
		"passed":    l.Msg("passed"),
		"failed":    l.Msg("failed"),
		"skipped":   l.Msg("skipped"),
		"notrun":    l.Msg("not run"),
		"interrupt": l.Msg("interrupted"),
		"step":      l.Text("step %s"),
	}
}

func (s *Server) render() ([]byte, error) {
	src, err := assets.ReadFile("assets/index.html")
	if err != nil {
		return nil, err
	}
	tpl, err := template.New("index").Parse(string(src))
	if err != nil {
		return nil, err
	}
	lang := "en"
	if !s.lang.IsEnglish() {
		lang = "zh-CN"
	}
	var b strings.Builder
	err = tpl.Execute(&b, struct {
		Lang    string
		Title   string
		Words   map[string]string
		Control bool
	}{lang, s.words()["title"], s.words(), s.next != nil})
	return []byte(b.String()), err
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(s.page)
}

// control answers the step prompt for the page that holds the token, and
// refuses every other.
func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	tok := r.Header.Get("X-Token")
	if s.next == nil || subtle.ConstantTimeCompare([]byte(tok), []byte(s.token)) != 1 {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"ok":%v}`, s.next())
}

// events streams the run to one page: what happened so far, then each
// change as it comes. A page that falls behind gets the latest state, not
// every state in between.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "no streaming", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	s.mu.Lock()
	s.streams++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.streams--
		s.mu.Unlock()
	}()
	// A new stream starts a page afresh (a reconnect too).
	if _, err := w.Write([]byte("event: hello\ndata: {}\n\n")); err != nil {
		return
	}
	sent, stateV, pauseV := 0, uint64(0), uint64(0)
	closing := false // the server closes: what is pending, then the end
	for {
		s.mu.Lock()
		log := s.log[sent:]
		sent = len(s.log)
		var state, pause []byte
		if s.stateV != stateV {
			state, stateV = s.state, s.stateV
		}
		if s.pauseV != pauseV {
			pause, pauseV = s.pause, s.pauseV
		}
		changed := s.changed
		s.mu.Unlock()
		for _, m := range log {
			if _, err := w.Write(m); err != nil {
				return
			}
		}
		for _, m := range [][]byte{state, pause} {
			if m != nil {
				if _, err := w.Write(m); err != nil {
					return
				}
			}
		}
		fl.Flush()
		if closing {
			return
		}
		select {
		case <-changed:
		case <-r.Context().Done():
			return
		case <-s.done:
			closing = true
		}
	}
}

// sse is one server-sent event of type kind carrying v as JSON.
func sse(kind string, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte("null")
	}
	return []byte("event: " + kind + "\ndata: " + string(b) + "\n\n")
}

// notify wakes every stream. s.mu is held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Report implements runner.Reporter: the page shows the same events as
// --json, and its step marks the picture's revisions.
func (s *Server) Report(e runner.Event) {
	if e.Kind == runner.KindRequest {
		return // as --json: the lesson's own etcdctl line stands for it
	}
	m := sse("ev", e)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, m)
	switch e.Kind {
	case runner.KindStep:
		if e.Lesson == s.pic.Lesson {
			s.pic.Step = e.Step
		}
	}
	s.notify()
}

// A Prompt is what the terminal waits for a key at
// (report.Console.OnPrompt), shown on the pages: the presenter's offers
// Next, which answers it as Enter does.
type Prompt struct {
	// More: a "more" prompt, where the terminal's screen is full. Else
	// the --step prompt before step Step of lesson Lesson, headed Title.
	More   bool   `json:"more,omitempty"`
	Lesson string `json:"lesson,omitempty"`
	Step   int    `json:"step,omitempty"`
	Title  string `json:"title,omitempty"`
}

// Pause wraps a runner.Config.Pause (report.Console.Pause) to know when
// the run stands at one: while a prompt is shown there (Prompt) the
// runner holds the lesson's leases, and their bars stand still, full. A
// pause that does not wait for a key (paging with room left on the
// screen) shows nothing.
func (s *Server) Pause(p func(ctx context.Context, lesson string, step int, title string) bool) func(ctx context.Context, lesson string, step int, title string) bool {
	return func(ctx context.Context, lesson string, step int, title string) bool {
		s.mu.Lock()
		s.paused = true
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.paused = false
			s.hold(false)
		}()
		return p(ctx, lesson, step, title)
	}
}

// Prompt shows the pages the prompt the terminal waits at, p; nil once it
// got its key. Shown within a Pause, the run waits for it, holding the
// lesson's leases.
func (s *Server) Prompt(p *Prompt) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p == nil {
		s.pause = sse("pause", nil)
	} else {
		s.pause = sse("pause", *p)
		s.hold(s.paused)
	}
	s.pauseV++
	s.notify()
}

// hold marks the lesson's leases held by the runner (a prompt waits in a
// Pause), or no longer held: either way their TTL is whole again. s.mu is
// held.
func (s *Server) hold(held bool) {
	if s.pic.held == held {
		return
	}
	s.pic.held = held
	now := time.Now().UnixMilli()
	for _, l := range s.pic.leases {
		if !l.Ended {
			l.Left, l.At = float64(l.Granted), now
		}
	}
	s.changedLocked()
}
