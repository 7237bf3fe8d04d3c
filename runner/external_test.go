package runner_test

// The runner against real servers reached only through etcdconn.Conn, as a
// user's cluster is (the whole course runs on them in the lessons package):
// the fixture lessons (fixtures_test.go) with
// auth, with TLS, with an endpoint down, interrupted and twice at once;
// every bad input's one-line message; and proof that a run, whole or
// interrupted, leaves the rest of the cluster as it found it.

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
	"etcdtour/runner/etcdconn"
	"etcdtour/runner/runnertest"
)

// mustPass runs course against conn and fails t unless every lesson of it
// passed.
func mustPass(t *testing.T, conn etcdconn.Conn, course []runner.Lesson) {
	t.Helper()
	sum, rec := runnertest.Run(t, runner.Config{Conn: conn}, course...)
	if len(sum.Lessons) != len(course) {
		t.Errorf("%d lessons in the summary, want %d", len(sum.Lessons), len(course))
	}
	runnertest.MustPass(t, sum, rec)
}

// connErr connects with conn, running no lesson, and returns the error
// runner.Run gave, failing t if there was none or it is not one line.
func connErr(t *testing.T, conn etcdconn.Conn) string {
	t.Helper()
	start := time.Now()
	_, _, err := runnertest.Try(context.Background(), t, runner.Config{Conn: conn})
	if err == nil {
		t.Fatalf("runner.Run with %+v: no error", conn)
	}
	msg := err.Error()
	t.Logf("after %v: %s", time.Since(start).Round(10*time.Millisecond), msg)
	if strings.Contains(msg, "\n") {
		t.Errorf("message is not one line: %q", msg)
	}
	return msg
}

// mustMention fails t unless msg contains every one of words.
func mustMention(t *testing.T, msg string, words ...string) {
	t.Helper()
	for _, w := range words {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q does not mention %q", msg, w)
		}
	}
}

