// Package etcdconn owns how etcdtour reaches an etcd it did not start:
// the connection's options as etcdctl has them (Conn), their check before
// any dial, TLS, the client's configuration, the etcdctl variables that
// reach the same cluster, and the one-line diagnosis of a connection that
// fails (nothing listening, TLS on one side only, a certificate refused, a
// dial timeout too short).
package etcdconn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"etcdtour/runner/etcdctl"
	"etcdtour/runner/i18n"
)

// Conn says how to reach etcd, with etcdctl's options.
type Conn struct {
	Endpoints          []string      // host:port or http(s)://host:port
	DialTimeout        time.Duration // how long to try to reach a server; default 5s
	CommandTimeout     time.Duration // how long one request may take; default 5s
	User               string        // user name, or name:password
	Password           string
	CACert, Cert, Key  string // PEM file paths
	InsecureSkipVerify bool
	// Lang is the language of the errors it reports.
	Lang i18n.Lang
}

// WithDefaults is c with its zero timeouts set to their defaults.
func (c Conn) WithDefaults() Conn {
	if c.DialTimeout == 0 {
		c.DialTimeout = 5 * time.Second
	}
	if c.CommandTimeout == 0 {
		c.CommandTimeout = 5 * time.Second
	}
	return c
}

// Check reports the first problem with c that needs no server to find:
// malformed endpoints, a user without a password, certificate files that
// cannot be read.
func (c Conn) Check() error {
	if len(c.Endpoints) == 0 {
		return c.Lang.Err("no endpoint given: pass --endpoints host:port")
	}
	for _, ep := range c.Endpoints {
		if err := checkEndpoint(c.Lang, ep); err != nil {
			return err
		}
	}
	if c.User != "" {
		name, pass, hasPass := strings.Cut(c.User, ":")
		switch {
		case name == "":
			return c.Lang.Err("--user %q has no user name: use --user NAME or NAME:PASSWORD", c.User)
		case hasPass && c.Password != "":
			// etcdctl would take all of "name:pw" as the user name.
			return c.Lang.Err("--user %s:… and --password both give a password: give it once", name)
		case pass == "" && c.Password == "":
			// The client would connect without authenticating, silently.
			return c.Lang.Err("--user %q has no password: use --user %s:PASSWORD or --password", name, name)
		}
	} else if c.Password != "" {
		return c.Lang.Err("--password given without --user: add --user NAME")
	}
	if (c.Cert == "") != (c.Key == "") {
		return c.Lang.Err("--cert and --key go together: give both or neither")
	}
	pem := map[string][]byte{}
	for _, f := range []struct{ flag, path string }{{"--cacert", c.CACert}, {"--cert", c.Cert}, {"--key", c.Key}} {
		if f.path == "" {
			continue
		}
		b, err := os.ReadFile(f.path)
		if err != nil {
			return c.Lang.Err("%s %s: cannot read it: %v", f.flag, f.path, unwrapPathError(err))
		}
		pem[f.flag] = b
	}
	if c.CACert != "" && !x509.NewCertPool().AppendCertsFromPEM(pem["--cacert"]) {
		return c.Lang.Err("--cacert %s: no PEM certificate in it: give the CA certificate that signed the server's", c.CACert)
	}
	if c.Cert != "" {
		if _, err := tls.X509KeyPair(pem["--cert"], pem["--key"]); err != nil {
			return c.Lang.Err("--cert %s and --key %s are not a certificate and its key: %v", c.Cert, c.Key, err)
		}
	}
	return nil
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

func checkEndpoint(lang i18n.Lang, ep string) error {
	if strings.TrimSpace(ep) != ep || ep == "" {
		return lang.Err("endpoint %q is malformed: want host:port or http(s)://host:port, without spaces", ep)
	}
	hostport := ep
	if strings.Contains(ep, "://") {
		u, err := url.Parse(ep)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "unix" && u.Scheme != "unixs") {
			return lang.Err("endpoint %q is malformed: want host:port or http(s)://host:port", ep)
		}
		if u.Scheme == "unix" || u.Scheme == "unixs" {
			return nil
		}
		hostport = u.Host
	}
	host, port, err := net.SplitHostPort(hostport)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 1 || n > 65535 || strings.Contains(host, "/") {
		return lang.Err("endpoint %q is malformed: want host:port or http(s)://host:port", ep)
	}
	return nil
}

