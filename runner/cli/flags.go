package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"etcdtour/runner"
	"etcdtour/runner/i18n"
)

// etcdctlFlags are the connection flags shared with etcdctl; each can also be
// set by its ETCDCTL_* variable.
var etcdctlFlags = []string{"endpoints", "dial-timeout", "command-timeout", "user", "password",
	"cacert", "cert", "key", "insecure-skip-tls-verify"}

// runFlags are run's: etcdctl's connection flags and the course's own.
func runFlags(fs *flag.FlagSet, o *options) {
	fs.StringVar(&o.endpoints, "endpoints", "", "`host:port,...` of your etcd (else an embedded one)")
	fs.DurationVar(&o.conn.DialTimeout, "dial-timeout", 5*time.Second, "how long to try to reach etcd")
	fs.DurationVar(&o.conn.CommandTimeout, "command-timeout", 5*time.Second, "timeout of each request")
	fs.StringVar(&o.conn.User, "user", "", "`name` or name:password, for an etcd with auth")
	fs.StringVar(&o.conn.Password, "password", "", "`password` of --user")
	fs.StringVar(&o.conn.CACert, "cacert", "", "verify the server with this CA bundle `file`")
	fs.StringVar(&o.conn.Cert, "cert", "", "client certificate `file`")
	fs.StringVar(&o.conn.Key, "key", "", "client key `file`")
	fs.BoolVar(&o.conn.InsecureSkipVerify, "insecure-skip-tls-verify", false, "do not verify the server's certificate")
	fs.StringVar(&o.prefix, "prefix", runner.DefaultPrefix, "every key goes under `/path/`")
	fs.StringVar(&o.runID, "run-id", "", "keys go under /path/`NAME`/ (default: random); refused if any exist")
	fs.BoolVar(&o.keep, "keep", false, "leave each lesson's keys (needs --endpoints)")
	fs.BoolVar(&o.noColor, "no-color", false, "no color: the same as --color never")
	fs.StringVar(&o.color, "color", "auto", "`when` to color: auto (a terminal, not TERM=dumb, no NO_COLOR), always or never")
	fs.StringVar(&o.theme, "theme", "auto", "dark or light: colors for that `background`; auto reads COLORFGBG")
	fs.BoolVar(&o.jsonOut, "json", false, "JSON lines, one per event (see docs/json.md)")
	fs.BoolVar(&o.step, "step", false, "pause before each step: Enter, Space, → or PageDown runs it, q quits")
	fs.BoolVar(&o.noPause, "no-pause", false, "on a terminal, run straight through: no pause at a full screen")
	fs.StringVar(&o.code, "code", "folded", "`how` much of each step's code: folded (each call's boilerplate on its line) or full")
	fs.BoolVar(&o.interactive, "interactive", false, "the watch lesson waits for your etcdctl writes")
	fs.BoolVar(&o.noCode, "no-code", false, "do not show each step's Go code")
	fs.Var(webFlag{&o.web}, "web", "serve a live picture of the run in the browser at `ADDR` (default 127.0.0.1:0: a free port)")
	fs.BoolVar(&o.open, "open", false, "open --web's page in the default browser")
}

// flagSets holds each command's own flags and, to parse a command line in
// which flags come before or after the command, all of them in one set.
type flagSets struct {
	own  map[string]*flag.FlagSet // by command name
	all  *flag.FlagSet
	help bool   // --help or -h
	lang string // --lang, which every command takes
}

func newFlagSets(o *options) *flagSets {
	s := &flagSets{own: map[string]*flag.FlagSet{}, all: newFlagSet()}
	s.all.BoolVar(&s.help, "help", false, "")
	s.all.BoolVar(&s.help, "h", false, "")
	s.all.StringVar(&s.lang, "lang", "", "")
	for _, c := range commands {
		fs := newFlagSet()
		if c.flags != nil {
			c.flags(fs, o)
		}
		s.own[c.name] = fs
		// Two commands with one flag bind it to one field of o, with one
		// meaning (TestCommandFlagsAgree): the first one's Value will do.
		fs.VisitAll(func(f *flag.Flag) {
			if s.all.Lookup(f.Name) == nil {
				s.all.Var(f.Value, f.Name, f.Usage)
			}
		})
	}
	return s
}

func newFlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("etcdtour", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// foreign returns the first flag on the command line (in name order) that
// the command c does not take, or "".
func (s *flagSets) foreign(c string) string {
	own := s.own[c]
	bad := ""
	s.all.Visit(func(f *flag.Flag) {
		if bad == "" && f.Name != "help" && f.Name != "h" && f.Name != "lang" && (own == nil || own.Lookup(f.Name) == nil) {
			bad = f.Name
		}
	})
	return bad
}

// notAFlag is the usage error for --name given to command c, which has no
// such flag: why not, and where to look.
func notAFlag(lang i18n.Lang, c, name string, implicit bool) string {
	msg := lang.Msg("--%s is not a flag of %q", name, c)
	if implicit {
		msg += lang.Msg(", the default command")
	}
	if cmd := findCommand(c); cmd != nil && cmd.why[name] != "" {
		msg += lang.Msg(": %s", lang.Text(cmd.why[name]))
	}
	var takers []string
	for _, t := range commands {
		if t.flags != nil && newFlagSetOf(t).Lookup(name) != nil {
			takers = append(takers, t.name)
		}
	}
	see := "etcdtour --help"
	if findCommand(c) != nil {
		see = "etcdtour " + c + " --help"
	}
	switch len(takers) {
	case 0:
	case 1:
		return lang.Msg("%s (only %s takes it; see %s)", msg, takers[0], see)
	default:
		return lang.Msg("%s (only %s take it; see %s)", msg, strings.Join(takers, lang.Msg(" and ")), see)
	}
	return lang.Msg("%s (see %s)", msg, see)
}

// newFlagSetOf is c's flag set, bound to options of its own: for looking
// flags up and for help.
func newFlagSetOf(c *command) *flag.FlagSet {
	fs := newFlagSet()
	if c.flags != nil {
		c.flags(fs, &options{})
	}
	return fs
}

// connFromEnv completes the connection flags parsed into fs with the
// ETCDCTL_* variables, and checks them.
func (o *options) connFromEnv(fs *flag.FlagSet) int {
	var err error
	if o.envSet, err = applyEnv(o.lang, fs, o.getenv); err != nil {
		return o.usageErr("%v", err)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"dial-timeout", o.conn.DialTimeout}, {"command-timeout", o.conn.CommandTimeout}} {
		if d.v <= 0 {
			src := fmt.Sprintf("--%s %v", d.name, d.v)
			if o.envSet[d.name] {
				src = envName(d.name) + "=" + o.getenv(envName(d.name))
			}
			return o.usageErr("%s: want a positive duration, such as 5s", src)
		}
	}
	if o.endpoints != "" {
		o.conn.Endpoints = strings.Split(o.endpoints, ",")
	}
	return exitOK
}

// applyEnv sets each connection flag from its ETCDCTL_* variable and says
// which it set. Like etcdctl, it refuses a variable and a flag that set the
// same thing.
func applyEnv(lang i18n.Lang, fs *flag.FlagSet, getenv func(string) string) (map[string]bool, error) {
	set, fromEnv := map[string]bool{}, map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, name := range etcdctlFlags {
		env := envName(name)
		v := getenv(env)
		if v == "" {
			continue
		}
		if set[name] {
			return nil, lang.Err("both %s and --%s are set: unset one of them (etcdctl refuses this too)", env, name)
		}
		if err := fs.Set(name, v); err != nil {
			return nil, lang.Err("invalid value %q for %s: %v", v, env, valueError(lang, fs.Lookup(name)))
		}
		fromEnv[name] = true
	}
	return fromEnv, nil
}

