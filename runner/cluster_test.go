package runner_test

// Real servers for the tests: a Debian etcd process (runnertest's), an
// embedded server with TLS, and certificates. The tests themselves are in external_test.go; the
// package's TestMain (main_test.go) fails the run if a goroutine is left.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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
	TLS            *certs // serve https with TLS.Server*; nil means plain http
	ClientCertAuth bool   // require a client certificate signed by TLS.CA
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
		co.ClientTLS = o.TLS.clientConfig(t, o.ClientCertAuth)
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

// certs are PEM files of a test CA and the certificates it signed.
type certs struct {
	CA                    string // the CA certificate
	ServerCert, ServerKey string // for 127.0.0.1 and localhost
	ClientCert, ClientKey string // CN=root, for client certificate auth
}

// newCerts writes a fresh CA, a server and a client certificate to a temp dir.
func newCerts(t testing.TB) *certs {
	t.Helper()
	dir := t.TempDir()
	caKey, caCert, caDER := newCA(t, "etcdtour test CA")
	c := &certs{
		CA:         filepath.Join(dir, "ca.pem"),
		ServerCert: filepath.Join(dir, "server.pem"),
		ServerKey:  filepath.Join(dir, "server-key.pem"),
		ClientCert: filepath.Join(dir, "client.pem"),
		ClientKey:  filepath.Join(dir, "client-key.pem"),
	}
	writePEM(t, c.CA, "CERTIFICATE", caDER)
	// etcd's gateway dials its own client port with the server certificate
	// when client certificates are required, so it serves for both.
	issue(t, caKey, caCert, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "etcd server"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:    []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}, c.ServerCert, c.ServerKey)
	issue(t, caKey, caCert, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "root"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, c.ClientCert, c.ClientKey)
	return c
}

var serial struct {
	sync.Mutex
	n int64
}

func nextSerial() *big.Int {
	serial.Lock()
	defer serial.Unlock()
	serial.n++
	return big.NewInt(time.Now().UnixNano() + serial.n)
}

func newCA(t testing.TB, name string) (*ecdsa.PrivateKey, *x509.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          nextSerial(),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert, der
}

func issue(t testing.TB, caKey *ecdsa.PrivateKey, ca, tmpl *x509.Certificate, certPath, keyPath string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = nextSerial()
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, certPath, "CERTIFICATE", der)
	writePEM(t, keyPath, "PRIVATE KEY", keyDER)
}

func writePEM(t testing.TB, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// clientConfig is what a test's own admin client uses to reach a TLS server.
func (c *certs) clientConfig(t testing.TB, withCert bool) *tls.Config {
	t.Helper()
	info := transport.TLSInfo{TrustedCAFile: c.CA}
	if withCert {
		info.CertFile, info.KeyFile = c.ClientCert, c.ClientKey
	}
	cfg, err := info.ClientConfig()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// admin opens a client for a test's own setup and checks, outside the
// runner. t.Cleanup closes it.
func admin(t testing.TB, s server, o serverOpts, user, pass string) *clientv3.Client {
	t.Helper()
	cfg := clientv3.Config{Endpoints: []string{s.Endpoint}, DialTimeout: 5 * time.Second,
		Username: user, Password: pass, Logger: zap.NewNop()}
	if o.TLS != nil {
		cfg.TLS = o.TLS.clientConfig(t, o.ClientCertAuth)
	}
	cli, err := clientv3.New(cfg)
	if err != nil {
		t.Fatalf("admin client for %s: %v", s.Endpoint, err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}
