package cli

import (
	"net"
	"strings"
	"testing"
)

// TestDidYouMean: a mistyped lesson, command or flag gets, on one line with
// exit 2, the one it most likely meant; a lesson ID in another case is that
// lesson; a number out of range says the range once, without the list.
func TestDidYouMean(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	for _, c := range []struct {
		args      []string
		want, not string
	}{
		{[]string{"run", "put-gte"}, `unknown lesson "put-gte": did you mean "put-get"?`, "valid lessons"},
		{[]string{"run", "putget"}, `did you mean "put-get"?`, "valid lessons"},
		{[]string{"show", "put_get"}, `did you mean "put-get"?`, "valid lessons"},
		{[]string{"lock"}, `unknown command "lock": did you mean "etcdtour run lock"?`, "want one of"},
		{[]string{"Lock"}, `did you mean "etcdtour run Lock"?`, "want one of"},
		{[]string{"lokc"}, `did you mean "etcdtour run lock"?`, "want one of"},
		{[]string{"rnu"}, `unknown command "rnu": did you mean "run"?`, "want one of"},
		{[]string{"help", "lock"}, `did you mean "etcdtour run lock"?`, "want one of"},
		{[]string{"--endpoint", "127.0.0.1:2379"}, "flag provided but not defined: --endpoint: did you mean --endpoints?", ""},
		{[]string{"run", "19"}, `lesson number "19" out of range: the course has lessons 1 to`, "valid lessons"},
		{[]string{"run", "nope"}, `unknown lesson "nope": valid lessons are install, put-get`, "did you mean"},
		{[]string{"nope"}, `unknown command "nope": want one of`, "did you mean"},
		{[]string{"--bogus"}, "flag provided but not defined: --bogus", "did you mean"},
	} {
		r := runBinary(t, bin, nil, c.args...)
		one := strings.Count(strings.TrimSpace(r.stderr), "\n") == 0
		if r.code != 2 || !one || !strings.Contains(r.stderr, c.want) || c.not != "" && strings.Contains(r.stderr, c.not) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and one line with %q, without %q", c.args, r.code, r.stderr, c.want, c.not)
		}
	}
	// A lesson ID is the lesson in any case.
	r := runBinary(t, bin, nil, "show", "PUT-Get")
	if r.code != 0 || !strings.Contains(r.stdout, "func putGet(") {
		t.Errorf("show PUT-Get: exit %d, stderr %q; want put-get's code", r.code, r.stderr)
	}
}

// silentServer is the address of a TCP server that accepts connections and
// never answers, until the test ends.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	held := make(chan net.Conn, 64)
	go func() {
		defer close(held)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held <- c // never read, never answered
		}
	}()
	t.Cleanup(func() {
		l.Close()
		for c := range held {
			c.Close()
		}
	})
	return l.Addr().String()
}