func (c Conn) tls() (*tls.Config, error) {
	if c.CACert == "" && c.Cert == "" && c.Key == "" && !c.InsecureSkipVerify && !c.anyHTTPS() {
		return nil, nil
	}
	info := transport.TLSInfo{
		CertFile:           c.Cert,
		KeyFile:            c.Key,
		TrustedCAFile:      c.CACert,
		InsecureSkipVerify: c.InsecureSkipVerify,
	}
	cfg, err := info.ClientConfig()
	if err != nil {
		return nil, c.Lang.Err("TLS setup: %w", err)
	}
	return cfg, nil
}

// EtcdctlEnv is what etcdctl needs, as variables, to reach the cluster as
// etcdtour does; the lessons' etcdctl lines assume it. The password is not
// given: etcdctl asks for it.
func (c Conn) EtcdctlEnv() string {
	vars := []string{"ETCDCTL_ENDPOINTS=" + etcdctl.Quote(strings.Join(c.Endpoints, ","))}
	for _, f := range []struct{ name, path string }{
		{"ETCDCTL_CACERT", c.CACert}, {"ETCDCTL_CERT", c.Cert}, {"ETCDCTL_KEY", c.Key},
	} {
		if f.path != "" {
			if abs, err := filepath.Abs(f.path); err == nil {
				f.path = abs // for a terminal in another directory
			}
			vars = append(vars, f.name+"="+etcdctl.Quote(f.path))
		}
	}
	if c.InsecureSkipVerify {
		vars = append(vars, "ETCDCTL_INSECURE_SKIP_TLS_VERIFY=true")
	}
	if c.User != "" {
		// No password: etcdctl asks for it.
		name, _, _ := strings.Cut(c.User, ":")
		vars = append(vars, "ETCDCTL_USER="+etcdctl.Quote(name))
	}
	return strings.Join(vars, " ")
}

func (c Conn) anyHTTPS() bool {
	for _, ep := range c.Endpoints {
		if strings.HasPrefix(ep, "https://") {
			return true
		}
	}
	return false
}

// clientConfig is the clientv3 configuration for c.
func (c Conn) clientConfig() (clientv3.Config, error) {
	tc, err := c.tls()
	if err != nil {
		return clientv3.Config{}, err
	}
	user, pass := c.User, c.Password
	if name, p, ok := strings.Cut(user, ":"); ok {
		user, pass = name, p
	}
	return clientv3.Config{
		Endpoints:   c.Endpoints,
		DialTimeout: c.DialTimeout,
		TLS:         tc,
		Username:    user,
		Password:    pass,
		// The client's own log would interleave JSON lines with the lesson.
		Logger: zap.NewNop(),
	}, nil
}

// Client opens a client of c, with opts added to its dial options. It does
// not wait for a server (see Dial).
func (c Conn) Client(opts ...grpc.DialOption) (*clientv3.Client, error) {
	cc, err := c.clientConfig()
	if err != nil {
		return nil, err
	}
	cc.DialOptions = append(cc.DialOptions, opts...)
	return clientv3.New(cc)
}

// A Dialed is a client that has reached the cluster, and the diagnosis
// that stands by while the caller's own first requests (within Deadline)
// go on: Explain turns their failure into one line.
type Dialed struct {
	// Client is open; the caller closes it.
	Client *clientv3.Client
	// Version is the version of the first member that answered.
	Version string
	// Deadline is the end of the dial timeout: the caller's first
	// requests are part of the connection and end by then.
	Deadline time.Time

	conn Conn
	p    *probe
}

