package runner

// Kind is the type of an Event. The values are part of the JSON output and
// documented in docs/json.md: do not rename them.
type Kind string

const (
	KindCourseStart Kind = "course-start" // Version, Endpoints, Prefix, Env; Text: the same for people
	KindLessonStart Kind = "lesson-start" // Lesson, Title, Index, Total, Text: the lesson's doc
	KindStep        Kind = "step"         // Step, Text: the step's heading; Source; Code: the step's Go code
	KindSay         Kind = "say"          // Text: explanation
	KindEtcdctl     Kind = "etcdctl"      // Text: the equivalent etcdctl command line; Request: the gRPC call it was rendered from, if any
	KindRequest     Kind = "request"      // Text, Request: a request made inside a compound call (a Mutex's Lock) or a stream; not shown
	KindResult      Kind = "result"       // Text: what a call returned
	KindReply       Kind = "reply"        // Text: in brief, what etcd answered the request of the etcdctl line before it; Request. A console shows it only where the lesson says no result of its own
	KindCheck       Kind = "check"        // OK, Text: what was checked; Got, Want: for a comparison
	KindWait        Kind = "wait"         // Text: what is awaited; Seconds: for how long, if known. Lasts until the lesson's next request, check, step or wait: results and says meanwhile happen during it
	KindCleanup     Kind = "cleanup"      // Text: what the runner removed after the lesson
	KindLessonEnd   Kind = "lesson-end"   // Status, Seconds, Error, Failures
	KindNote        Kind = "note"         // Text: the runner's own word, such as "etcd no longer answers"
	KindSummary     Kind = "summary"      // Passed, Failed, Seconds, Lessons
)

// An Event is one thing that happened while the course ran.
type Event struct {
	Kind   Kind   `json:"event"`
	Lesson string `json:"lesson,omitempty"`
	Title  string `json:"title,omitempty"`
	Index  int    `json:"index,omitempty"` // 1-based position of the lesson in this run
	Total  int    `json:"total,omitempty"` // lessons in this run
	Step   int    `json:"step,omitempty"`
	Source string `json:"source,omitempty"` // file:line of the step in the lesson's source
	Code   string `json:"code,omitempty"`   // the step's Go code, narration left out
	// Line is the line of the lesson's source, in the file its step's
	// Source names, whose code made this event: the call that sent an
	// etcdctl line's request, the t.Result or t.Check that said it. A
	// console shows the event under that line of the step's code. 0 when
	// no code of the step made it (a stream's own goroutine, the runner).
	Line int `json:"line,omitempty"`
	// Lines is the step's code line by line, on a step event, if
	// Config.Code gives it (StepLines): Code with where each line is in
	// the source and which lines are a call's boilerplate. Not in the JSON
	// output.
	Lines    []CodeLine `json:"-"`
	Text     string     `json:"text,omitempty"`
	Request  string     `json:"request,omitempty"` // the gRPC method an etcdctl line was rendered from
	OK       *bool      `json:"ok,omitempty"`
	Got      string     `json:"got,omitempty"`  // a comparison's actual value (T.Equal)
	Want     string     `json:"want,omitempty"` // and the value it should have
	Status   Status     `json:"status,omitempty"`
	Seconds  float64    `json:"seconds,omitempty"`
	Error    string     `json:"error,omitempty"`
	Failures []string   `json:"failures,omitempty"`
	Passed   int        `json:"passed,omitempty"`
	Failed   int        `json:"failed,omitempty"`
	// Format and Args are the narration as it was said, in English: Text
	// is Format with Args in the run's language (Config.Lang), and
	// Lang.Msg(Format, Args...) is the same event in another language.
	// Set on step, say, result, check and wait events; not in the JSON
	// output.
	Format string `json:"-"`
	Args   []any  `json:"-"`
	// Set on summary only, when not zero.
	Interrupted int            `json:"interrupted,omitempty"`
	NotRun      int            `json:"not_run,omitempty"`
	Skipped     int            `json:"skipped,omitempty"`
	Lessons     []LessonResult `json:"lessons,omitempty"`
	// Set on course-start only.
	Version   string   `json:"version,omitempty"`
	Endpoints []string `json:"endpoints,omitempty"`
	Prefix    string   `json:"prefix,omitempty"`
	// Env is the shell line that gives etcdctl the run's connection, such
	// as "export ETCDCTL_ENDPOINTS=127.0.0.1:2379": what a learner copies
	// to run the etcdctl lines. Text's last line ends with it; the JSON
	// output has it only there.
	Env string `json:"-"`
}

// A CodeLine is one line of a step's code as a console shows it, with the
// events its statement made (Event.Line) right under it.
type CodeLine struct {
	// Text is the line, dedented, tabs as four spaces; "" for a blank
	// line.
	Text string
	// Folded, if not "", is the line as shown with its boilerplate
	// folded: X for "if err := X; err != nil {".
	Folded string
	// From and To are the source lines of the statement this line is
	// part of (0 for a comment or a blank line): an event whose Line is
	// in From..To comes after the statement's last line.
	From, To int
	// Boilerplate marks a line of a call's boilerplate, which a console
	// may fold into the call's line: the context with a timeout made for
	// it, its cancel(), the "if err != nil { return err }" after it.
	Boilerplate bool
	// Fold, on a call's line, says which of its boilerplate such a fold
	// hides.
	Fold Fold
	// Narration marks a line a console may leave out with the narration:
	// it computes only what the step's narration and checks say.
	Narration bool
	// Gloss says, for each call on this line of a function of the tour's
	// own (a helper of the lessons, a method of T or of its Cluster),
	// which a learner cannot look up in a library's documentation, what
	// it does: "nextEvents: reads a watch channel until it has n events".
	Gloss []string
}

// Fold is the boilerplate folded into a call's line, a set of bits.
type Fold uint8

const (
	// FoldTimeout: the call's context has a timeout of its own
	// (context.WithTimeout before it, cancel() after it).
	FoldTimeout Fold = 1 << iota
	// FoldErr: the call's error is returned (if err != nil { return err }).
	FoldErr
	// FoldCheck: the call's answer is checked, and an error returned where
	// it is not what the code needs (if len(get.Kvs) != 1 { return
	// fmt.Errorf(...) }).
	FoldCheck
)

// A Reporter receives every event of a run, in order, from one goroutine at
// a time. It is the only way anything reaches the user.
type Reporter interface {
	Report(Event)
}

func boolp(b bool) *bool { return &b }
