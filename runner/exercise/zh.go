package exercise

import "maps"

// chinese is the Chinese of the engine's words: a failed check said in
// the learner's terms, the build, the result.
var chinese = map[string]string{
	"docs/%s": "docs/zh-CN/%s",
	"%s is not an exercises workspace (no go.mod): run etcdtour exercises init there": "%s 不是练习工作区（没有 go.mod）：请在那里运行 etcdtour exercises init",
	"%s has no %s/: run etcdtour exercises init %s to add it":                         "%s 里没有 %s/：运行 etcdtour exercises init %s 把它补上",
	"checking an exercise needs the Go toolchain: no go command in PATH":              "检查练习需要 Go 工具链：PATH 里没有 go 命令",
	"go build: %v: %s": "go build：%v：%s",
	"(the errors in %s are the checker's calls of your functions: keep the names and signatures the starter gave them)": "（%s 里的错误是检查器对你的函数的调用：请保持初始代码给出的函数名和签名）",
	"deleting the check's keys under %s: %v":                    "删除该检查在 %s 下的 key 时出错：%v",
	"check %q: %w":                                              "检查 %q：%w",
	"%s returned %q: write it (the task is in its doc comment)": "%s 返回了 %q：请实现它（任务写在它的文档注释里）",
	"%s returned an error: %s":                                  "%s 返回了错误：%s",
	" at %s":                                                    "（位于 %s）",
	"%s panicked%s: %s":                                         "%s 发生了 panic%s：%s",
	"your code panicked%s: %s":                                  "你的代码发生了 panic%s：%s",
	"%s ended the whole process (%s): os.Exit or log.Fatal? return an error instead":                        "%s 结束了整个进程（%s）：用了 os.Exit 或 log.Fatal？请改为返回错误",
	"your code ended the whole process (%s): os.Exit or log.Fatal? return an error instead":                 "你的代码结束了整个进程（%s）：用了 os.Exit 或 log.Fatal？请改为返回错误",
	"not done within %v: an endless loop, a deadlock, or a call without a deadline? the checker stopped it": "%v 内没有完成：死循环、死锁，还是某个调用没有设超时？检查器已把它停掉",
	"your code does not build:": "你的代码编译不通过：",
	"your code printed:":        "你的代码打印了：",
	"learn it in: %s · %s":      "参见：%s · %s",
	"%s (not run)":              "%s（未运行）",
	"Not yet: fix the first ✗ and check again (a hint: etcdtour hint %s)":                                              "还没通过：修好第一个 ✗ 再检查一次（提示：etcdtour hint %s）",
	"%s passed in %.1fs. Next: etcdtour check %s":                                                                      "%s 通过，用时 %.1fs。下一个：etcdtour check %s",
	"%s passed in %.1fs: every exercise has passed.":                                                                   "%s 通过，用时 %.1fs：所有练习都已通过。",
	"skipped: its checks need an etcd of the checker's own, to revoke, compact or stop members on; not on --endpoints": "已跳过：它的检查需要检查器自己的 etcd，以便撤销租约、压缩或停掉成员；不在 --endpoints 上",
	"start the checker's own etcd: %w":                                                                                 "启动检查器自己的 etcd：%w",
	"remove the checker's own etcd: %w":                                                                                "移除检查器自己的 etcd：%w",
}

// Chinese returns the Chinese of the engine's words, keyed by their
// English: main hands it, with every other package's, to i18n.Lang.With.
func Chinese() map[string]string { return maps.Clone(chinese) }
