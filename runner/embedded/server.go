// Package embedded owns the etcd servers that run inside this process: the
// single member the course runs on when no --endpoints are given (and that
// serve keeps running), and a lesson's own cluster of 1 or 3 members, each
// behind relays of ours so that stopping one cuts its clients off at once.
// Every server listens on 127.0.0.1 only and logs to a file, never to the
// terminal.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	"go.etcd.io/etcd/api/v3/version"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"etcdtour/runner/i18n"
	"etcdtour/runner/loopback"
)

// Server is a single-member etcd running inside this process.
//
// It listens only on 127.0.0.1, on ports the kernel chose for it (":0"), so it
// never collides with an etcd already serving 2379/2380. Its data lives in a
// fresh temp dir that Close removes. Its log goes to a file in that dir, never
// to the terminal.
type Server struct {
	etcd    *embed.Etcd
	dir     string   // temp dir holding data/ and etcd.log, removed by Close
	logFile *os.File // etcd's zap log, closed after the server stops
	owned   bool     // dir was created by us and is removed by Close
	lang    i18n.Lang

	// closing is cancelled when Close begins: it ends the streams clients
	// hold open (watches, keep-alives), which etcd would otherwise wait
	// for, up to its request timeout of 5 s, before it stops.
	closing    context.Context
	endStreams context.CancelFunc
}

// ServerOptions tunes StartServer. The zero value is what the course uses.
type ServerOptions struct {
	// DataDir keeps the data in this directory instead of a temp dir that is
	// removed on Close. The log goes to DataDir/etcd.log.
	DataDir string
	// ClientURL is the client listen address, such as "http://127.0.0.1:2379".
	// Empty means the address the server had the last time it ran on
	// DataDir, and else 127.0.0.1 on a free port.
	ClientURL string
	// StartTimeout bounds how long the server may take to become ready.
	StartTimeout time.Duration
	// LongRunning is for a server that runs long and mostly idle (serve):
	// it ticks every 10 ms instead of every 1 ms, for a quarter of the idle
	// CPU and about 50 ms more to start.
	LongRunning bool
	// Lang is the language of the errors it reports.
	Lang i18n.Lang
}

// Raft timing for a single local member. With etcd's defaults (100 ms
// heartbeat, 1 s election) the first election alone takes a few hundred
// milliseconds and the minimum lease TTL is 2 s. A single member on loopback
// has no network to tolerate and no one to lose an election to, so the
// course runs it with a 1 ms tick and a 10 ms election timeout: it leads at
// once (start to first answer about 14 ms instead of 69 ms) and a 1 s lease
// is granted as 1 s. The cost is the idle CPU of ticking a thousand times a
// second, about 5% of one core against 1.3% with 10 ms / 100 ms (measured
// over 10 s: docs/embedded.md). That is nothing for a course of a few
// seconds, but serve may run all day, so it keeps the slower tick, with
// which a 1 s lease is still granted as 1 s.
const (
	embeddedTickMs     = 1
	embeddedElectionMs = 10
	servingTickMs      = 10
	servingElectionMs  = 100
)

// StartServer starts a single-member etcd and waits until it serves clients.
// If it fails, the error says why and names the log file, which is then kept.
func StartServer(opts ServerOptions) (*Server, error) {
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 30 * time.Second
	}
	s := &Server{lang: opts.Lang}
	s.closing, s.endStreams = context.WithCancel(context.Background())
	if opts.DataDir != "" {
		if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
			return nil, opts.Lang.Err("embedded etcd: data dir: %w", err)
		}
		s.dir = opts.DataDir
	} else {
		dir, err := os.MkdirTemp("", "etcdtour-")
		if err != nil {
			return nil, opts.Lang.Err("embedded etcd: cannot make a temp dir in %s: %v (set TMPDIR to a writable directory)", os.TempDir(), unwrapPathError(err))
		}
		s.dir, s.owned = dir, true
	}
	logPath := filepath.Join(s.dir, "etcd.log")
	lf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		s.removeDir()
		return nil, opts.Lang.Err("embedded etcd: log file: %w", err)
	}
	s.logFile = lf

	cfg := embed.NewConfig()
	cfg.Name = "etcdtour"
	cfg.Dir = filepath.Join(s.dir, "data")
	if opts.DataDir != "" && inUse(cfg.Dir) {
		s.close()
		return nil, opts.Lang.Err("data dir %s is in use by another etcd (an etcdtour serve --data-dir %s still running?): stop it or pick another --data-dir", opts.DataDir, opts.DataDir)
	}
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.New(zapcore.NewCore(
		zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()),
		zapcore.AddSync(lf), zap.InfoLevel)))
	cfg.TickMs, cfg.ElectionMs = embeddedTickMs, embeddedElectionMs
	if opts.LongRunning {
		cfg.TickMs, cfg.ElectionMs = servingTickMs, servingElectionMs
	}
	cfg.GRPCAdditionalServerOptions = []grpc.ServerOption{grpc.ChainStreamInterceptor(s.endOnClose)}
	// The course's data is throw-away unless DataDir keeps it (etcdtour
	// serve --data-dir); skipping fsync saves milliseconds per write.
	cfg.UnsafeNoFsync = opts.DataDir == ""

	// The peer port is never dialled by anyone (one member), so the kernel
	// picks it. The client port is advertised in the member list, so it must
	// be a real number: take a free one, and take another if someone grabs it
	// before etcd binds it.
	pu, _ := url.Parse("http://127.0.0.1:0")
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	// A server restarted on a kept DataDir keeps its address, which the
	// terminals that use it have exported.
	urlFile, remembered := filepath.Join(s.dir, clientURLFile), false
	if opts.DataDir != "" && opts.ClientURL == "" {
		if b, err := os.ReadFile(urlFile); err == nil && strings.TrimSpace(string(b)) != "" {
			opts.ClientURL, remembered = strings.TrimSpace(string(b)), true
		}
	}
	var e *embed.Etcd
	for attempt := 0; ; attempt++ {
		client := opts.ClientURL
		if client == "" {
			client, err = freeLoopbackURL()
			if err != nil {
				return nil, s.fail(err, logPath)
			}
		}
		cu, perr := url.Parse(client)
		if perr != nil || cu.Host == "" || (cu.Scheme != "http" && cu.Scheme != "https") {
			s.close()
			return nil, opts.Lang.Err("bad listen URL %q: want http://HOST:PORT", client)
		}
		cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
		e, err = embed.StartEtcd(cfg)
		if err == nil {
			break
		}
		if s.owned {
			os.RemoveAll(cfg.Dir) // a fresh start on the next port
		}
		if remembered && errors.Is(err, syscall.EADDRINUSE) {
			s.logFile.Close()
			return nil, opts.Lang.Err("embedded etcd on %s: %s, where it served last time (%s), is taken: stop what holds it, or pass --listen with another address",
				opts.DataDir, opts.ClientURL, urlFile)
		}
		if opts.DataDir != "" || opts.ClientURL != "" || attempt == 3 || !errors.Is(err, syscall.EADDRINUSE) {
			return nil, s.fail(opts.Lang.Err("embedded etcd did not start: %w", err), logPath)
		}
	}
	s.etcd = e
	if opts.DataDir != "" {
		// Best effort: without it, the next start takes a free port.
		os.WriteFile(urlFile, []byte(cfg.ListenClientUrls[0].String()+"\n"), 0o600)
	}
	select {
	case <-e.Server.ReadyNotify():
		return s, nil
	case err := <-e.Err():
		e.Close()
		return nil, s.fail(opts.Lang.Err("embedded etcd stopped while starting: %w", err), logPath)
	case <-time.After(opts.StartTimeout):
		e.Server.Stop()
		e.Close()
		return nil, s.fail(opts.Lang.Err("embedded etcd not ready after %v", opts.StartTimeout), logPath)
	}
}

