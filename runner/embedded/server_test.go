package embedded

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// TestAddressInUse: etcd's embed, asked to listen where another program
// listens, returns an error that wraps EADDRINUSE, for clients and for
// peers; the retries of StartServer, StartCluster and a member's restart
// depend on it.
func TestAddressInUse(t *testing.T) {
	t.Parallel()
	for _, which := range []string{"client", "peer"} {
		t.Run(which, func(t *testing.T) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			taken, _ := url.Parse("http://" + l.Addr().String())
			free, err := freeLoopbackURL()
			if err != nil {
				t.Fatal(err)
			}
			other, _ := url.Parse(free)
			cfg := embed.NewConfig()
			cfg.Dir = t.TempDir()
			cfg.LogLevel = "error"
			cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*other}, []url.URL{*other}
			cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*taken}, []url.URL{*taken}
			if which == "client" {
				cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*taken}, []url.URL{*taken}
				cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*other}, []url.URL{*other}
			}
			cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
			e, err := embed.StartEtcd(cfg)
			if err == nil {
				e.Close()
				t.Fatalf("etcd started on %s, which is taken", taken.Host)
			}
			if !errors.Is(err, syscall.EADDRINUSE) {
				t.Errorf("etcd on a taken %s port: %v (%T), want it to wrap EADDRINUSE", which, err, err)
			}
		})
	}
}

// TestEmbeddedDiscard: Discard removes the temp dir of a running server (a
// second Ctrl-C exits without Close), and Close still works after it.
func TestEmbeddedDiscard(t *testing.T) {
	t.Parallel()
	srv, err := StartServer(ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := srv.Dir()
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("temp dir of a running server: %v", err)
	}
	srv.Discard()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("after Discard, %s: %v, want it gone", dir, err)
	}
	srv.Close()

	kept := t.TempDir()
	srv, err = StartServer(ServerOptions{DataDir: kept})
	if err != nil {
		t.Fatal(err)
	}
	srv.Discard()
	srv.Close()
	if _, err := os.Stat(filepath.Join(kept, "data")); err != nil {
		t.Errorf("Discard removed a data dir the user chose: %v", err)
	}
}

// TestEmbeddedDataDirKept: a DataDir the user keeps (serve --data-dir)
// survives a start that fails, and a second server on it is refused at once
// instead of waiting forever for the database's lock.
func TestEmbeddedDataDirKept(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv, err := StartServer(ServerOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{srv.Endpoint()}, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := cli.Put(ctx, "keep", "me"); err != nil {
		t.Fatal(err)
	}

	second, err := StartServer(ServerOptions{DataDir: dir, StartTimeout: 5 * time.Second})
	if err == nil {
		second.Close()
		t.Fatal("a second server started on a data dir in use")
	}
	if !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), dir) {
		t.Errorf("second server on %s: %v, want it named as in use", dir, err)
	}
	cli.Close()
	srv.Close()

	// A start that fails (its port is taken) must not take the data with it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if s, err := StartServer(ServerOptions{DataDir: dir, ClientURL: "http://" + l.Addr().String()}); err == nil {
		s.Close()
		t.Fatal("started on a taken port")
	} else if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("start on a taken port: %v, want it to wrap EADDRINUSE", err)
	}
	srv, err = StartServer(ServerOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cli2, err := clientv3.New(clientv3.Config{Endpoints: []string{srv.Endpoint()}, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer cli2.Close()
	resp, err := cli2.Get(ctx, "keep")
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "me" {
		t.Errorf("after a failed start, key keep = %v, want \"me\": the data dir lost its data", resp.Kvs)
	}
}