func envName(flag string) string {
	return "ETCDCTL_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// fromEnv adds to a connection error where the endpoints came from when it
// was ETCDCTL_ENDPOINTS: exported for etcdctl during an earlier run, it may
// name an etcd that is gone.
func (o *options) fromEnv(err error) error {
	var inUse *runner.PrefixInUseError
	if !o.envSet["endpoints"] || errors.As(err, &inUse) {
		return err
	}
	return o.lang.Err("%w (the endpoints came from ETCDCTL_ENDPOINTS: unset it to run on an embedded etcd)", err)
}

// A flagError is a command line that parseArgs cannot read flags from.
type flagError struct {
	kind  flagErrorKind
	arg   string // the argument, for badSyntax
	name  string // the flag's name, for the others
	value string // the value given, for badValue
	near  string // for unknownFlag, the flag it likely misspells: --name
	flag  *flag.Flag
}

type flagErrorKind int

const (
	badSyntax   flagErrorKind = iota // ---x, -=x
	unknownFlag                      // no flag of that name
	noValue                          // the last argument, a flag that takes a value
	badValue                         // a value the flag cannot parse
)

func (e *flagError) Error() string { return e.text(i18n.English) }

// text is the error in lang, with flags spelled --name as the help shows
// them, and for a duration an example of one.
func (e *flagError) text(lang i18n.Lang) string {
	switch e.kind {
	case unknownFlag:
		if e.near != "" {
			return lang.Msg("flag provided but not defined: %s: did you mean %s?", "--"+e.name, e.near)
		}
		return lang.Msg("flag provided but not defined: %s", "--"+e.name)
	case noValue:
		return lang.Msg("flag needs an argument: %s", "--"+e.name)
	case badValue:
		return lang.Msg("invalid value %s for flag %s: %s", strconv.Quote(e.value), "--"+e.name, valueError(lang, e.flag))
	}
	return lang.Msg("bad flag syntax: %s", e.arg)
}

// parseArgs reads argv as the flag package reads a command line, but with
// flags also after the positional arguments, as etcdctl takes them: it sets
// the flags in fs and returns the positional arguments in order. A "--"
// makes the argument after it positional even if it begins with "-". Its
// error is a *flagError, and pos then what it read before it.
func parseArgs(fs *flag.FlagSet, argv []string) (pos []string, err *flagError) {
	for len(argv) > 0 {
		a := argv[0]
		argv = argv[1:]
		switch {
		case a == "--":
			if len(argv) > 0 {
				pos, argv = append(pos, argv[0]), argv[1:]
			}
			continue
		case len(a) < 2 || a[0] != '-':
			pos = append(pos, a)
			continue
		}
		name := strings.TrimPrefix(a[1:], "-") // -name or --name
		if name == "" || name[0] == '-' || name[0] == '=' {
			return pos, &flagError{kind: badSyntax, arg: a}
		}
		name, value, hasValue := strings.Cut(name, "=")
		f := fs.Lookup(name)
		if f == nil {
			return pos, &flagError{kind: unknownFlag, name: name, near: closestFlag(fs, name)}
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			if !hasValue {
				value = "true" // --json; --json=false
				// --web ADDR: a flag whose value may follow it.
				if o, ok := f.Value.(interface{ Takes(string) bool }); ok && len(argv) > 0 && o.Takes(argv[0]) {
					value, argv = argv[0], argv[1:]
				}
			}
		} else if !hasValue {
			if len(argv) == 0 {
				return pos, &flagError{kind: noValue, name: name}
			}
			value, argv = argv[0], argv[1:]
		}
		if fs.Set(name, value) != nil {
			return pos, &flagError{kind: badValue, name: name, value: value, flag: f}
		}
	}
	return pos, nil
}

// valueError is why f could not be set to a value, in lang: its flags are
// bools, durations and strings, and only the first two can fail, to parse.
// A duration gets an example.
func valueError(lang i18n.Lang, f *flag.Flag) string {
	msg := lang.Msg("parse error")
	if g, ok := f.Value.(flag.Getter); ok {
		if _, ok := g.Get().(time.Duration); ok {
			msg += lang.Msg(": want a duration such as 5s or 500ms")
		}
	}
	return msg
}
