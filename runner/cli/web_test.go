//go:build linux

package cli

import (
	"bufio"
	"io"
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

// TestWebPaged: on a terminal without --step the course pages, and the
// page shows a prompt only while the terminal waits at one: a "more"
// prompt, never the step prompt (a pause that does not wait shows
// nothing; before, every step flashed "paused before step N"). The
// presenter's Next answers each "more" prompt as Space does, and so
// drives the whole run to its end.
func TestWebPaged(t *testing.T) {
	t.Parallel()
	cmd, _, _, out := onTerminal(t, "run", "put-get", "--web")
	out.waitFor(t, "live picture: ", 1)
	var m []string
	deadline := time.Now().Add(time.Minute)
	for m = webURL.FindStringSubmatch(out.String()); m == nil; m = webURL.FindStringSubmatch(out.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("no page address:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	base := strings.SplitN(m[0], "?", 2)[0]
	client := &http.Client{Timeout: time.Minute}
	resp, err := client.Get(base + "events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	// The pages' prompts, in order ("null": none), until the stream ends.
	prompts := make(chan string, 100)
	go func() {
		defer close(prompts)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		pause := false
		for sc.Scan() {
			if l := sc.Text(); l == "event: pause" {
				pause = true
			} else if pause && strings.HasPrefix(l, "data: ") {
				prompts <- strings.TrimPrefix(l, "data: ")
				pause = false
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	limit := time.After(2 * time.Minute)
	answered := 0
	for {
		select {
		case <-limit:
			t.Fatalf("etcdtour still runs after 2 minutes, %d more prompts answered from the page:\n%s", answered, out)
		case p, ok := <-prompts:
			if !ok {
				prompts = nil // etcdtour ends the stream as it exits
				continue
			}
			if p == "null" {
				continue
			}
			if p != `{"more":true}` {
				t.Fatalf("without --step the page showed the prompt %s:\n%s", p, out)
			}
			// The terminal shows it too (the console tells the page once
			// it has written it; the test reads the terminal on its own).
			out.waitFor(t, "── more: ", answered+1)
			req, _ := http.NewRequest("POST", base+"next", nil)
			req.Header.Set("X-Token", m[1])
			r, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(r.Body)
			r.Body.Close()
			if r.StatusCode != http.StatusOK || string(body) != `{"ok":true}` {
				t.Fatalf("the presenter's Next at a more prompt: %d %s", r.StatusCode, body)
			}
			answered++
		case err := <-exited:
			if err != nil || answered == 0 {
				t.Fatalf("exit %v after %d more prompts answered from the page, want 0 after one or more:\n%s", err, answered, out)
			}
			return
		}
	}
}
