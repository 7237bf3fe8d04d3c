package runner

import "maps"

// chinese is the Chinese of the runner's own words: choosing lessons, the
// run's notes, the clean-up, how a lesson ended, a cluster that lost its
// leader, and a lesson's own etcd.
var chinese = map[string]string{
	// run.go and t.go: the run, its lessons, the clean-up
	"cleanup: %s": "清理：%s",
	"↑ it blocks the shell: run it in a terminal of its own, or end it with &": "↑ 它会阻塞 shell：请在另一个终端里运行，或在末尾加上 &",
	"↑ not replayable: etcdctl %s blocks the shell, in a session of its own":   "↑ 不能照抄到 shell 里重放：etcdctl %s 会阻塞 shell，用的是它自己的会话",
	"interrupted": "已中断",
	"%s was written, outside the watched key\n%s: this watch does not see it": "写入的是 %s，在被监听的 key\n%s 之外：这个监听看不到它",

	// wire.go: etcd's answer to an etcdctl line, in brief (etcdctl.Reply)
	"revision=%d":               "revision=%d",
	"count=%d, revision=%d":     "count=%d, revision=%d",
	"deleted=%d, revision=%d":   "deleted=%d, revision=%d",
	"succeeded=%v, revision=%d": "succeeded=%v, revision=%d",
	"ID=%x, TTL=%d":             "ID=%x, TTL=%d",
	"revoked, revision=%d":      "已撤销，revision=%d",
	"TTL=%d, keys=%d":           "TTL=%d, keys=%d",
	"leases=%d":                 "leases=%d",
	"version=%s, leader=%x":     "version=%s, leader=%x",
	"members=%d":                "members=%d",
	"compacted, revision=%d":    "已压缩，revision=%d",
	"defragmented":              "已整理碎片",
	"error: %s":                 "错误：%s",

	"etcd %s at %s · keys under %s\netcdctl lines below assume: export %s": "etcd %s，地址 %s · key 都在 %s 之下\n下面的 etcdctl 命令假定已执行：export %s",
	"etcd at %s no longer answers (no endpoint within %v)":                 "%s 上的 etcd 已无应答（%v 内没有可用的 endpoint）",
	"%s: the lessons after %s are not run":                                 "%s：%s 之后的课程不再运行",

	// quorum.go and fence.go: a cluster that lost its leader, fences
	"%s: answers, knows no leader": "%s：有应答，但不知道 leader 是谁",
	"%s: no answer":                "%s：无应答",
	"the etcd cluster has no leader (%s): nothing can be read or written until most of its members are back":                                      "etcd 集群没有 leader（%s）：在多数成员恢复之前，什么都读不了也写不了",
	"could not create the lesson's fence %s: %w":                                                                                                  "无法创建本课的防护 key %s：%w",
	"the run's lease %x was also asked of a member that did not answer, which may still grant it later (for %d s): etcdctl lease revoke %x":       "本次运行的租约 %x 也曾向一个没有应答的成员申请，它之后仍可能创建这个租约（%d 秒）：etcdctl lease revoke %x",
	"could not revoke the run's lease %x (%v), which holds its fences: etcdctl lease revoke %x (it also runs out %d s after the cluster is back)": "无法撤销本次运行的租约 %x（%v），它挂着各课的防护 key：etcdctl lease revoke %x（集群恢复 %d 秒后它也会自行到期）",
	"could not delete the keys under %s: etcdctl del %s && etcdctl del --prefix %s":                                                               "无法删除 %s 下的 key：etcdctl del %s && etcdctl del --prefix %s",
	"cleanup: lease %x was asked for and got no answer: a member may still grant it later (for %d s): etcdctl lease revoke %x":                    "清理：申请租约 %x 的请求没有得到应答：某个成员以后仍可能创建它（有效 %d 秒）：etcdctl lease revoke %x",
	"lease %x may still be granted later: etcdctl lease revoke %x":                                                                                "租约 %x 以后仍可能被创建：etcdctl lease revoke %x",
	"could not revoke lease %x: etcdctl lease revoke %x":                                                                                          "无法撤销租约 %x：etcdctl lease revoke %x",
	"panic: %v":                "panic：%v",
	"connect: %w":              "连接：%w",
	"did not finish within %v": "未能在 %v 内完成",

	// slow.go: a cluster that was slow, not the lesson
	"(the cluster was slow, not the lesson: %d of this step's requests took %v or more, the slowest (%s) %v; at the start it answered in %v)":                   "（慢的是集群，不是本课：这一步有 %d 个请求用了 %v 或更久，最慢的（%s）用了 %v；开始时集群 %v 就能应答）",
	"the cluster was slow: %d request(s) took %v or more, the slowest (%s) %v, where it answered in %v at the start: a busy or distant cluster, not the lesson": "集群很慢：有 %d 个请求用了 %v 或更久，最慢的（%s）用了 %v，而开始时它 %v 就能应答：是集群繁忙或距离远，不是本课的问题",
	"etcd %s at %s is too old for this lesson: it does not implement a call the lesson makes (%v); run it against a newer etcd":                                 "%[2]s 上的 etcd %[1]s 版本太旧，无法运行本课：它没有实现本课用到的某个调用（%[3]v）；请换用更新的 etcd",
	"%d check(s) failed": "%d 项检查失败",
	"step %d (%s): %s":   "第 %d 步（%s）：%s",
	"kept (--keep); see them with: etcdctl get --prefix %s":  "已保留（--keep）；查看：etcdctl get --prefix %s",
	"nothing to keep (--keep): the lesson deleted its keys":  "没有可保留的（--keep）：本课已删除了自己的 key",
	"cleanup: revoke lease %x: %v (etcdctl lease revoke %x)": "清理：撤销租约 %x 失败：%v（etcdctl lease revoke %x）",
	"revoked %d lease(s)":    "撤销了 %d 个租约",
	"cleanup: delete %q: %v": "清理：删除 %q 失败：%v",
	"could not delete the keys under %s: etcdctl del --prefix %s": "无法删除 %s 下的 key：etcdctl del --prefix %s",
	"deleted %d key(s)":   "删除了 %d 个 key",
	"nothing left behind": "没有留下任何东西",
	", ":                  "，",
	"%s: got %v, want %v": "%s：实际 %v，期望 %v",

	"(and %d more requests like these, not shown: the lines do not replay)":                                      "（还有 %d 个类似的请求没有显示：照抄这些命令重放不出这一步）",
	"--run-id %q: want 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit, such as alice": "--run-id %q：应为 1 到 64 个 ASCII 字母、数字、'-'、'_' 或 '.'，以字母或数字开头，如 zhangsan（拼音）",

	// term.go: a leader change
	"the leader changed at %s (raft term %d → %d): a new leader gives every lease its full TTL again (etcd-io/etcd#9395), so a wait for a lease to expire may last up to a TTL longer":                    "leader 在 %s 换了（raft term %d → %d）：新 leader 会给每个租约重新计满 TTL（etcd-io/etcd#9395），所以等租约到期可能要多等最多一个 TTL",
	"the leader changed during the lesson, by %s (raft term %d → %d): a new leader gives every lease its full TTL again (etcd-io/etcd#9395), so a wait for a lease to expire may last up to a TTL longer": "本课运行期间 leader 换了，不晚于 %s（raft term %d → %d）：新 leader 会给每个租约重新计满 TTL（etcd-io/etcd#9395），所以等租约到期可能要多等最多一个 TTL",
	"%s; %s": "%s；%s",

	// alarm.go: a raised alarm
	"etcd raised the NOSPACE alarm (member %s): its database reached its quota (--quota-backend-bytes), and the cluster refuses every write until the alarm is disarmed. Free space and disarm it: etcdctl alarm list; etcdctl compact REVISION; etcdctl defrag; etcdctl alarm disarm":                                                  "etcd 触发了 NOSPACE 告警（成员 %s）：它的数据库已达到配额（--quota-backend-bytes），在告警解除之前，集群拒绝一切写入。请释放空间并解除告警：etcdctl alarm list; etcdctl compact REVISION; etcdctl defrag; etcdctl alarm disarm",
	"etcd raised the CORRUPT alarm (member %s): that member's data differs from the others', and the cluster refuses every write until the alarm is disarmed. Replace the member and disarm it: etcdctl alarm list; etcdctl member remove ID; etcdctl member add NAME --peer-urls=URL (start it with empty data); etcdctl alarm disarm": "etcd 触发了 CORRUPT 告警（成员 %s）：该成员的数据与其他成员不一致，在告警解除之前，集群拒绝一切写入。请替换该成员并解除告警：etcdctl alarm list; etcdctl member remove ID; etcdctl member add NAME --peer-urls=URL（以空数据启动它）; etcdctl alarm disarm",

	// run.go and owncluster.go: a lesson's own etcd (Lesson.Needs)
	"an etcd of its own":                      "一个专属的 etcd",
	"an etcd cluster of its own (%d members)": "一个专属的 %d 成员 etcd 集群",
	"needs %s to compact and stop, never the cluster --endpoints names: run it without --endpoints":                              "需要%s 来压缩和停止，绝不动 --endpoints 指定的集群：请去掉 --endpoints 运行",
	"This lesson runs on %s, started\nfor it alone and removed after it. Its etcdctl lines assume:\nexport ETCDCTL_ENDPOINTS=%s": "本课使用%s（只为本课启动，\n课后即删除）。本课的 etcdctl 命令假定：\nexport ETCDCTL_ENDPOINTS=%s",
	"cleanup: remove the lesson's own etcd: %v":                "清理：删除本课专属的 etcd 失败：%v",
	"start the lesson's own etcd: %w":                          "启动本课专属的 etcd：%w",
	"connect to the lesson's own etcd: %w":                     "连接本课专属的 etcd：%w",
	"stopped its own etcd (%d member(s)) and removed its data": "已停止本课专属的 etcd（%d 个成员）并删除其数据",

	// lesson.go and run.go: choosing lessons, --prefix and --run-id
	"--prefix %q must end in \"/\", such as /etcdtour/":                                      "--prefix %q 必须以 \"/\" 结尾，例如 /etcdtour/",
	"--prefix %q has a control character (%U): use printable characters, such as /etcdtour/": "--prefix %q 含有控制字符（%U）：请只用可打印字符，例如 /etcdtour/",
	"user %q may not read and write %s on %s: grant one of its roles readwrite there (etcdctl role grant-permission ROLE --prefix=true readwrite %s), or pick a --prefix it may use":                "用户 %[1]q 不能读写 %[3]s 上的 %[2]s：请给它的某个角色授予那里的 readwrite（etcdctl role grant-permission ROLE --prefix=true readwrite %[4]s），或者换一个它能用的 --prefix",
	"%d key(s) already exist under %s on %s: they may be another person's run, still going: pick another --run-id; if no one else runs with this one, delete them with: %s etcdctl del --prefix %s": "%[3]s 上的 %[2]s 之下已有 %[1]d 个 key：它们可能属于另一个人仍在进行的运行：请换一个 --run-id；如果确定没有别人在用这个 run id，这样删除它们：%[4]s etcdctl del --prefix %[5]s",
	"unknown lesson %q":                                             "未知的课程 %q",
	"unknown lesson %q: did you mean %q?":                           "未知的课程 %q：你是想说 %q 吗？",
	"lesson range %q is backwards: write %d-%d":                     "课程范围 %q 是反的：请写成 %d-%d",
	"lesson number %q out of range: the course has lessons 1 to %d": "课程编号 %q 超出范围（共 %d 课）",
}

// Chinese returns the Chinese of the runner's own words, keyed by their
// English: main hands it, with every other package's, to i18n.Lang.With.
func Chinese() map[string]string { return maps.Clone(chinese) }