// Dial checks c (Check), opens a client and asks every endpoint for its
// status, all within the dial timeout, and returns the first answer. Should
// that be slow, the diagnosis of each endpoint starts before the deadline.
// A failure is explained in one line within the dial timeout plus
// diagnoseBudget. The caller calls Stop when its own first requests are
// done.
func (c Conn) Dial(ctx context.Context) (*Dialed, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	cc, err := c.clientConfig()
	if err != nil {
		return nil, err
	}
	// One deadline for the whole check, and the diagnosis of a failure
	// after it: the error comes within the dial timeout plus diagnoseBudget.
	deadline := time.Now().Add(c.DialTimeout)
	// Should the check be slow, the diagnosis of each endpoint starts before
	// the deadline, to have time enough on a slow or loaded machine.
	p := c.startProbe(deadline.Add(-earlyProbe), deadline.Add(diagnoseBudget))
	cli, err := clientv3.New(cc)
	if err != nil {
		defer p.stop()
		return nil, c.explain(err, deadline, nil, p)
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	type answer struct {
		st  *clientv3.StatusResponse
		err error
	}
	answered := make(chan answer, 1)
	go func() {
		st, err := firstStatus(ctx, cli, c.Endpoints)
		answered <- answer{st, err}
	}()
	refused := make(chan error, 1)
	go func() { refused <- c.refusedLoopback(ctx) }()
	var a answer
	select {
	case a = <-answered:
		cancel() // the look for a refusal is not needed
		<-refused
	case err := <-refused:
		if err != nil {
			// Nothing listens on this machine: no need to wait for the
			// dial timeout to say so.
			cancel()
			<-answered
			p.stop()
			cli.Close()
			return nil, err
		}
		a = <-answered
	}
	st, err := a.st, a.err
	if err != nil {
		defer p.stop()
		defer cli.Close()
		return nil, c.explain(err, deadline, cli, p)
	}
	return &Dialed{Client: cli, Version: st.Version, Deadline: deadline, conn: c, p: p}, nil
}

// Explain turns the failure of a first request into one line saying what
// went wrong and what to do, looking at the cluster once more through the
// client, still open.
func (d *Dialed) Explain(err error) error {
	return d.conn.explain(err, d.Deadline, d.Client, d.p)
}

// Stop ends the diagnosis that stood by. It leaves the client open.
func (d *Dialed) Stop() { d.p.stop() }

// Explain turns the failure of a request through cli (nil: no client)
// into one line saying what went wrong and what to do.
func (c Conn) Explain(err error, cli *clientv3.Client) error {
	return c.explain(err, time.Now(), cli, nil)
}

// refusedWait is how long Dial waits for a first answer before it looks
// whether anything listens at a loopback endpoint: a healthy etcd on this
// machine answers first, and is not dialled twice.
const refusedWait = 100 * time.Millisecond

// refusedLoopback returns an error when every endpoint is an address on
// this machine and each refuses a TCP connection: nothing listens there,
// which is certain at once (elsewhere a refusal may come from a firewall,
// and the client's own retries decide). It returns nil when the endpoints
// are not all loopback, one accepts, or ctx ends first.
func (c Conn) refusedLoopback(ctx context.Context) error {
	var hosts []string
	for _, ep := range c.Endpoints {
		hostport := ep
		if i := strings.Index(ep, "://"); i >= 0 {
			hostport = ep[i+3:]
		}
		host, _, err := net.SplitHostPort(hostport)
		ip := net.ParseIP(host)
		if err != nil || !(host == "localhost" || ip != nil && ip.IsLoopback()) {
			return nil
		}
		hosts = append(hosts, hostport)
	}
	timer := time.NewTimer(refusedWait)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
		return nil
	}
	var d net.Dialer
	for _, hp := range hosts {
		conn, err := d.DialContext(ctx, "tcp", hp)
		if err == nil {
			conn.Close()
			return nil
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			return nil
		}
	}
	return c.Lang.Err("nothing listens at %s (connection refused): is etcd running there, and is the address right? (check --endpoints)", strings.Join(c.Endpoints, ","))
}

// httpStatus finds, in a gRPC error, the HTTP status a server that is not
// etcd answered with, such as "404 (Not Found)".
var httpStatus = regexp.MustCompile(`unexpected HTTP status code received from server: (\d+ \([^)]*\))`)