// enableAuth adds root (role root), alice with readwrite on exactly the
// default prefix, carol who may only read it, and bob with rights only
// elsewhere, then turns auth on.
func enableAuth(t *testing.T, cli *clientv3.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	prefixEnd := clientv3.GetPrefixRangeEnd(runner.DefaultPrefix)
	steps := []struct {
		what string
		do   func() error
	}{
		{"add root", func() error { _, err := cli.UserAdd(ctx, "root", "rootpw"); return err }},
		{"grant root", func() error { _, err := cli.UserGrantRole(ctx, "root", "root"); return err }},
		{"add role tour", func() error { _, err := cli.RoleAdd(ctx, "tour"); return err }},
		{"role tour readwrite on the prefix", func() error {
			_, err := cli.RoleGrantPermission(ctx, "tour", runner.DefaultPrefix, prefixEnd, clientv3.PermissionType(clientv3.PermReadWrite))
			return err
		}},
		{"add alice", func() error { _, err := cli.UserAdd(ctx, "alice", "alicepw"); return err }},
		{"grant alice", func() error { _, err := cli.UserGrantRole(ctx, "alice", "tour"); return err }},
		{"add role elsewhere", func() error { _, err := cli.RoleAdd(ctx, "elsewhere"); return err }},
		{"role elsewhere readwrite on /app/", func() error {
			_, err := cli.RoleGrantPermission(ctx, "elsewhere", "/app/", clientv3.GetPrefixRangeEnd("/app/"), clientv3.PermissionType(clientv3.PermReadWrite))
			return err
		}},
		{"add role reader", func() error { _, err := cli.RoleAdd(ctx, "reader"); return err }},
		{"role reader read on the prefix", func() error {
			_, err := cli.RoleGrantPermission(ctx, "reader", runner.DefaultPrefix, prefixEnd, clientv3.PermissionType(clientv3.PermRead))
			return err
		}},
		{"add carol", func() error { _, err := cli.UserAdd(ctx, "carol", "carolpw"); return err }},
		{"grant carol", func() error { _, err := cli.UserGrantRole(ctx, "carol", "reader"); return err }},
		{"add bob", func() error { _, err := cli.UserAdd(ctx, "bob", "bobpw"); return err }},
		{"grant bob", func() error { _, err := cli.UserGrantRole(ctx, "bob", "elsewhere"); return err }},
		{"auth enable", func() error { _, err := cli.AuthEnable(ctx); return err }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
	}
}

// TestAuth runs the fixture lessons on a server with authentication enabled,
// as each kind of user, and checks the message for each wrong credential.
func TestAuth(t *testing.T) {
	t.Parallel()
	o := serverOpts{Fast: true}
	s := startServer(t, o)
	t.Logf("server: %s at %s", s.Kind, s.Endpoint)
	enableAuth(t, admin(t, s, o, "", ""))
	eps := []string{s.Endpoint}
	quick := 2 * time.Second

	root := admin(t, s, o, "root", "rootpw")
	before := runnertest.ReadKeyspace(t, root)
	t.Run("lessons", func(t *testing.T) {
		t.Run("user name:password", func(t *testing.T) {
			t.Parallel()
			mustPass(t, etcdconn.Conn{Endpoints: eps, User: "root:rootpw"}, fixtureCourse())
		})
		t.Run("user and password", func(t *testing.T) {
			t.Parallel()
			mustPass(t, etcdconn.Conn{Endpoints: eps, User: "root", Password: "rootpw"}, fixtureCourse())
		})
		t.Run("user with readwrite on the prefix only", func(t *testing.T) {
			t.Parallel()
			mustPass(t, etcdconn.Conn{Endpoints: eps, User: "alice:alicepw"}, fixtureCourse())
		})
	})
	// The clean-up, done with each user's own rights, left nothing.
	runnertest.SameKeyspace(t, root, before)

	t.Run("wrong password", func(t *testing.T) {
		t.Parallel()
		msg := connErr(t, etcdconn.Conn{Endpoints: eps, User: "root:nope", DialTimeout: quick})
		mustMention(t, msg, `"root"`, "password", s.Endpoint)
	})
	t.Run("wrong password, separate flag", func(t *testing.T) {
		t.Parallel()
		msg := connErr(t, etcdconn.Conn{Endpoints: eps, User: "root", Password: "nope", DialTimeout: quick})
		mustMention(t, msg, `"root"`, "password")
	})
	t.Run("unknown user", func(t *testing.T) {
		t.Parallel()
		msg := connErr(t, etcdconn.Conn{Endpoints: eps, User: "mallory:pw", DialTimeout: quick})
		mustMention(t, msg, `"mallory"`, "user name or password")
	})
	t.Run("user without password", func(t *testing.T) {
		t.Parallel()
		conn := etcdconn.Conn{Endpoints: eps, User: "root", DialTimeout: quick}
		err := conn.Check()
		if err == nil {
			t.Fatal("Check: no error for a user without a password")
		}
		mustMention(t, err.Error(), "root", "password")
		mustMention(t, connErr(t, conn), "password")
	})
	t.Run("empty password", func(t *testing.T) {
		t.Parallel()
		// The client would drop the user and connect unauthenticated.
		msg := connErr(t, etcdconn.Conn{Endpoints: eps, User: "alice:", DialTimeout: quick})
		mustMention(t, msg, `"alice"`, "no password")
	})
	t.Run("password twice", func(t *testing.T) {
		t.Parallel()
		msg := connErr(t, etcdconn.Conn{Endpoints: eps, User: "alice:alicepw", Password: "other", DialTimeout: quick})
		mustMention(t, msg, "alice", "--password", "once")
	})
	t.Run("no user", func(t *testing.T) {
		t.Parallel()
		msg := connErr(t, etcdconn.Conn{Endpoints: eps, DialTimeout: quick})
		mustMention(t, msg, "authentication", "--user")
	})
	t.Run("no permission on the prefix", func(t *testing.T) {
		t.Parallel()
		msg := connErr(t, etcdconn.Conn{Endpoints: eps, User: "bob:bobpw", DialTimeout: quick})
		mustMention(t, msg, `"bob"`, "may not read and write /etcdtour/", "etcdctl role grant-permission", "--prefix")
	})
	t.Run("read-only permission on the prefix", func(t *testing.T) {
		t.Parallel()
		msg := connErr(t, etcdconn.Conn{Endpoints: eps, User: "carol:carolpw", DialTimeout: quick})
		mustMention(t, msg, `"carol"`, "may not read and write /etcdtour/", "--prefix")
	})
}

// TestAuthTokenIdle: a presenter pauses at a --step prompt longer than the
// server's auth token lives unused. The client then fails every call with
// the stale token until its deadline (etcd-io/etcd#12549), so the lesson and
// its clean-up failed. While paused, the runner keeps each client's token in
// use.
func TestAuthTokenIdle(t *testing.T) {
	t.Parallel()
	o := serverOpts{Fast: true, AuthTokenTTL: 1}
	s := startServer(t, o)
	enableAuth(t, admin(t, s, o, "", ""))
	root := admin(t, s, o, "root", "rootpw")
	before := runnertest.ReadKeyspace(t, root)
	sum, rec := runnertest.Run(t, runner.Config{
		Conn: etcdconn.Conn{Endpoints: []string{s.Endpoint}, User: "alice:alicepw", CommandTimeout: 2 * time.Second},
		Pause: func(ctx context.Context, lesson string, step int, title string) bool {
			if step == 2 {
				// The presenter's pause: longer than the token's TTL plus
				// the server's 1 s expiry tick. Time passing is what is
				// under test here; there is no event to wait for.
				select {
				case <-time.After(2500 * time.Millisecond):
				case <-ctx.Done():
				}
			}
			return true
		},
	}, lesson("kv", kvLesson), lesson("lease", leaseLesson)) // lease: paused with a lease held
	if !sum.OK() {
		t.Errorf("lessons with pauses longer than the auth token's TTL:\n%s", rec.String())
	}
	// A new client: root's own token went stale while the lesson ran.
	runnertest.SameKeyspace(t, admin(t, s, o, "root", "rootpw"), before)
}

// TestTLS runs the fixture lessons over https, with and without a client
// certificate, and checks the message for each wrong TLS setting.
func TestTLS(t *testing.T) {
	t.Parallel()
	c := runnertest.NewCerts(t)
	other := runnertest.NewCerts(t) // a CA that did not sign the server's certificate
	tlsOpts := serverOpts{TLS: c, Fast: true}
	https := startServer(t, tlsOpts)
	mtlsOpts := serverOpts{TLS: c, ClientCertAuth: true, Fast: true}
	mtls := startServer(t, mtlsOpts)
	plain := startServer(t, serverOpts{Fast: true})
	t.Logf("servers: %s at %s, %s, plain %s", https.Kind, https.Endpoint, mtls.Endpoint, plain.Endpoint)
	hostport := strings.TrimPrefix(https.Endpoint, "https://")
	quick := 2 * time.Second

	t.Run("https with --cacert", func(t *testing.T) {
		t.Parallel()
		mustPass(t, etcdconn.Conn{Endpoints: []string{https.Endpoint}, CACert: c.CA}, fixtureCourse())
	})
	t.Run("client certificate", func(t *testing.T) {
		t.Parallel()
		mustPass(t, etcdconn.Conn{Endpoints: []string{mtls.Endpoint}, CACert: c.CA, Cert: c.ClientCert, Key: c.ClientKey}, fixtureCourse())
	})
	t.Run("host:port with --cacert uses TLS", func(t *testing.T) {
		t.Parallel()
		runnertest.Run(t, runner.Config{Conn: etcdconn.Conn{Endpoints: []string{hostport}, CACert: c.CA, DialTimeout: quick}})
	})
	t.Run("--insecure-skip-tls-verify", func(t *testing.T) {
		t.Parallel()
		runnertest.Run(t, runner.Config{Conn: etcdconn.Conn{Endpoints: []string{https.Endpoint}, InsecureSkipVerify: true, DialTimeout: quick}})
	})
	t.Run("wrong CA", func(t *testing.T) {
		t.Parallel()
		msg := connErr(t, etcdconn.Conn{Endpoints: []string{https.Endpoint}, CACert: other.CA, DialTimeout: quick})
		mustMention(t, msg, "TLS", "certificate", "--cacert", https.Endpoint)
	})
	t.Run("wrong CA, with a user", func(t *testing.T) {
		t.Parallel() // the client fails while fetching a token, before Status
		msg := connErr(t, etcdconn.Conn{Endpoints: []string{https.Endpoint}, CACert: other.CA, User: "root:pw", DialTimeout: quick})
		mustMention(t, msg, "TLS", "certificate", "--cacert", https.Endpoint)
	})
	t.Run("no CA", func(t *testing.T) {
		t.Parallel()
		msg := connErr(t, etcdconn.Conn{Endpoints: []string{https.Endpoint}, DialTimeout: quick})
		mustMention(t, msg, "TLS", "certificate", "--cacert")
	})
	t.Run("no client certificate", func(t *testing.T) {
		t.Parallel()
		msg := connErr(t, etcdconn.Conn{Endpoints: []string{mtls.Endpoint}, CACert: c.CA, DialTimeout: quick})
		mustMention(t, msg, "TLS", "requires a client certificate", "--cert", "--key")
	})
	t.Run("client certificate from another CA", func(t *testing.T) {
		t.Parallel()
		msg := connErr(t, etcdconn.Conn{Endpoints: []string{mtls.Endpoint}, CACert: c.CA,
			Cert: other.ClientCert, Key: other.ClientKey, DialTimeout: quick})
		mustMention(t, msg, "TLS", "refused our certificate", "--cert")
	})
	t.Run("https endpoint, plain server", func(t *testing.T) {
		t.Parallel()
		msg := connErr(t, etcdconn.Conn{Endpoints: []string{"https://" + plain.Endpoint}, CACert: c.CA, DialTimeout: quick})
		mustMention(t, msg, "TLS", "https", "http://"+plain.Endpoint)
	})
	t.Run("http endpoint, https server", func(t *testing.T) {
		t.Parallel()
		msg := connErr(t, etcdconn.Conn{Endpoints: []string{"http://" + hostport}, DialTimeout: quick})
		mustMention(t, msg, "serves https", "https://"+hostport)
	})
	t.Run("host:port without TLS options, https server", func(t *testing.T) {
		t.Parallel()
		msg := connErr(t, etcdconn.Conn{Endpoints: []string{hostport}, DialTimeout: quick})
		mustMention(t, msg, "serves https", "https://"+hostport)
	})
	for _, f := range []struct {
		flag string
		conn etcdconn.Conn
	}{
		{"--cacert", etcdconn.Conn{CACert: filepath.Join(t.TempDir(), "missing-ca.pem")}},
		{"--cert", etcdconn.Conn{CACert: c.CA, Cert: filepath.Join(t.TempDir(), "missing.pem"), Key: c.ClientKey}},
		{"--key", etcdconn.Conn{CACert: c.CA, Cert: c.ClientCert, Key: filepath.Join(t.TempDir(), "missing-key.pem")}},
	} {
		t.Run("missing "+f.flag+" file", func(t *testing.T) {
			t.Parallel()
			f.conn.Endpoints = []string{https.Endpoint}
			missing := f.conn.CACert
			if f.flag == "--cert" {
				missing = f.conn.Cert
			} else if f.flag == "--key" {
				missing = f.conn.Key
			}
			err := f.conn.Check()
			if err == nil {
				t.Fatalf("Check: no error for a missing %s file", f.flag)
			}
			mustMention(t, err.Error(), f.flag, missing)
		})
	}
	t.Run("unreadable --cacert file", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir() // a directory is not a file Check can read
		err := etcdconn.Conn{Endpoints: []string{https.Endpoint}, CACert: dir}.Check()
		if err == nil {
			t.Fatal("Check: no error for a --cacert that is a directory")
		}
		mustMention(t, err.Error(), "--cacert", dir)
	})
	t.Run("--cacert not a certificate", func(t *testing.T) {
		t.Parallel()
		err := etcdconn.Conn{Endpoints: []string{https.Endpoint}, CACert: c.ServerKey}.Check()
		if err == nil {
			t.Fatal("Check: no error for a --cacert holding a key")
		}
		mustMention(t, err.Error(), "--cacert", c.ServerKey)
	})
	t.Run("--cert and --key that do not match", func(t *testing.T) {
		t.Parallel()
		err := etcdconn.Conn{Endpoints: []string{https.Endpoint}, CACert: c.CA, Cert: c.ClientCert, Key: other.ClientKey}.Check()
		if err == nil {
			t.Fatal("Check: no error for a key that is not the certificate's")
		}
		mustMention(t, err.Error(), "--cert", c.ClientCert, "--key", other.ClientKey)
	})
}

