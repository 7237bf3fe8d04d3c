package runner_test

// Real servers for the tests: a Debian etcd process (runnertest's), an
// embedded server with TLS, and certificates. The tests themselves are in external_test.go; the
// package's TestMain (main_test.go) fails the run if a goroutine is left.

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"etcdtour/runner/loopback"
	"etcdtour/runner/runnertest"
)

const debianInstall = "apt-get install -y etcd-server etcd-client"

// inCI reports whether the tests run in CI, where a missing etcd binary is a
// failure, not a reason to skip.
func inCI() bool { return os.Getenv("CI") == "true" }

// server is an etcd a test started, as a user would name it.
type server struct {
	Endpoint string // for --endpoints: host:port, or https://host:port with TLS
	Kind     string // "etcd binary /usr/bin/etcd" or "embedded"
}

// serverOpts configures a test server.
type serverOpts struct {
	TLS            *runnertest.Certs // serve https with TLS.Server*; nil means plain http
	ClientCertAuth bool              // require a client certificate signed by TLS.CA
	// Fast uses a 10 ms heartbeat and a 100 ms election timeout, as the
	// embedded server does, instead of etcd's defaults (100 ms, 1 s).
	Fast bool
	// AuthTokenTTL, in seconds, is how long an auth token lives unused
	// (etcd's default: 300).
	AuthTokenTTL uint
}

func (o serverOpts) scheme() string {
	if o.TLS != nil {
		return "https"
	}
	return "http"
}

// startServer starts Debian's etcd when it is on PATH (always in CI), and an
// embedded server configured the same way otherwise.
func startServer(t testing.TB, o serverOpts) server {
	t.Helper()
	if _, err := exec.LookPath("etcd"); err == nil || inCI() {
		return startEtcd(t, o)
	}
	t.Logf("etcd not on PATH (%s): using an embedded server", debianInstall)
	return startEmbed(t, o)
}

// startEtcd starts the etcd binary (runnertest.EtcdBinary) as a single
// member configured by o. t.Cleanup kills it.
func startEtcd(t testing.TB, o serverOpts) server {
	t.Helper()
	co := runnertest.ClusterOptions{Members: 1, AuthTokenTTL: o.AuthTokenTTL}
	if o.Fast {
		co.HeartbeatMs, co.ElectionMs = 10, 100
	}
	if o.TLS != nil {
		co.CertFile, co.KeyFile = o.TLS.ServerCert, o.TLS.ServerKey
		if o.ClientCertAuth {
			co.ClientCAFile = o.TLS.CA
		}
		co.ClientTLS = o.TLS.ClientConfig(t, o.ClientCertAuth)
	}
	c := runnertest.StartCluster(t, co)
	ep := c.Endpoint(0) // as most people write it
	if o.TLS != nil {
		ep = "https://" + ep
	}
	return server{Endpoint: ep, Kind: "etcd binary " + runnertest.EtcdBinary(t)}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// startEmbed starts an embedded server configured by o, unlike
// embedded.StartServer, which serves only plain http. t.Cleanup closes it.
func startEmbed(t testing.TB, o serverOpts) server {
	t.Helper()
	dir := t.TempDir()
	var logBuf runnertest.Buffer
	cfg := embed.NewConfig()
	cfg.Name = "etcdtour-test"
	cfg.Dir = filepath.Join(dir, "data")
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.New(zapcore.NewCore(
		zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(&logBuf), zap.InfoLevel)))
	cfg.UnsafeNoFsync = true
	// The cheapest password hash (bcrypt.MinCost): under the race detector
	// the default cost takes the in-process server most of a second per
	// client, starving the lessons' leases of CPU.
	cfg.BcryptCost = 4
	if o.Fast {
		cfg.TickMs, cfg.ElectionMs = 10, 100
	}
	if o.AuthTokenTTL > 0 {
		cfg.AuthTokenTTL = o.AuthTokenTTL
	}
	addr, err := loopback.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	cu, _ := url.Parse(o.scheme() + "://" + addr)
	pu, _ := url.Parse("http://127.0.0.1:0")
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	if o.TLS != nil {
		cfg.ClientTLSInfo = transport.TLSInfo{CertFile: o.TLS.ServerCert, KeyFile: o.TLS.ServerKey}
		if o.ClientCertAuth {
			cfg.ClientTLSInfo.TrustedCAFile, cfg.ClientTLSInfo.ClientCertAuth = o.TLS.CA, true
		}
	}
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		t.Fatalf("embedded etcd: %v\n%s", err, tail(logBuf.String(), 40))
	}
	t.Cleanup(e.Close)
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		t.Fatalf("embedded etcd stopped: %v\n%s", err, tail(logBuf.String(), 40))
	case <-time.After(30 * time.Second):
		t.Fatalf("embedded etcd not ready\n%s", tail(logBuf.String(), 40))
	}
	ep := cu.String()
	if o.TLS == nil {
		ep = cu.Host
	}
	return server{Endpoint: ep, Kind: "embedded"}
}

// admin opens a client for a test's own setup and checks, outside the
// runner. t.Cleanup closes it.
func admin(t testing.TB, s server, o serverOpts, user, pass string) *clientv3.Client {
	t.Helper()
	cfg := clientv3.Config{Endpoints: []string{s.Endpoint}, DialTimeout: 5 * time.Second,
		Username: user, Password: pass, Logger: zap.NewNop()}
	if o.TLS != nil {
		cfg.TLS = o.TLS.ClientConfig(t, o.ClientCertAuth)
	}
	cli, err := clientv3.New(cfg)
	if err != nil {
		t.Fatalf("admin client for %s: %v", s.Endpoint, err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}