// firstStatus asks every endpoint at once and returns the first answer, so
// that one member down does not cost the whole dial timeout.
func firstStatus(ctx context.Context, cli *clientv3.Client, eps []string) (*clientv3.StatusResponse, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type answer struct {
		st  *clientv3.StatusResponse
		err error
	}
	answers := make(chan answer, len(eps))
	for _, ep := range eps {
		go func() {
			st, err := cli.Status(ctx, ep)
			answers <- answer{st, err}
		}()
	}
	var first error
	for range eps {
		a := <-answers
		if a.err == nil {
			return a.st, nil
		}
		if first == nil {
			first = a.err
		}
	}
	return nil, first
}

// explain turns a client error into one line saying what went wrong and
// what to do. deadline is when the check gave up; cli, if not nil, is its
// client, still open, for a last look at the cluster; p, if not nil, is the
// diagnosis of the endpoints started before.
func (c Conn) explain(err error, deadline time.Time, cli *clientv3.Client, p *probe) error {
	eps := strings.Join(c.Endpoints, ",")
	user, _, _ := strings.Cut(c.User, ":")
	s := err.Error()
	switch {
	case errors.Is(err, rpctypes.ErrAuthFailed) || strings.Contains(s, rpctypes.ErrAuthFailed.Error()):
		return c.Lang.Err("etcd at %s rejected user %q: wrong user name or password (check --user and --password)", eps, user)
	case errors.Is(err, rpctypes.ErrPermissionDenied) || strings.Contains(s, "permission denied"):
		return c.Lang.Err("user %q may not read and write the course's prefix on %s: grant it a role with readwrite on the prefix, or pick another --prefix", user, eps)
	case errors.Is(err, rpctypes.ErrUserEmpty) || strings.Contains(s, "user name is empty"):
		return c.Lang.Err("etcd at %s has authentication enabled: pass --user NAME:PASSWORD", eps)
	case httpStatus.MatchString(s):
		// A web server or a proxy, not etcd: it answered gRPC's request
		// with an HTTP error page.
		return c.Lang.Err("%s answered with HTTP %s, not as etcd: is it etcd, and is the address right? (try ETCDCTL_ENDPOINTS=%s etcdctl endpoint health)", eps, httpStatus.FindStringSubmatch(s)[1], eps)
	case errors.Is(err, context.Canceled) || status.Code(err) == codes.Canceled:
		return c.Lang.Err("interrupted while connecting to etcd at %s", eps)
	case strings.Contains(s, "x509") || strings.Contains(s, "certificate") || strings.Contains(s, "tls:"):
		// Only in errors that name the cause; the client usually reports
		// a TLS failure as a timeout, which diagnose looks behind.
		return c.Lang.Err("TLS with etcd at %s failed: %s (check --cacert, --cert, --key and the scheme in --endpoints)", eps, tlsReason(s))
	case errors.Is(err, context.DeadlineExceeded) || status.Code(err) == codes.DeadlineExceeded || status.Code(err) == codes.Unavailable:
		// The client retries until the deadline and then reports only the
		// deadline, whether no one listens, TLS failed, the cluster has no
		// leader, or the dial timeout was too short to get an answer. Look
		// for the first two, and the last, ourselves.
		if why := c.diagnose(deadline.Add(diagnoseBudget), cli, p); why != nil {
			return why
		}
		return c.Lang.Err("%s accepts connections but did not answer as etcd within %v: is it etcd, and does its cluster have a leader? (try ETCDCTL_ENDPOINTS=%s etcdctl endpoint health, or a longer --dial-timeout)", eps, c.DialTimeout, eps)
	}
	return c.Lang.Err("etcd at %s: %v", eps, err)
}

// diagnoseBudget bounds diagnose: it runs after the dial timeout has passed,
// and the error must come within the dial timeout plus half a second of the
// start (docs/cluster.md), process start-up and exit included. The probes
// of the endpoints start earlyProbe before the deadline, if the check is
// still going on then.
const (
	diagnoseBudget = 300 * time.Millisecond
	earlyProbe     = 500 * time.Millisecond
)

// A probe runs diagnoseEndpoint on every endpoint, from a given time (or
// from now, after now()) until its end.
type probe struct {
	cancel context.CancelFunc
	begin  chan struct{} // closed by now(): begin at once
	once   sync.Once
	done   chan struct{} // closed when found is final
	found  []error
}