// TestUnreachable checks that a server nobody serves is named in one line.
func TestUnreachable(t *testing.T) {
	t.Parallel()
	for _, conn := range []etcdconn.Conn{
		{Endpoints: []string{"127.0.0.1:1"}, DialTimeout: 2 * time.Second},
		{Endpoints: []string{"no-such-host.invalid:2379"}, DialTimeout: 2 * time.Second},
		{Endpoints: []string{"127.0.0.1:1"}, DialTimeout: 2 * time.Second, User: "root:pw"},
		{Endpoints: []string{"https://127.0.0.1:1"}, DialTimeout: 2 * time.Second},
	} {
		t.Run(fmt.Sprintf("%s user=%q", conn.Endpoints[0], conn.User), func(t *testing.T) {
			t.Parallel()
			msg := connErr(t, conn)
			mustMention(t, msg, conn.Endpoints[0], "--endpoints")
		})
	}
}

// TestFirstEndpointDown: with one endpoint of several down, the lessons run
// on the others, as etcdctl does, instead of failing the connection check
// after the whole dial timeout; and a lesson's client still has both.
func TestFirstEndpointDown(t *testing.T) {
	t.Parallel()
	ep := runnertest.Server(t).Endpoint()
	sum, rec := runnertest.Run(t, runner.Config{
		Conn: etcdconn.Conn{Endpoints: []string{"127.0.0.1:1", ep},
			DialTimeout: 2 * time.Second, CommandTimeout: time.Second},
	}, []runner.Lesson{lesson("status", statusLesson), lesson("kv", kvLesson)}...)
	if !sum.OK() {
		t.Errorf("not OK with one endpoint of two down:\n%s", rec.String())
	}
	if out := rec.String(); !strings.Contains(out, "127.0.0.1:1: ") || !strings.Contains(out, ep+": version=") {
		t.Errorf("the status lesson does not show each endpoint's status:\n%s", out)
	}
}

