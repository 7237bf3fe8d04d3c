#!/usr/bin/env bash
# Re-checks the test suite by breaking the program on purpose: each mutation
# below is applied, alone, to a temporary copy of the repository, and
# `go test ./...` runs there. A mutation the tests do not notice "survives".
# It prints one line a mutation and exits 1 if any survived or did not apply.
# Needs go, and python3 for the substitutions.
#
# On demand (it runs the whole suite once a mutation: minutes):
#   bash .ci/mutate.sh            # all of them
#   bash .ci/mutate.sh prefix     # those whose name contains "prefix"
# In CI, the fast mode: every mutation must match its file exactly once and
# the mutated tree must build and vet, so that the list cannot rot unseen (a
# mutation that no longer applies, or that does not compile, tests nothing):
#   bash .ci/mutate.sh --check [prefix]
#
# A mutation that does not build or vet is a failure of this script, never a
# catch: fix its pattern or replacement.
#
# A mutation is: name | file | Perl regexp | replacement. Add one for every
# promise a test guards (docs/testing.md lists them).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

mutations=$(cat <<'LIST'
prefix-ignored|runner/cli/commands.go|Prefix:\s+o\.prefix,|
run-id-ignored|runner/cli/commands.go|\t\trunID = o\.runID\n|
run-id-in-use-not-refused|runner/connect.go|if existing\.Load\(\) > 0 \{|if existing.Load() < 0 {
dial-timeout-ignored|runner/cli/flags.go|\tif o\.endpoints != "" \{|\to.conn.DialTimeout = 5 * time.Second\n\tif o.endpoints != "" {
keep-ignored|runner/cli/commands.go|Keep:\s+o\.keep,|
command-timeout-ignored|runner/cli/flags.go|\tif o\.endpoints != "" \{|\to.conn.CommandTimeout = 5 * time.Second\n\tif o.endpoints != "" {
interactive-ignored|runner/cli/commands.go|Interactive:\s+o\.interactive,|
step-ignored|runner/cli/commands.go|\t\tcfg\.Pause = con\.Pause\n|
program-ignored|runner/cli/commands.go|if o\.program \{|if false {
data-dir-ignored|runner/cli/commands.go|DataDir: o\.dataDir, |
listen-ignored|runner/cli/commands.go|ClientURL: o\.listen,|ClientURL: "",
no-color-ignored|runner/report/colors.go|getenv\("NO_COLOR"\) != ""|false
no-color-flag-ignored|runner/report/colors.go|\tcase f\.NoColor:\n\t\tmode = "never"\n|
term-dumb-ignored|runner/report/colors.go|live = terminal && term != "dumb"|live = terminal
color-always-ignored|runner/report/colors.go|mode == "auto" && \(!live|(!live
theme-flag-ignored|runner/report/colors.go|\tcase "dark":\n\t\tbg = darkBackground\n|
console-80-columns-ignored|runner/report/fit.go|const Columns = 80|const Columns = 200
unreadable-color|runner/report/theme.go|Etcdctl: purple256,|Etcdctl: []color.Attribute{color.FgHiYellow},
no-code-ignored|runner/cli/commands.go|con\.HideCode = o\.noCode|con.HideCode = false
pager-never|runner/cli/commands.go|con\.Pager = term != nil|con.Pager = false
call-not-beside-result|runner/report/report.go|\t\tend := c\.codeEnd\(n\)\n|\t\tend := len(c.code.lines)\n
boilerplate-never-folded|runner/report/code.go|if !full && \(l\.Boilerplate |if false && (l.Boilerplate 
json-drops-checks|runner/report/json.go|\tcase runner\.KindRequest:\n\t\treturn // for tests|\tcase runner.KindRequest, runner.KindCheck:\n\t\treturn // for tests
json-drops-waits|runner/report/json.go|\tcase runner\.KindRequest:\n\t\treturn // for tests|\tcase runner.KindRequest, runner.KindWait:\n\t\treturn // for tests
program-not-wrapped|runner/source/program.go|gowrap\.File\(joinSignatures\(src\), columns,|gowrap.File(joinSignatures(src), 1000,
wrap-splits-strings-wrong|runner/gowrap/gowrap.go|t\.lit\[:cut\] \+ `" \+`|t.lit[:cut-1] + `" +`
error-not-wrapped-on-terminal|runner/cli/cli.go|\tif isTerminal\(o\.stderr\) \{|\tif false {
restart-keeps-its-ports|runner/embedded/cluster.go|\te, err := m\.bootFresh\(\)\n\tif err != nil \{\n\t\treturn err\n|\te, err := m.boot()\n\tif err != nil {\n\t\treturn err\n
terminal-not-taken|runner/tty/tty.go|\tif !ok \{\n\t\treturn nil\n\t\}|\tif !ok || true {\n\t\treturn nil\n\t}
typed-keys-left-at-exit|runner/tty/tty.go|\tflushInput\(t\.fd\)\n\tunix\.IoctlSetTermios\(t\.fd, ioctlSetTermios, t\.saved\)\n\tt\.saved = nil|\tunix.IoctlSetTermios(t.fd, ioctlSetTermios, t.saved)\n\tt.saved = nil
live-wait-ends-at-results|runner/report/report.go|return k == runner\.KindResult .. k == runner\.KindSay|return false
step-prompt-under-live-wait|runner/report/step.go|\tc\.endLive\(\)\n|
json-field-renamed|runner/event.go|json:"code,omitempty"|json:"src_code,omitempty"
lesson-time-limit-removed|runner/run.go|lctx, cancel := context\.WithTimeout\(ctx, cfg\.LessonTimeout\)|lctx, cancel := context.WithCancel(ctx)
cleanup-full-budget-after-ctrl-c|runner/run.go|defer context\.AfterFunc\(runCtx, func\(\) \{ time\.AfterFunc\(interruptedCleanup, cancel\) \}\)\(\)|
lease-id-in-decimal|runner/etcdctl/etcdctl.go|fmt\.Sprintf\("--lease=%x", r\.Lease\)|fmt.Sprintf("--lease=%d", r.Lease)
step-code-dropped|runner/t.go|code = t\.code\.Step\(file, line\)|code = ""
etcdctl-lines-not-rendered|runner/wire.go|\tif line != "" \{\n\t\t\tshown = w\.report\(line, method, compound\)\n\t\t\}|
reply-not-shown|runner/report/code.go|\tif c\.pend != nil \{\n\t\tc\.pend\.result = e\.Text\n|\tif c.pend != nil {\n
check-before-its-result|lessons/putget.go|\tif put\.PrevKv != nil \{\n\t\tt\.Result\("previous: %s", kvString\(put\.PrevKv\)\)\n\t\}\n\tt\.Check\(put\.PrevKv != nil, "WithPrevKV returns the old key-value pair"\)\n|\tt.Check(put.PrevKv != nil, "WithPrevKV returns the old key-value pair")\n\tif put.PrevKv != nil {\n\t\tt.Result("previous: %s", kvString(put.PrevKv))\n\t}\n
gloss-not-given|runner/source/lines.go|\tgloss := c\.glosses\(st\.name, st\.stmts\)|\tgloss := map[int][]string{}
fold-mark-own-line-dropped|runner/report/code.go|\tplain := 0 //|\tplain := len(marks) //
watch-stray-not-said|lessons/watch_interactive.go|\tdefer t\.SayStray\(ctx, t\.Key\("name"\)\)\(\)\n|
stray-not-alone-only|runner/t.go|\tif !t\.alone [^\n]*raw == nil \{|\tif t.lc.raw == nil {
check-always-true|runner/t.go|ok := t\.inverted\(equal\(got, want\)\)|ok := t.inverted(true)
equal-slices-deep|runner/t.go|\tcase reflect.Slice:\n|\tcase reflect.Invalid:\n
program-checks-dropped|runner/source/gen.go|case "Check":\n|case "CheckX":\n
program-t-kept-beside-a-client|runner/source/gen.go|if g\.hasClientParam\(p\.fn\) \{|if false {
program-dead-branch-kept|runner/source/gen.go|\t\tif g\.checked\[n\] \{|\t\tif false && g.checked[n] {
late-writes-not-fenced|runner/fence.go|\tkey, rev := f\.c\.fence\(\)|\tkey, rev := "", int64(0)\n\t_ = f.c
lease-id-not-chosen|runner/fence.go|if r\.ID != 0 \{|if true {
cleanup-through-one-member|runner/quorum.go|next := func\(\) \{\n\t\tif started < n \{|next := func() {\n\t\tif false {
quorum-loss-not-noticed|runner/run.go|if failed && !interrupted && !own \{|if failed && interrupted && !own {
nothing-left-said-after-failure|runner/run.go|\tdone = append\(done, left\.\.\.\)\n|
serve-waits-for-streams|runner/embedded/server.go|\ts\.endStreams\(\)\n\ts\.etcd\.Close\(\)|\ts.etcd.Close()
serve-ctrl-c-exits-0|runner/cli/commands.go|return exitInterrupted // as every command does after Ctrl-C|return exitOK
serve-forgets-its-address|runner/embedded/server.go|opts\.ClientURL, remembered = strings\.TrimSpace\(string\(b\)\), true|remembered = false
prefix-control-chars-allowed|runner/run.go|unicode\.IsControl\); i >= 0 \{|unicode.IsControl); i >= len(p) {
conn-flag-errors-exit-1|runner/cli/commands.go|return o\.usageErr\("%v", o\.fromEnv\(err\)\)|return o.fail(o.fromEnv(err))
member-client-lines-unnamed|runner/run.go|\t\t\tw\.only = endpoints\[0\]|\t\t\t_ = endpoints[0]
own-etcd-program-not-started|runner/source/program.go|"Members": g\.members\(l\.Needs\.Members\)|"Members": 0
acked-writes-not-checked|lessons/failover_helpers.go|if at\[key\] != rev \{|if at[key] != rev && false {
env-duration-hint-dropped|runner/cli/flags.go|valueError\(lang, fs\.Lookup\(name\)\)\)|err)
dial-timeout-too-short-unsaid|runner/etcdconn/conn.go|\t\t\t\tlate = st\n|\t\t\t\tlate = nil\n
lease-watch-from-now|lessons/lease.go|\n\t\tclientv3\.WithRev\(rev\+1\)\)|)
diagnose-past-dial-timeout|runner/etcdconn/conn.go|diagnoseBudget = 300 \* time\.Millisecond|diagnoseBudget = 600 * time.Millisecond
own-lesson-not-skipped|runner/run.go|if l\.Needs\.Members > 0 && !cfg\.OwnServers \{|if false {
skip-fails-the-run|runner/run.go|r\.Status != StatusPassed && r\.Status != StatusSkipped|r.Status != StatusPassed
own-cluster-left-behind|runner/run.go|\t\tt\.removeCluster\(\)\n|
compact-allowed-everywhere|runner/run.go|\t\t\tc\.KV = guardedKV\{c\.KV\}\n|
compaction-not-rendered|runner/etcdctl/etcdctl.go|return fmt\.Sprintf\("etcdctl compaction %d", r\.Revision\)|return ""
compare-greater-as-less|runner/etcdctl/etcdctl.go|pb\.Compare_GREATER: ">",|pb.Compare_GREATER: "<",
sort-by-mod-as-mod|runner/etcdctl/etcdctl.go|return "MODIFY"|return "MOD"
zh-error-not-translated|runner/run.go|msg := t\.lang\.Error\(err\.Error\(\)\)|msg := err.Error()
no-replay-not-said|runner/t.go|func \(t \*T\) NoReplay\(format string, args \.\.\.any\) \{\n\tt\.report\(t\.said\(KindSay, format, args\)\)\n\}|func (t *T) NoReplay(format string, args ...any) {\n}
session-grant-hidden|runner/concurrency.go|\tswitch r := req\.\(type\) \{|\tif _, ok := req.(*pb.LeaseGrantRequest); ok {\n\t\treturn true\n\t}\n\tswitch r := req.(type) {
lock-wait-shown|runner/concurrency.go|if r\.MaxCreateRevision > 0 \{|if false {
zh-permission-args-swapped|runner/zh.go|不能读写 %\[3\]s 上的 %\[2\]s|不能读写 %[2]s 上的 %[3]s
zh-ambiguous-width-narrow|runner/report/fit.go|return m\.lang\.Width\(s\)|return i18n.Width(s)
zh-orphan-kept|runner/report/fit.go|best = m\.noOrphan\(s, start, i18n\.Prefer\(s, start, best, cuts\), cuts, contW, max\)|best = i18n.Prefer(s, start, best, cuts)
zh-watch-count-args-swapped|lessons/zh.go|只收到 %\[2\]d 个监听事件中的 %\[1\]d 个|只收到 %[1]d 个监听事件中的 %[2]d 个
zh-exercise-args-swapped|lessons/exercises/zh.go|"修订号 %\[2\]d 对 %\[1\]s 的删除始终没有报告|"修订号 %[1]d 对 %[2]s 的删除始终没有报告
program-start-not-retried|runner/source/skeleton/cluster.go|if !errors\.Is\(err, errExited\) .. try == 3 \{|if try > 0 {
alarm-not-noticed|runner/run.go|go func\(\) \{ alarm <- alarmLine\(cfg\.Lang, r\.members\.alarms\(actx\)\) \}\(\)|go func() { alarm <- "" }()
refusal-taken-for-no-answer|runner/quorum.go|\tif refused\(err\) \{\n\t\treturn false|\tif false {\n\t\treturn false
program-ctrl-c-unhandled|runner/source/skeleton/endpoints.go|signal\.NotifyContext\(context\.Background\(\), os\.Interrupt, syscall\.SIGTERM\)|signal.NotifyContext(context.Background(), syscall.SIGUSR1)
program-sigkill-orphans|runner/source/skeleton/cluster.go|do \[ -f "\$f" \] && kill -9 "\$\(cat "\$f"\)"; done|do true; done
leader-change-unnamed|runner/run.go|if why := t\.leaderChanged\(tctx, cfg\.Lang, r\.members\); why != "" \{|if why := t.leaderChanged(tctx, cfg.Lang, r.members); why == "x" {
slow-cluster-unsaid|runner/slow.go|if t\.slowBar == 0 .. d < t\.slowBar \{|if true {
slow-failure-unsaid|runner/run.go|if why := t\.slowWhy\(\); why != "" \{|if why := t.slowWhy(); why == "x" {
program-request-unnamed|runner/source/skeleton/program.go|if len\(found\) != 1 .. found\[0\]\.several \{|if true {
program-silent-member-unnamed|runner/source/skeleton/endpoints.go|if _, err := cli\.Status\(ctx, ep\); err != nil \{|if _, err := cli.Status(ctx, ep); err != nil && false {
error-names-other-request|runner/run.go|if m != "" && strings\.Contains\(msg, m\) \{|if m == m {
check-against-literal|lessons/putget.go|t\.Equal\(string\(kv\.Value\), value,|t.Equal(string(kv.Value), "xiaomotong",
program-restart-not-retried|runner/source/skeleton/cluster.go|if try == 3 .. !errors\.Is\(err, errExited\) \{|if try > 0 {
did-you-mean-dropped|runner/lesson.go|if s, ok := suggest\.Closest\(a, ids\); ok \{|if s, ok := suggest.Closest(a, ids); ok && false {
lesson-id-case-sensitive|runner/lesson.go|if strings\.EqualFold\(l\.ID, id\) \{|if l.ID == id {
keep-nothing-not-said|runner/run.go|if keptNone\(r, prefix\) \{|if false {
second-interrupt-forgets-cleanup|runner/cli/commands.go|\to\.abort\.cleaned\.Store\(true\)\n|
refused-loopback-waits|runner/etcdconn/conn.go|go func\(\) \{ refused <- c\.refusedLoopback\(ctx\) \}\(\)|go func() { refused <- nil }()
program-reach-unchecked|runner/source/skeleton/endpoints.go|_, err = cli\.MemberList\(ctx\)|_, _ = cli.MemberList(ctx)
interactive-keys-long|runner/cli/commands.go|\t\to\.shortKeys\(&cfg\)\n|
lock-interactive-ignored|lessons/lock.go|\tif t\.Interactive\(\) \{\n\t\treturn lockAsYou\(ctx, t, m2\)\n\t\}\n|
exercise-keepalive-unread-ignored|runner/exercise/proc.go|p\.kas\.Unread = max\(p\.kas\.Unread, e\.Unread\)|p.kas.Unread = 0
exercise-kill-noop|runner/exercise/proc.go|\tsyscall\.Kill\(-c\.p\.cmd\.Process\.Pid, syscall\.SIGKILL\)\n\t<-c\.p\.dead\n|\t_ = syscall.SIGKILL\n
exercise-pause-one-method|runner/exercise/driver/runtime.go|if m != "" && m == name \{|if m != "" && m == name && methods == name {
exercise-txn-no-write-between|lessons/exercises/txn.go|if _, err := put\(ctx, c, "counter", "10"\); err != nil|if _, err := put(ctx, c, "other", "10"); err != nil
exercise-lock-queue-unchecked|lessons/exercises/lock.go|if queue\.Count < 2 \{|if queue.Count < 0 {
web-control-without-token|runner/web/web.go|\[\]byte\(tok\), \[\]byte\(s\.token\)|[]byte(tok), []byte(tok)
web-late-page-not-replayed|runner/web/web.go|log := s\.log\[sent:\]|log := s.log[max(sent, len(s.log)-1):]
web-queue-unordered|runner/web/picture.go|return int\(a\.Create - b\.Create\)|return int(b.Create - a.Create)
web-next-not-fed|runner/cli/web.go|\t\topts\.Next = con\.Next\n|
web-observer-ignored|runner/run.go|\t\tif cfg\.Observer != nil \{|\t\tif false {
web-prompt-every-pause|runner/web/web.go|\t\ts\.paused = true\n|\t\ts.paused = true\n\t\ts.pause, s.pauseV = sse("pause", Prompt{Lesson: lesson, Step: step, Title: title}), s.pauseV+1\n
web-prompt-not-shown|runner/cli/web.go|\t\tcon\.OnPrompt = func|\t\t_ = func
web-timeline-cut|runner/web/assets/app.js|while \(tl\.scrollWidth > tl\.clientWidth \+ 1 && tl\.children\.length > 1\)|while (false)
web-heading-cut|runner/web/assets/style.css|th:nth-child\(3\) \{ width: 15%; \}|th:nth-child(3) { width: 10%; }
web-zh-label-english|runner/web/zh.go|"本课的监听"|"The lesson's watches"
watch-exercise-dirs-unwatched|runner/exwatch/watch.go|\t\tif err := fw\.Add\(d\); err != nil|\t\t_ = d\n\t\tif err := fw.Add(w.Dir); err != nil
watch-progress-not-saved|runner/exwatch/watch.go|if err := w\.progress\.Save\(o\.Dir\); err != nil|if err := error(nil); err != nil
watch-any-file|runner/exwatch/watch.go|return strings\.HasSuffix\(base, "\.go"\) && !strings\.HasPrefix\(base, "\."\)|return base != ""
watch-reset-keeps-passed|runner/exwatch/watch.go|\t\t\tdelete\(w\.progress\.Passed, ex\.ID\)\n|\t\t\t_ = ex.ID\n
watch-list-title-uncut|runner/exwatch/watch.go|title = cut\(w\.Lang, title, width-1-w\.Lang\.Width\(head\)\)|title = cut(w.Lang, title, 1000)
exercise-namespace-dropped|runner/exercise/driver/runtime.go|\tcli\.KV = namespace\.NewKV\(cli\.KV, cfg\.Prefix\)\n|
exercise-group-not-killed|runner/exercise/proc.go|syscall\.Kill\(-p\.cmd\.Process\.Pid|syscall.Kill(p.cmd.Process.Pid
exercise-leases-not-revoked|runner/exercise/engine.go|raw\.Revoke\(cctx, clientv3\.LeaseID\(id\)\)|raw.Revoke(cctx, clientv3.LeaseID(0*id))
exercise-keys-not-deleted|runner/exercise/engine.go|raw\.Delete\(cctx, prefix, clientv3\.WithPrefix\(\)\)|raw.Delete(cctx, prefix+"nothing")
exercise-timeout-ignored|runner/exercise/engine.go|ctx, cancel := context\.WithTimeout\(ctx, limit\)|ctx, cancel := context.WithCancel(ctx)
exercise-watch-repeat-unchecked|lessons/exercises/watch.go|if f\.dupRev != 0 && ch\.Revision == f\.dupRev \{|if false && ch.Revision == f.dupRev {
exercise-putget-no-write-between|lessons/exercises/putget.go|between, err := put\(ctx, c, "other", "a write between your Get and your Put"\)|between, err := int64(0), error(nil)
exercise-watch-no-put-before|runner/exercise/driver/runtime.go|ok && put != nil \{|ok && put != nil && false {
exercise-kept-renewals-unchecked|lessons/exercises/lease.go|if lived && n-base >= 2 && time\.Since\(last\) < life/2 \{|if lived && n-base >= 0 && time.Since(last) < 1000*life {
exercise-lock-write-unheld-unchecked|lessons/exercises/lock.go|if len\(owner\.Kvs\) == 0 \{|if len(owner.Kvs) < 0 {
exercise-lock-write-after-unlock-unchecked|lessons/exercises/lock.go|\tcase v != "41":|\tcase v != "41" && false:
exercise-lock-count-after-unlock-unchecked|lessons/exercises/lock.go|\tcase got != 1:|\tcase got < 0:
exercise-watch-nothing-reported-unsaid|lessons/exercises/watch.go|if len\(f\.got\) == 0 && len\(f\.want\) > 1 \{|if false {
exercise-lockloss-in-flight-unchecked|lessons/exercises/lockloss.go|case ok && v == "from holder 1":\n\t\treturn c\.Fail\("the checker revoked your session's lease after|case ok && v == "from holder 1" && false:\n\t\treturn c.Fail("the checker revoked your session's lease after
exercise-election-campaign-nil-trusted|lessons/exercises/election.go|\tcase err == nil:\n\t\treturn c\.Fail\("your candidate's key went|\tcase false:\n\t\treturn c.Fail("your candidate's key went
exercise-discovery-restart-unchecked|lessons/exercises/discovery.go|\tif errors\.As\(err, &f\) \{|\tif false && errors.As(err, &f) {
workspace-overwrites-learner|runner/workspace/workspace.go|case m\[f\.Path\] == hash\(old\):|case true:
own-cluster-not-restored|runner/exercise/engine.go|err = restore\(ctx, own\)|err = nil
own-cluster-not-skipped-on-endpoints|runner/exercise/engine.go|if ex\.Members > 0 && cfg\.UserCluster \{|if false {
exercise-drop-resumes|runner/exercise/driver/runtime.go|d\.waiting <- c\.Drop|d.waiting <- false
exercise-history-no-compaction|lessons/exercises/history.go|if err := compact\(ctx, c, last\); err != nil \{|if err := error(nil); err != nil {
exercise-watchresume-no-compaction|lessons/exercises/watchresume.go|\tif compact \{|\tif false {
LIST
)

check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi

# apply FILE: the mutation in $RE/$REPL, which must match exactly once.
apply() {
  RE="$re" REPL="$repl" python3 -c '
import os, re, sys
p = sys.argv[1]
src = open(p).read()
repl = os.environ["REPL"].replace("\\n", "\n").replace("\\t", "\t")
out, n = re.subn(os.environ["RE"], lambda m: repl, src)
if n != 1:
    print(n)
    sys.exit(3)
open(p, "w").write(out)' "$1"
}

failed=0
if [ $check = 1 ]; then
  # One copy of the tree; each mutation is applied, built and vetted, and its
  # file put back.
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  cp -r "$root/." "$tmp/" && rm -rf "$tmp/.git"
  n=0
  while IFS='|' read -r name file re repl; do
    [ -z "$name" ] && continue
    if [ $# -gt 0 ] && [[ "$name" != *"$1"* ]]; then continue; fi
    n=$((n+1))
    cp "$tmp/$file" "$tmp/.orig" 2>/dev/null || { echo "NO SUCH FILE   $name ($file)"; failed=1; continue; }
    # A file kept out of builds (//go:build ignore, the programs' skeleton)
    # is vetted through the package that embeds it.
    pkg=$(dirname "$file")
    if head -1 "$tmp/$file" | grep -q '^//go:build ignore'; then pkg=$(dirname "$pkg"); fi
    # An embedded asset (the --web page's script and CSS): its package.
    while ! ls "$tmp/$pkg"/*.go >/dev/null 2>&1; do pkg=$(dirname "$pkg"); done
    if ! matches=$(apply "$tmp/$file"); then
      echo "DID NOT APPLY  $name ($file): matches ${matches:-0} times, not once"
      failed=1
    elif ! out=$(cd "$tmp" && go build ./... 2>&1 && go vet "./$pkg" 2>&1); then
      echo "DOES NOT BUILD $name ($file): $(printf '%s\n' "$out" | grep -v '^#' | head -1)"
      failed=1
    fi
    mv "$tmp/.orig" "$tmp/$file"
  done <<<"$mutations"
  [ $failed = 0 ] && echo "mutate --check: $n mutations, each applies once and builds"
  exit $failed
fi

while IFS='|' read -r name file re repl; do
  [ -z "$name" ] && continue
  if [ $# -gt 0 ] && [[ "$name" != *"$1"* ]]; then continue; fi
  tmp=$(mktemp -d)
  cp -r "$root/." "$tmp/" && rm -rf "$tmp/.git"
  if ! apply "$tmp/$file" >/dev/null; then
    echo "DID NOT APPLY  $name ($file)"
    failed=1
    rm -rf "$tmp"
    continue
  fi
  # A mutation that does not build or vet tests nothing: a failure, not a catch.
  if ! (cd "$tmp" && go vet ./... >/dev/null 2>&1); then
    echo "DOES NOT BUILD $name ($file)"
    failed=1
    rm -rf "$tmp"
    continue
  fi
  start=$(date +%s)
  if (cd "$tmp" && go test -count=1 -timeout 4m ./... >"$tmp/test.log" 2>&1); then
    echo "SURVIVED       $name ($file)"
    failed=1
  else
    caught=$(grep -E '^\s*--- FAIL: Test' "$tmp/test.log" 2>/dev/null | sed 's/ (.*//; s/.*FAIL: //' | sort -u | head -3 | tr '\n' ' ')
    [ -z "$caught" ] && caught="(no test named: $(grep -m1 -E 'FAIL|panic' "$tmp/test.log"))"
    echo "caught         $name in $(( $(date +%s) - start ))s by: $caught"
  fi
  rm -rf "$tmp"
done <<<"$mutations"
exit $failed