// clientURLFile, in a kept DataDir, holds the client URL the server last
// listened on.
const clientURLFile = "client-url"

// endOnClose is a stream interceptor: the stream's context ends when Close
// begins (at once for a stream opened after that), so that the handler of a
// watch or a keep-alive returns and etcd's graceful stop does not wait. The
// client is told Unavailable, as when a server goes away: it tries again
// elsewhere, where a "watch canceled" would end its watch for good.
func (s *Server) endOnClose(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	ctx, cancel := context.WithCancel(ss.Context())
	defer cancel()
	defer context.AfterFunc(s.closing, cancel)()
	err := handler(srv, streamCtx{ss, ctx})
	if s.closing.Err() != nil {
		return status.Error(codes.Unavailable, "etcd is stopping")
	}
	return err
}

// streamCtx is a server stream with a context of our own.
type streamCtx struct {
	grpc.ServerStream
	ctx context.Context
}

func (s streamCtx) Context() context.Context { return s.ctx }

// fail keeps the log (and its dir) for the user to read, and removes the
// data unless it is a DataDir the user keeps.
func (s *Server) fail(err error, logPath string) error {
	s.logFile.Close()
	if s.owned {
		os.RemoveAll(filepath.Join(s.dir, "data"))
	}
	return s.lang.Err("%w (full log: %s)", err, logPath)
}

// inUse reports whether another etcd holds the database under dataDir.
// etcd itself would wait for the database's lock forever, silently.
func inUse(dataDir string) bool {
	db := filepath.Join(dataDir, "member", "snap", "db")
	if _, err := os.Stat(db); err != nil {
		return false // no database yet
	}
	// A read-only open takes a shared lock, which the running etcd's
	// exclusive one refuses; it changes nothing.
	b, err := bolt.Open(db, 0o600, &bolt.Options{Timeout: 200 * time.Millisecond, ReadOnly: true})
	if err != nil {
		return errors.Is(err, bolt.ErrTimeout)
	}
	b.Close()
	return false
}

// freeLoopbackURL returns an http URL on 127.0.0.1 with a port that was free
// a moment ago.
func freeLoopbackURL() (string, error) {
	addr, err := loopback.FreeAddr()
	if err != nil {
		return "", fmt.Errorf("embedded etcd: %w", err)
	}
	return "http://" + addr, nil
}

// unwrapPathError is the heart of a file error, without the path the
// message names anyway.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Endpoint is the client address, such as "127.0.0.1:43127".
func (s *Server) Endpoint() string {
	return s.etcd.Clients[0].Addr().String()
}

// Err reports an error that stopped the server while it ran.
func (s *Server) Err() <-chan error { return s.etcd.Err() }

// Version is the server's version.
func (s *Server) Version() string { return version.Version }

// Dir is the directory holding the data and the log.
func (s *Server) Dir() string { return s.dir }

// Close stops the server, waits for it to finish and removes its temp dir.
func (s *Server) Close() error {
	if s == nil || s.etcd == nil {
		return nil
	}
	s.endStreams()
	s.etcd.Close()
	s.etcd = nil
	return s.close()
}

// Discard removes the temp dir without stopping the server, for a process
// that is about to exit without the clean-up Close does (a second Ctrl-C).
// A DataDir the user chose is kept.
func (s *Server) Discard() {
	if s != nil {
		s.removeDir()
	}
}

func (s *Server) close() error {
	var err error
	if s.logFile != nil {
		err = s.logFile.Close()
	}
	return errors.Join(err, s.removeDir())
}

func (s *Server) removeDir() error {
	if !s.owned {
		return nil
	}
	return os.RemoveAll(s.dir)
}
