package embedded

import "maps"

// chinese is the Chinese of the embedded etcd's errors: starting it, its
// data dir and its address.
var chinese = map[string]string{
	"embedded etcd: data dir: %w": "内嵌 etcd：数据目录：%w",
	"embedded etcd: cannot make a temp dir in %s: %v (set TMPDIR to a writable directory)": "内嵌 etcd：无法在 %s 中创建临时目录：%v（请把 TMPDIR 设为可写的目录）",
	"embedded etcd: log file: %w": "内嵌 etcd：日志文件：%w",
	"data dir %s is in use by another etcd (an etcdtour serve --data-dir %s still running?): stop it or pick another --data-dir": "数据目录 %s 正被另一个 etcd 使用（某个 etcdtour serve --data-dir %s 还在运行？）：请停掉它，或者换一个 --data-dir",
	"bad listen URL %q: want http://HOST:PORT": "监听 URL %q 不对：应为 http://HOST:PORT",
	"embedded etcd did not start: %w":          "内嵌 etcd 没有启动：%w",
	"embedded etcd on %s: %s, where it served last time (%s), is taken: stop what holds it, or pass --listen with another address": "%s 上的内嵌 etcd：它上次服务的地址 %s（记在 %s）已被占用：停掉占用它的程序，或用 --listen 给另一个地址",
	"embedded etcd stopped while starting: %w": "内嵌 etcd 在启动过程中停止了：%w",
	"embedded etcd not ready after %v":         "内嵌 etcd 在 %v 后仍未就绪",
	"%w (full log: %s)":                        "%w（完整日志：%s）",
}

// Chinese returns the Chinese of the embedded etcd's errors, keyed by
// their English: main hands it, with every other package's, to
// i18n.Lang.With.
func Chinese() map[string]string { return maps.Clone(chinese) }