// TestNotEtcd checks the message when something else answers on the port.
func TestNotEtcd(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	ep := strings.TrimPrefix(srv.URL, "http://")
	msg := connErr(t, etcdconn.Conn{Endpoints: []string{ep}, DialTimeout: 2 * time.Second})
	mustMention(t, msg, ep, "is it etcd")
}

// TestSilentServer: a server that accepts connections and never answers is
// reported within the dial timeout plus half a second (docs/cluster.md),
// diagnosis included. Not parallel: the bound is tight by design, and the
// other tests of the package would only make it slower to measure.
func TestSilentServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c) // never read, never answered
		}
	}()
	defer func() {
		l.Close()
		<-accepted
		for _, c := range held {
			c.Close()
		}
	}()
	const dial = 2 * time.Second
	start := time.Now()
	msg := connErr(t, etcdconn.Conn{Endpoints: []string{l.Addr().String()}, DialTimeout: dial})
	took := time.Since(start)
	mustMention(t, msg, l.Addr().String(), "did not answer as etcd within 2s")
	if took > dial+500*time.Millisecond {
		t.Errorf("reported after %v, more than the dial timeout %v plus 500ms", took.Round(time.Millisecond), dial)
	}
}

// TestMalformedEndpoint checks that Check rejects what is not an address,
// including the article's key-as-endpoint.
func TestMalformedEndpoint(t *testing.T) {
	t.Parallel()
	for _, ep := range []string{"localhost", "http://", "a:b:c", "/name", "ftp://127.0.0.1:2379", "127.0.0.1:", "http//127.0.0.1:2379"} {
		t.Run(ep, func(t *testing.T) {
			err := etcdconn.Conn{Endpoints: []string{ep}}.Check()
			if err == nil {
				t.Fatalf("Check(%q): no error", ep)
			}
			mustMention(t, err.Error(), ep)
		})
	}
	for _, ep := range []string{"127.0.0.1:2379", "localhost:2379", "http://127.0.0.1:2379", "https://etcd.example:2379", "[::1]:2379"} {
		if err := (etcdconn.Conn{Endpoints: []string{ep}}).Check(); err != nil {
			t.Errorf("Check(%q): %v", ep, err)
		}
	}
}

