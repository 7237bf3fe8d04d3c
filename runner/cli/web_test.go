//go:build linux

package cli

import (
	"bufio"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

var webURL = regexp.MustCompile(`http://127\.0\.0\.1:\d+/\?token=([0-9a-f]+)`)

// TestWebStep: run --step --web on a terminal prints the page's address;
// the page's control request without the presenter's token is refused,
// with it it answers the step prompt as Enter does; the page's stream
// shows the next prompt; q quits as ever. (runner/web's tests drive the
// page itself in a browser.)
func TestWebStep(t *testing.T) {
	t.Parallel()
	cmd, ptmx, _, out := onTerminal(t, "--step", "run", "put-get", "--web")
	out.waitFor(t, "· Enter runs it", 1)
	m := webURL.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no page address:\n%s", out)
	}
	base := strings.SplitN(m[0], "?", 2)[0]
	client := &http.Client{Timeout: 30 * time.Second}
	next := func(token string) int {
		req, _ := http.NewRequest("POST", base+"next", nil)
		if token != "" {
			req.Header.Set("X-Token", token)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tok := range []string{"", "00" + m[1][2:]} {
		if code := next(tok); code != http.StatusForbidden {
			t.Errorf("control request with token %q: %d, want 403", tok, code)
		}
	}
	if strings.Contains(out.String(), "1. Put a key") {
		t.Fatalf("step 1 ran without the token:\n%s", out)
	}
	if code := next(m[1]); code != http.StatusOK {
		t.Fatalf("the presenter's control request: %d, want 200", code)
	}
	out.waitFor(t, "1. Put a key", 1)
	out.waitFor(t, "· Enter runs it", 2)
	// The page's stream: the prompt before step 2.
	resp, err := client.Get(base + "events")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	found := false
	for !found && sc.Scan() {
		found = strings.HasPrefix(sc.Text(), "data: ") && strings.Contains(sc.Text(), `"step":2,"title":"Get it back"`)
	}
	if !found {
		t.Errorf("the page's stream never showed the prompt before step 2 (%v)", sc.Err())
	}
	ptmx.Write([]byte("q\r"))
	if code := wait(t, cmd); code != 130 {
		t.Errorf("exit %d after q, want 130\n%s", code, out)
	}
	resp.Body.Close() // ended by the server as etcdtour exits
}

// TestWebFlags: --web takes an address after it or with =, and without
// one listens on a free loopback port; --open needs --web.
func TestWebFlags(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	r := runBinary(t, bin, nil, "run", "put-get", "--web", "127.0.0.1:0", "--json")
	if r.code != 0 || !strings.Contains(r.stderr, "live picture: http://127.0.0.1:") {
		t.Errorf("--web 127.0.0.1:0: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "put-get", "--open"}, "--open needs --web"},
		{[]string{"run", "put-get", "--web=nonsense"}, `invalid value "nonsense" for flag --web`},
	} {
		r := runBinary(t, bin, nil, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
}
