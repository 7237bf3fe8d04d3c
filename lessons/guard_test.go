package lessons_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLessonsUseOnlyTheirClient reads the lessons' source: a lesson talks
// to etcd only through t.Client and t.NewClient, which are namespaced and
// refuse cluster-wide calls. A client built from the raw connection would
// get around both, on a cluster that holds other people's keys.
func TestLessonsUseOnlyTheirClient(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for i, line := range strings.Split(string(b), "\n") {
			if m := forbidden(line); m != "" {
				t.Errorf("%s:%d: %s: lessons must use t.Client or t.NewClient", f, i+1, m)
			}
		}
	}
	if checked < 6 {
		t.Fatalf("read %d lesson files, want the course's", checked)
	}
}

// forbiddenRe matches the ways around a lesson's client: a client or a
// namespace of its own, the client's raw connection, a dial (gRPC's or
// any other), and etcd's raw gRPC stubs, which work on any connection.
var forbiddenRe = regexp.MustCompile(`clientv3\.New\w*\(|namespace\.New\w*\(|\.ActiveConnection\(|\.Dial\w*\(|grpc\.NewClient\(|etcdserverpb|\bpb\.New\w+Client\(`)

// etcdResolver is the one gRPC target a lesson may dial: the naming
// resolver's scheme, which reads the addresses of instances registered in
// etcd through the lesson's own client and dials them, not etcd.
const etcdResolver = `grpc.NewClient("etcd:///`

// forbidden returns what in a line of a lesson's source gets around its
// client, or "".
func forbidden(line string) string {
	for _, at := range forbiddenRe.FindAllStringIndex(line, -1) {
		if !strings.HasPrefix(line[at[0]:], etcdResolver) {
			return line[at[0]:at[1]]
		}
	}
	return ""
}

// TestGuardCatches shows that the guard above can fail: it flags each way
// around the lesson's client, and lets a gRPC server and the etcd:///
// resolver pass.
func TestGuardCatches(t *testing.T) {
	t.Parallel()
	for _, line := range []string{
		`c, err := clientv3.New(clientv3.Config{Endpoints: eps})`,
		`c.KV = namespace.NewKV(c.KV, "/")`,
		`conn := cli.ActiveConnection()`,
		`conn, err := grpc.Dial("127.0.0.1:2379")`,
		`conn, err := grpc.DialContext(ctx, t.Endpoints())`,
		`conn, err := grpc.NewClient(t.Endpoints(), opts...)`,
		`conn, err := grpc.NewClient("127.0.0.1:2379", opts...)`,
		`conn, err := grpc.NewClient("dns:///etcd:2379")`,
		`pb "go.etcd.io/etcd/api/v3/etcdserverpb"`,
		`kv := pb.NewKVClient(conn)`,
	} {
		if forbidden(line) == "" {
			t.Errorf("the guard lets through %s", line)
		}
	}
	for _, line := range []string{
		`srv := grpc.NewServer(grpc.UnaryInterceptor(count))`,
		`conn, err := grpc.NewClient("etcd:///services/health", grpc.WithResolvers(builder),`,
		`defer conn.Close()`,
	} {
		if m := forbidden(line); m != "" {
			t.Errorf("the guard refuses %s (%s)", line, m)
		}
	}
}