// TestNothingLost runs the fixture lessons, whole and interrupted at
// several points, on a server holding other keys, and checks the server is
// left exactly as it was found. (lessons.TestCourseThreeMembers checks
// the same of the whole course.) The server is the test's own: the comparison covers
// everything a server holds.
func TestNothingLost(t *testing.T) {
	t.Parallel()
	srv := runnertest.OwnServer(t)
	conn := etcdconn.Conn{Endpoints: []string{srv.Endpoint()}}
	cli := admin(t, server{Endpoint: srv.Endpoint()}, serverOpts{}, "", "")
	runnertest.Fill(t, cli)
	before := runnertest.ReadKeyspace(t, cli)
	course := fixtureCourse()

	t.Run("whole", func(t *testing.T) {
		mustPass(t, conn, course)
		runnertest.SameKeyspace(t, cli, before)
	})

	ids := make([]string, len(course))
	for i, l := range course {
		ids[i] = l.ID
	}
	for _, c := range []struct {
		name   string
		lesson string
		at     func(runner.Event) bool
	}{
		{"lease, after granting", "lease", func(e runner.Event) bool {
			return e.Kind == runner.KindResult && e.Step == 1
		}},
		{"keepalive, while renewing", "keepalive", func(e runner.Event) bool {
			return e.Kind == runner.KindWait
		}},
		{"lock, while session 2 waits", "lock", func(e runner.Event) bool {
			return e.Kind == runner.KindWait
		}},
		{"watch, while watching a prefix", "watch", func(e runner.Event) bool {
			return e.Kind == runner.KindEtcdctl && e.Step == 2 && strings.Contains(e.Text, " put ")
		}},
		{"kv, with keys written", "kv", func(e runner.Event) bool {
			return e.Kind == runner.KindEtcdctl && e.Step == 3
		}},
	} {
		t.Run("interrupted in "+c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			rec := &runnertest.Recorder{}
			var once sync.Once
			fired := false
			rep := reporterFunc(func(e runner.Event) {
				rec.Report(e)
				if e.Lesson == c.lesson && c.at(e) {
					once.Do(func() { fired = true; cancel() })
				}
			})
			sum, _ := runnertest.RunContext(ctx, t, runner.Config{Conn: conn, Reporter: rep}, course...)
			if !fired {
				t.Fatalf("the run never reached the interruption point:\n%s", rec.String())
			}
			at := slices.Index(ids, c.lesson)
			var got, want []string
			for i, r := range sum.Lessons {
				got = append(got, r.ID+":"+string(r.Status))
				st := runner.StatusPassed
				if i == at {
					st = runner.StatusInterrupted
				} else if i > at {
					st = runner.StatusNotRun
				}
				want = append(want, ids[i]+":"+string(st))
			}
			if !slices.Equal(got, want) || !sum.Interrupted || sum.OK() {
				t.Errorf("summary %v (interrupted=%v), want %v (interrupted=true)\n%s", got, sum.Interrupted, want, rec.String())
			}
			runnertest.SameKeyspace(t, cli, before)
		})
	}
}

