//go:build unix

package web_test

// The page in Firefox, driven over WebDriver BiDi (Firefox's own remote
// protocol, a JSON-over-WebSocket one; chromedp speaks Chrome's). Not in
// CI: Firefox is a large install that only this test would need, and the
// page uses nothing that Chromium's tests do not cover but the browser's
// own rendering. Run it by hand before a release that changes the page:
//
//	ETCDTOUR_FIREFOX=1 go test -run TestFirefox ./runner/web
//
// (Debian: apt-get install firefox-esr.) ETCDTOUR_FIREFOX_SHOTS=DIR saves
// a screenshot of each look into DIR; with ETCDTOUR_SCREENSHOTS the one
// docs/presenting.md shows is written there.

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"etcdtour/lessons"
	"etcdtour/runner"
	"etcdtour/runner/i18n"
	"etcdtour/runner/report"
	"etcdtour/runner/runnertest"
	"etcdtour/runner/web"
)

// A firefox is one headless Firefox, its page's scheme fixed (light or
// dark), driven over WebDriver BiDi: one tab, 1280×720.
type firefox struct {
	scheme string
	cmd    *exec.Cmd
	ws     *websocket.Conn
	id     int
	ctx    string // the tab's browsing context
}

var bidiURL = regexp.MustCompile(`WebDriver BiDi listening on (ws://\S+)`)

// startFirefox starts Firefox with a profile of its own whose pages prefer
// scheme, and opens a BiDi session on its tab. t's clean-up ends it and
// everything it started.
func startFirefox(t *testing.T, bin, scheme string) *firefox {
	t.Helper()
	prof := t.TempDir()
	override := map[string]int{"dark": 0, "light": 1}[scheme]
	prefs := fmt.Sprintf(`user_pref("layout.css.prefers-color-scheme.content-override", %d);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("app.update.disabledForTesting", true);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
`, override)
	if err := os.WriteFile(filepath.Join(prof, "user.js"), []byte(prefs), 0o644); err != nil {
		t.Fatal(err)
	}
	f := &firefox{scheme: scheme}
	f.cmd = exec.Command(bin, "--headless", "--no-remote", "--profile", prof, "--remote-debugging-port=0", "about:blank")
	// Its own process group: the clean-up ends its content processes too.
	f.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := f.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	f.cmd.Stdout = io.Discard
	if err := f.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan struct{})
	t.Cleanup(func() {
		if f.ws != nil {
			f.call("browser.close", struct{}{}, nil)
			f.ws.Close()
		}
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
		}
		syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	})
	addr := make(chan string, 1)
	go func() {
		defer close(exited)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := bidiURL.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		io.Copy(io.Discard, stderr)
		f.cmd.Wait()
	}()
	var url string
	select {
	case url = <-addr:
	case <-exited:
		t.Fatalf("%s exited before it listened", bin)
	case <-time.After(limit):
		t.Fatalf("%s: no BiDi address within %v", bin, limit)
	}
	d := websocket.Dialer{HandshakeTimeout: limit}
	if f.ws, _, err = d.Dial(url+"/session", nil); err != nil {
		t.Fatalf("BiDi %s: %v", url, err)
	}
	if err := f.call("session.new", map[string]any{"capabilities": map[string]any{}}, nil); err != nil {
		t.Fatal(err)
	}
	var tree struct {
		Contexts []struct {
			Context string `json:"context"`
		} `json:"contexts"`
	}
	if err := f.call("browsingContext.getTree", map[string]any{}, &tree); err != nil || len(tree.Contexts) == 0 {
		t.Fatalf("no tab: %v", err)
	}
	f.ctx = tree.Contexts[0].Context
	if err := f.call("browsingContext.setViewport", map[string]any{"context": f.ctx,
		"viewport": map[string]int{"width": 1280, "height": 720}}, nil); err != nil {
		t.Fatal(err)
	}
	return f
}

// call sends one BiDi command and reads its answer into out (if not nil),
// passing over the events that come meanwhile.
func (f *firefox) call(method string, params, out any) error {
	f.id++
	msg, _ := json.Marshal(map[string]any{"id": f.id, "method": method, "params": params})
	f.ws.SetWriteDeadline(time.Now().Add(limit))
	if err := f.ws.WriteMessage(websocket.TextMessage, msg); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	for {
		f.ws.SetReadDeadline(time.Now().Add(limit))
		_, b, err := f.ws.ReadMessage()
		if err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		var m struct {
			ID      int             `json:"id"`
			Type    string          `json:"type"`
			Result  json.RawMessage `json:"result"`
			Error   string          `json:"error"`
			Message string          `json:"message"`
		}
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		if m.Type == "event" || m.ID != f.id {
			continue
		}
		if m.Type == "error" {
			return fmt.Errorf("%s: %s: %s", method, m.Error, m.Message)
		}
		if out != nil {
			return json.Unmarshal(m.Result, out)
		}
		return nil
	}
}