func (c Conn) startProbe(start, end time.Time) *probe {
	ctx, cancel := context.WithDeadline(context.Background(), end)
	p := &probe{cancel: cancel, begin: make(chan struct{}), done: make(chan struct{}), found: make([]error, len(c.Endpoints))}
	go func() {
		defer close(p.done)
		timer := time.NewTimer(time.Until(start))
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-p.begin:
		case <-ctx.Done():
			return // not needed: the check went well
		}
		tc, err := c.tls()
		if err != nil {
			p.found[0] = err
			return
		}
		// In parallel, so that a slow endpoint does not use up the budget
		// of the others.
		var wg sync.WaitGroup
		for i, ep := range c.Endpoints {
			wg.Go(func() { p.found[i] = c.diagnoseEndpoint(ctx, ep, tc) })
		}
		wg.Wait()
	}()
	return p
}

// now begins the probe at once, if it has not yet begun.
func (p *probe) now() { p.once.Do(func() { close(p.begin) }) }

// wait returns the findings, in the order of the endpoints.
func (p *probe) wait() []error {
	p.now()
	<-p.done
	return p.found
}

// stop ends the probe, begun or not, and waits for it.
func (p *probe) stop() {
	p.cancel()
	<-p.done
}

// diagnose connects to each endpoint itself, the way the client would, and
// returns an error naming the first problem it finds: nothing listening, a
// TLS handshake that fails, https on one side only, or a client certificate
// the server wants or refuses. Meanwhile it asks cli (if not nil) once more
// for the status of the cluster: a cluster with a leader that answers now
// answered too late, and the dial timeout is too short. It returns nil if it
// finds none of these, by deadline. p is the probe of the endpoints if one
// was started before; nil starts one now.
func (c Conn) diagnose(deadline time.Time, cli *clientv3.Client, p *probe) error {
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if p == nil {
		p = c.startProbe(time.Now(), deadline)
		defer p.stop()
	}
	lateC := make(chan *clientv3.StatusResponse, 1)
	go func() {
		var late *clientv3.StatusResponse
		if cli != nil {
			if st, err := firstStatus(ctx, cli, c.Endpoints); err == nil && st.Leader != 0 {
				late = st
			}
		}
		lateC <- late
	}()
	found := p.wait() // the first endpoint's finding is reported first
	var first error
	reachable := false // an endpoint the client might have reached by now
	for _, err := range found {
		var slow slowDial
		if err == nil || errors.As(err, &slow) {
			reachable = true
		}
		if first == nil {
			first = err
		}
	}
	if !reachable {
		cancel() // no status can come: say what was found now
	}
	// A cluster that answers now, with a leader, is the answer, whatever
	// else was found: one endpoint down does not stop a run.
	if late := <-lateC; late != nil {
		return c.Lang.Err("etcd %s at %s answered, but only after --dial-timeout %v had passed: that is too short to reach the cluster and check it; try --dial-timeout 5s (the default)",
			late.Version, strings.Join(c.Endpoints, ","), c.DialTimeout)
	}
	return first
}

// slowDial is diagnose's finding for an endpoint it could not connect to
// within its budget: slow, or nothing there (packets dropped).
type slowDial struct{ error }