type reporterFunc func(runner.Event)

func (f reporterFunc) Report(e runner.Event) { f(e) }

// TestConcurrentRuns runs the fixture lessons twice at once on one server,
// with the default prefix, the same lesson of both runs at the same time:
// both pass, each in its own sub-prefix. The server is the test's own: the
// test replays every change the server saw.
func TestConcurrentRuns(t *testing.T) {
	t.Parallel()
	srv := runnertest.OwnServer(t)
	cli := admin(t, server{Endpoint: srv.Endpoint()}, serverOpts{}, "", "")
	before := runnertest.ReadKeyspace(t, cli)
	first := runnertest.Revision(t, cli) + 1

	step := newLockstep(2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			defer step.done()
			t.Run(fmt.Sprintf("run %d", i+1), func(t *testing.T) {
				rec := &runnertest.Recorder{}
				sum, _ := runnertest.Run(t, runner.Config{
					Conn:     etcdconn.Conn{Endpoints: []string{srv.Endpoint()}},
					Reporter: step.reporter(rec),
				}, fixtureCourse()...)
				if !sum.OK() {
					t.Errorf("the run was not OK:\n%s", rec.String())
				}
			})
		})
	}
	wg.Wait()
	last := runnertest.Revision(t, cli)

	// Replay every change the two runs made, to see whose keys they touched.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	wch := cli.Watch(ctx, "\x00", clientv3.WithFromKey(), clientv3.WithRev(first))
	runPrefix := regexp.MustCompile(`^` + regexp.QuoteMeta(runner.DefaultPrefix) + `[^/]+/`)
	runs := map[string]int{}
	for rev := first; rev <= last; {
		resp, ok := <-wch
		if !ok || resp.Err() != nil {
			t.Fatalf("replaying revisions %d to %d: stopped at %d: %v", first, last, rev, resp.Err())
		}
		for _, ev := range resp.Events {
			rev = ev.Kv.ModRevision + 1
			p := runPrefix.FindString(string(ev.Kv.Key))
			if p == "" {
				t.Errorf("a run changed %q, outside %s", ev.Kv.Key, runner.DefaultPrefix+"RUNID/")
			}
			runs[p]++
		}
	}
	if len(runs) != 2 {
		t.Errorf("changes in %d run prefixes, want 2: %v", len(runs), runs)
	}
	t.Logf("changes per run prefix: %v", runs)
	runnertest.SameKeyspace(t, cli, before)
}
