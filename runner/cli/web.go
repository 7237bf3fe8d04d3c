package cli

import (
	"fmt"
	"net"
	"os/exec"
	"runtime"
	"strings"

	"etcdtour/runner"
	"etcdtour/runner/report"
	"etcdtour/runner/web"
)

// webFlag is --web [ADDR]: alone it listens on web.DefaultAddr; with an
// address (--web=ADDR, or --web ADDR: an argument with a ':' is never a
// lesson) on that one.
type webFlag struct{ addr *string }

func (f webFlag) String() string {
	if f.addr == nil {
		return ""
	}
	return *f.addr
}

func (f webFlag) IsBoolFlag() bool { return true }

// Takes reports whether the argument after --web is its address.
func (f webFlag) Takes(arg string) bool {
	return strings.Contains(arg, ":") && !strings.HasPrefix(arg, "-")
}

func (f webFlag) Set(v string) error {
	switch v {
	case "true":
		*f.addr = web.DefaultAddr
		return nil
	case "false":
		*f.addr = ""
		return nil
	}
	if _, _, err := net.SplitHostPort(v); err != nil {
		return err
	}
	*f.addr = v
	return nil
}

// startWeb serves the live picture of the run (--web) beside the console
// or the JSON: cfg's reporter and pause are wrapped, the observer set. It
// says where on stderr and, with --open, opens the browser. stop ends the
// pages' streams after the run.
func startWeb(o *options, cfg *runner.Config, con *report.Console) (stop func(), code int) {
	if o.web == "" {
		if o.open {
			return nil, o.usageErr("--open needs --web: it opens the page --web serves")
		}
		return func() {}, exitOK
	}
	opts := web.Options{Addr: o.web, Lang: o.lang}
	// The console waits for the presenter's keys (--step, or paging on a
	// terminal): the presenter's page answers its prompts as Enter does.
	paced := cfg.Pause != nil && con != nil
	if paced {
		opts.Next = con.Next
	}
	srv, err := web.Start(opts)
	if err != nil {
		return nil, o.fail(err)
	}
	cfg.Reporter = both{cfg.Reporter, srv}
	cfg.Observer = srv
	if paced {
		cfg.Pause = srv.Pause(cfg.Pause)
		// The pages show a prompt while the terminal shows one, no longer.
		con.OnPrompt = func(p *report.Prompt) {
			if p == nil {
				srv.Prompt(nil)
				return
			}
			srv.Prompt(&web.Prompt{More: p.More, Lesson: p.Lesson, Step: p.Step, Title: p.Title})
		}
	}
	if srv.FollowerURL()+"?token=" == strings.SplitAfter(srv.URL(), "?token=")[0] {
		fmt.Fprintln(o.stderr, o.lang.Msg("live picture: %s", srv.URL()))
	} else {
		fmt.Fprintln(o.stderr, o.lang.Msg("live picture: %s (presenter) · %s (everyone else)", srv.URL(), srv.FollowerURL()))
	}
	if o.open {
		openBrowser(srv.URL())
	}
	return func() { srv.Close() }, exitOK
}

// both reports each event to a, then to b.
type both struct{ a, b runner.Reporter }

func (t both) Report(e runner.Event) {
	t.a.Report(e)
	t.b.Report(e)
}

// openBrowser opens url in the default browser, if it can: the page's
// address is printed anyway.
func openBrowser(url string) {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if cmd.Start() == nil {
		go cmd.Wait() // xdg-open and open return at once
	}
}
