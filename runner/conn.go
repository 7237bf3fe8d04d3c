package runner

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
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
}

func (c Conn) withDefaults() Conn {
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
		return errors.New("no endpoint given: pass --endpoints host:port")
	}
	for _, ep := range c.Endpoints {
		if err := checkEndpoint(ep); err != nil {
			return err
		}
	}
	if c.User != "" {
		name, pass, hasPass := strings.Cut(c.User, ":")
		if name == "" {
			return fmt.Errorf("--user %q has no user name: use --user NAME or NAME:PASSWORD", c.User)
		}
		if !hasPass && c.Password == "" {
			return fmt.Errorf("--user %q has no password: use --user %s:PASSWORD or --password", name, name)
		}
		_ = pass
	} else if c.Password != "" {
		return errors.New("--password given without --user: add --user NAME")
	}
	if (c.Cert == "") != (c.Key == "") {
		return errors.New("--cert and --key go together: give both or neither")
	}
	for _, f := range []struct{ flag, path string }{{"--cacert", c.CACert}, {"--cert", c.Cert}, {"--key", c.Key}} {
		if f.path == "" {
			continue
		}
		if _, err := os.ReadFile(f.path); err != nil {
			return fmt.Errorf("%s %s: cannot read it: %v", f.flag, f.path, unwrapPathError(err))
		}
	}
	return nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func checkEndpoint(ep string) error {
	hostport := ep
	if strings.Contains(ep, "://") {
		u, err := url.Parse(ep)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "unix" && u.Scheme != "unixs") {
			return fmt.Errorf("endpoint %q is malformed: want host:port or http(s)://host:port", ep)
		}
		if u.Scheme == "unix" || u.Scheme == "unixs" {
			return nil
		}
		hostport = u.Host
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil || port == "" {
		return fmt.Errorf("endpoint %q is malformed: want host:port or http(s)://host:port", ep)
	}
	_ = host
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
		return nil, fmt.Errorf("TLS setup: %w", err)
	}
	return cfg, nil
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

func (c Conn) client() (*clientv3.Client, error) {
	cc, err := c.clientConfig()
	if err != nil {
		return nil, err
	}
	return clientv3.New(cc)
}

// connect opens a client and proves, within the dial timeout, that the
// cluster answers and that the user may read and write prefix. It returns
// the server's version.
func (c Conn) connect(ctx context.Context, prefix string) (*clientv3.Client, string, error) {
	if err := c.Check(); err != nil {
		return nil, "", err
	}
	cli, err := c.client()
	if err != nil {
		return nil, "", c.explain(err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.DialTimeout)
	defer cancel()
	var st *clientv3.StatusResponse
	for _, ep := range c.Endpoints {
		if st, err = cli.Status(ctx, ep); err == nil {
			break
		}
	}
	if err == nil {
		// A write-free probe of the user's rights on the prefix.
		_, err = cli.Get(ctx, prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
	}
	if err != nil {
		cli.Close()
		return nil, "", c.explain(err)
	}
	return cli, st.Version, nil
}

// explain turns a client error into one line saying what went wrong and
// what to do.
func (c Conn) explain(err error) error {
	eps := strings.Join(c.Endpoints, ",")
	user, _, _ := strings.Cut(c.User, ":")
	s := err.Error()
	switch {
	case errors.Is(err, rpctypes.ErrAuthFailed) || strings.Contains(s, rpctypes.ErrAuthFailed.Error()):
		return fmt.Errorf("etcd at %s rejected user %q: wrong user name or password (check --user and --password)", eps, user)
	case errors.Is(err, rpctypes.ErrPermissionDenied) || strings.Contains(s, "permission denied"):
		return fmt.Errorf("user %q may not read and write the course's prefix on %s: grant it a role with readwrite on the prefix, or pick another --prefix", user, eps)
	case errors.Is(err, rpctypes.ErrUserEmpty) || strings.Contains(s, "user name is empty"):
		return fmt.Errorf("etcd at %s has authentication enabled: pass --user NAME:PASSWORD", eps)
	case strings.Contains(s, "x509") || strings.Contains(s, "certificate"):
		return fmt.Errorf("TLS with etcd at %s failed: %s (check --cacert, --cert, --key)", eps, tlsReason(s))
	case strings.Contains(s, "authentication handshake failed") || strings.Contains(s, "tls:"):
		return fmt.Errorf("TLS with etcd at %s failed (is it serving https? check the scheme in --endpoints and --cacert)", eps)
	case errors.Is(err, context.DeadlineExceeded) || status.Code(err) == codes.DeadlineExceeded || status.Code(err) == codes.Unavailable:
		return fmt.Errorf("cannot reach etcd at %s within %v: is it running, and is the address right? (check --endpoints, --dial-timeout)", eps, c.DialTimeout)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("interrupted while connecting to etcd at %s", eps)
	}
	return fmt.Errorf("etcd at %s: %v", eps, err)
}

func tlsReason(s string) string {
	if i := strings.Index(s, "x509: "); i >= 0 {
		s = s[i:]
	}
	return strings.TrimRight(strings.SplitN(s, "\"", 2)[0], ` ,;:`)
}