// open loads url in the tab, once its document is complete.
func (f *firefox) open(t *testing.T, url string) {
	t.Helper()
	if err := f.call("browsingContext.navigate", map[string]any{"context": f.ctx, "url": url, "wait": "complete"}, nil); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates expr in the page into out, through JSON.
func (f *firefox) eval(expr string, out any) error {
	var r struct {
		Type   string `json:"type"`
		Result struct {
			Value string `json:"value"`
		} `json:"result"`
		ExceptionDetails struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	err := f.call("script.evaluate", map[string]any{"expression": "JSON.stringify((" + expr + ") ?? null)",
		"target": map[string]string{"context": f.ctx}, "awaitPromise": true, "resultOwnership": "none"}, &r)
	if err != nil {
		return err
	}
	if r.Type != "success" {
		return errors.New(r.ExceptionDetails.Text)
	}
	return json.Unmarshal([]byte(r.Result.Value), out)
}

// must evaluates expr and fails t if it throws.
func must[T any](t *testing.T, f *firefox, expr string) T {
	t.Helper()
	var v T
	if err := f.eval(expr, &v); err != nil {
		t.Fatalf("%s: %s: %v", f.scheme, expr, err)
	}
	return v
}

// wait waits, at most limit, until expr is true in the page, looking every
// 20 ms.
func (f *firefox) wait(t *testing.T, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		var ok bool
		err := f.eval(expr, &ok)
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			var shows string
			f.eval(`document.getElementById("top").innerText + "\n---\n" + document.getElementById("state").innerText`, &shows)
			t.Fatalf("%s: %s: not within %v (%v); the page shows:\n%s", f.scheme, what, limit, err, shows)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// key presses a key in the page, as a person does (BiDi input actions):
// "\uE014" is →.
func (f *firefox) key(t *testing.T, k string) {
	t.Helper()
	err := f.call("input.performActions", map[string]any{"context": f.ctx, "actions": []any{map[string]any{
		"type": "key", "id": "keyboard", "actions": []any{
			map[string]string{"type": "keyDown", "value": k}, map[string]string{"type": "keyUp", "value": k}}}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
}

// shot is a PNG of the tab's 1280×720.
func (f *firefox) shot(t *testing.T) []byte {
	t.Helper()
	var r struct {
		Data string `json:"data"`
	}
	if err := f.call("browsingContext.captureScreenshot", map[string]any{"context": f.ctx}, &r); err != nil {
		t.Fatal(err)
	}
	png, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		t.Fatal(err)
	}
	return png
}

// TestFirefox runs put-get, lease and lock under --step, in English and in
// Chinese, with the presenter's page open in a light Firefox and a
// follower's in a dark one: the presenter's Next (button, →, space)
// answers each prompt; at put-get's overwrite, lease's wait and lock's
// queue both pages show what the console said; every text of each page
// has 4.5:1 contrast, nothing is cut and the page fits 1280×720; the
// Chinese page's words are Chinese; after the run the pages keep the last
// picture.
func TestFirefox(t *testing.T) {
	if os.Getenv("ETCDTOUR_FIREFOX") == "" {
		t.Skip("a check by hand: ETCDTOUR_FIREFOX=1 go test -run TestFirefox ./runner/web")
	}
	var bin string
	for _, name := range []string{"firefox-esr", "firefox"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Fatal("ETCDTOUR_FIREFOX is set, and there is no firefox-esr or firefox on PATH (apt-get install firefox-esr)")
	}
	out, _ := exec.Command(bin, "--version").Output()
	t.Logf("%s", strings.TrimSpace(string(out)))
	light, dark := startFirefox(t, bin, "light"), startFirefox(t, bin, "dark")
	t.Run("en", func(t *testing.T) { testFirefox(t, i18n.English, light, dark) })
	t.Run("zh", func(t *testing.T) {
		cjkFont(t)
		testFirefox(t, runnertest.Chinese(lessons.Chinese(), web.Chinese()), light, dark)
	})
}

func testFirefox(t *testing.T, lang i18n.Lang, presenter, follower *firefox) {
	zh := !lang.IsEnglish()
	name := "en"
	if zh {
		name = "zh"
	}
	keys, typed := io.Pipe()
	defer typed.Close()
	con := report.NewConsole(io.Discard, false)
	con.Lang = lang
	con.StepKeys(context.Background(), keys, nil)
	con.Stepper = true
	queued := newGate()
	var said []string
	l := start(t, context.Background(), runner.Config{Lang: lang, Pause: con.Pause}, con, func(e runner.Event) {
		if e.Kind == runner.KindResult {
			said = append(said, e.Text)
		}
		if e.Kind == runner.KindResult && e.Format == "session 2 queued: %s" {
			queued.hold()
		}
	}, []*gate{queued}, lesson(t, "put-get"), lesson(t, "lease"), lesson(t, "lock"))
	presenter.open(t, l.srv.URL())
	follower.open(t, l.srv.FollowerURL())
	for _, f := range []*firefox{presenter, follower} {
		if got := must[bool](t, f, `matchMedia("(prefers-color-scheme: dark)").matches`); got != (f.scheme == "dark") {
			t.Fatalf("%s Firefox: prefers-color-scheme dark is %v", f.scheme, got)
		}
	}
	// look checks both pages as they are now and saves their screenshots.
	look := func(at string) {
		t.Helper()
		for _, f := range []*firefox{presenter, follower} {
			type contrast struct {
				Checked int      `json:"checked"`
				Bad     []string `json:"bad"`
			}
			if c := must[contrast](t, f, contrastJS); c.Checked < 10 || len(c.Bad) > 0 {
				t.Errorf("%s, %s: %d texts checked, under 4.5:1: %q", at, f.scheme, c.Checked, c.Bad)
			}
			if bad := must[string](t, f, fitsJS); bad != "" {
				t.Errorf("%s, %s: does not fit 1280x720: %s", at, f.scheme, bad)
			}
			if bad := must[[]string](t, f, cutJS); len(bad) > 0 {
				t.Errorf("%s, %s: cut or running out of its box:\n%s", at, f.scheme, strings.Join(bad, "\n"))
			}
			if bad := must[[]string](t, f, zhJS); zh && len(bad) > 0 {
				t.Errorf("%s, %s: not in Chinese:\n%s", at, f.scheme, strings.Join(bad, "\n"))
			}
			png := f.shot(t)
			if d := os.Getenv("ETCDTOUR_FIREFOX_SHOTS"); d != "" {
				os.WriteFile(filepath.Join(d, fmt.Sprintf("firefox-%s-%s-%s.png", name, f.scheme, at)), png, 0o644)
			}
			doc := map[string]string{"zh dark lock": "firefox-zh-dark"}[name+" "+f.scheme+" "+at]
			if os.Getenv("ETCDTOUR_SCREENSHOTS") != "" && doc != "" {
				os.WriteFile(filepath.Join("..", "..", "docs", "presenting", doc+".png"), png, 0o644)
			}
		}
	}
	// next waits for the prompt before lesson's step on both pages (the
	// follower's without Next), then answers it from the presenter's page:
	// the button, → or space by turns.
	presses := 0
	next := func(lesson string, step int) {
		t.Helper()
		at := fmt.Sprintf(`(p => !p.hidden && p.dataset.lesson === %q && p.dataset.step === "%d")(document.getElementById("pause"))`, lesson, step)
		presenter.wait(t, fmt.Sprintf("the presenter's Next before %s step %d", lesson, step), at+` && !document.getElementById("next").hidden`)
		follower.wait(t, fmt.Sprintf("the follower's prompt before %s step %d", lesson, step), at+` && document.getElementById("next").hidden && !document.getElementById("follow").hidden`)
		switch presses % 3 {
		case 0:
			must[any](t, presenter, `document.getElementById("next").click()`)
		case 1:
			presenter.key(t, "\uE014") // →
		case 2:
			presenter.key(t, " ")
		}
		presses++
		presenter.wait(t, fmt.Sprintf("%s step %d under way", lesson, step), fmt.Sprintf(`!!document.querySelector('.lsn[data-lesson=%q] .step[data-step="%d"]')`, lesson, step))
	}
	for step := 1; step <= 3; step++ {
		next("put-get", step)
	}
	m := modRev.FindStringSubmatch(strings.Join(said, "\n"))
	if m == nil {
		t.Fatalf("no overwrite result in:\n%s", strings.Join(said, "\n"))
	}
	for _, f := range []*firefox{presenter, follower} {
		f.wait(t, "the key name at version 2, mod revision "+m[2], fmt.Sprintf(`(r => !!r && r.querySelector(".version").textContent === "2" && r.querySelector(".mod").textContent === %q && r.querySelector(".create").textContent === %q)(document.querySelector('tr[data-key="name"]'))`, m[2], m[1]))
	}
	look("put-get")
	next("put-get", 4)
	next("put-get", 5)
	for step := 1; step <= 2; step++ {
		next("lease", step)
	}
	// Before step 3, not 4: by then the lease has a few hundred ms left.
	presenter.wait(t, "lease's prompt before step 3", `document.getElementById("pause").dataset.step === "3"`)
	for _, f := range []*firefox{presenter, follower} {
		f.wait(t, "the lease's two keys, its bar, the watch", `document.querySelector('.lease:not(.ended) .keys')?.textContent === "session, session/cart" && parseFloat(document.querySelector(".lease .bar i").style.width) > 0 && !!document.querySelector(".watch")`)
	}
	look("lease")
	next("lease", 3)
	next("lease", 4)
	for step := 1; step <= 4; step++ {
		next("lock", step)
	}
	l.reach(t, queued, "session 2 queued")
	for _, f := range []*firefox{presenter, follower} {
		f.wait(t, "two waiters, the first holding", `(q => q.length === 2 && +q[0].dataset.create < +q[1].dataset.create && q[0].classList.contains("holder"))([...document.querySelectorAll(".queue li")])`)
	}
	look("lock")
	queued.release()
	next("lock", 5)
	l.wait(t)
	l.srv.Close()
	for _, f := range []*firefox{presenter, follower} {
		f.wait(t, "the run's end, the stream ended", fmt.Sprintf(`document.getElementById("where").textContent === %q && document.body.dataset.stream === "ended" && document.querySelectorAll("#keys tbody tr").length === 0`, lang.Msg("the run has ended")))
	}
	look("end")
}