func (c Conn) diagnoseEndpoint(ctx context.Context, ep string, tc *tls.Config) error {
	scheme, hostport := "", ep
	if i := strings.Index(ep, "://"); i >= 0 {
		scheme, hostport = ep[:i], ep[i+3:]
		if j := strings.IndexByte(hostport, '/'); j >= 0 {
			hostport = hostport[:j]
		}
	}
	if scheme == "unix" || scheme == "unixs" {
		path := strings.TrimPrefix(ep, scheme+"://")
		if _, err := os.Stat(path); err != nil {
			return c.Lang.Err("no etcd socket at %s (%v): check --endpoints", path, unwrapPathError(err))
		}
		return nil
	}
	// As the client does: https always means TLS, http never, and a bare
	// host:port means TLS when any TLS option was given.
	useTLS := scheme == "https" || (scheme == "" && tc != nil)

	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", hostport)
	if err != nil {
		err = c.Lang.Err("cannot reach etcd at %s within %v (%s): is it running, and is the address right? (check --endpoints, --dial-timeout)", ep, c.DialTimeout, dialReason(err))
		if ctx.Err() != nil {
			return slowDial{err}
		}
		return err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	host, _, _ := net.SplitHostPort(hostport)

	if !useTLS {
		// Plain gRPC to a TLS port fails without a word: see whether the
		// server answers a TLS hello. Nothing is verified, no request sent.
		probe := tls.Client(conn, &tls.Config{ServerName: host, InsecureSkipVerify: true, NextProtos: []string{"h2"}})
		if probe.HandshakeContext(ctx) == nil {
			return c.Lang.Err("etcd at %s serves https, not plain http: use https://%s in --endpoints, with --cacert", ep, hostport)
		}
		return nil
	}

	cfg := tc.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	cfg.NextProtos = []string{"h2"}
	conn2 := tls.Client(conn, cfg)
	err = conn2.HandshakeContext(ctx)
	if err == nil {
		// With TLS 1.3 the server judges the client's certificate after
		// the client's handshake is done: its verdict comes with the first
		// read. Send HTTP/2's preface so that a server that accepted us
		// answers at once.
		if _, err = conn2.Write([]byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")); err == nil {
			_, err = conn2.Read(make([]byte, 1))
		}
		if err != nil && !strings.Contains(err.Error(), "remote error") {
			return nil // not a TLS verdict; the handshake itself went fine
		}
	}
	if err == nil {
		return nil
	}
	var rh tls.RecordHeaderError
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	switch s := err.Error(); {
	case errors.As(err, &rh):
		return c.Lang.Err("etcd at %s does not serve TLS (https): use http://%s in --endpoints", ep, hostport)
	case errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET):
		// A TLS server answers a handshake it dislikes with an alert; a
		// plain one hangs up on it.
		return c.Lang.Err("etcd at %s hung up on the TLS handshake: it likely serves plain http, not https (use http://%s in --endpoints)", ep, hostport)
	case errors.As(err, &ua):
		return c.Lang.Err("TLS with etcd at %s failed: its certificate is signed by an authority we do not trust (check --cacert: it must be the CA that signed the server's certificate)", ep)
	case errors.As(err, &hn):
		return c.Lang.Err("TLS with etcd at %s failed: %v (check the host in --endpoints against the server's certificate)", ep, hn)
	case errors.As(err, &cv):
		return c.Lang.Err("TLS with etcd at %s failed: %s (check --cacert)", ep, tlsReason(cv.Error()))
	case strings.Contains(s, "certificate required") || (c.Cert == "" && strings.Contains(s, "remote error: tls:")):
		return c.Lang.Err("TLS with etcd at %s failed: the server requires a client certificate (pass --cert and --key)", ep)
	case strings.Contains(s, "remote error: tls:"):
		return c.Lang.Err("TLS with etcd at %s failed: the server refused our certificate (%s): check --cert and --key", ep, s[strings.Index(s, "tls:"):])
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		return nil // too slow to tell; say nothing rather than guess
	}
	return c.Lang.Err("TLS with etcd at %s failed: %s (check --cacert, --cert, --key and the scheme in --endpoints)", ep, tlsReason(err.Error()))
}

// dialReason is the heart of a dial error: "connection refused", "no such
// host", "i/o timeout".
func dialReason(err error) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return "no such host " + dnsErr.Name
	}
	var sysErr *os.SyscallError
	if errors.As(err, &sysErr) {
		return sysErr.Err.Error()
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return "no answer"
	}
	return err.Error()
}

// tlsReason is the x509 part of a TLS error, without Go's parenthesized
// detail and quoted names.
func tlsReason(s string) string {
	if i := strings.Index(s, "x509: "); i >= 0 {
		s = s[i:]
	} else if i := strings.Index(s, "tls: "); i >= 0 {
		s = s[i:]
	}
	s = strings.SplitN(s, " (possibly", 2)[0]
	return strings.TrimRight(strings.SplitN(s, "\"", 2)[0], ` ,;:`)
}
