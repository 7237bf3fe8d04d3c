package cli

// watchChinese is the Chinese of etcdtour watch's command line (watch.go).
var watchChinese = map[string]string{
	"work on the exercises: each save is checked again": "做练习：每次保存都会重新检查",
	"Watch shows the exercise you are working on and its last result, and checks it\nagain each time you save its file; once it passes, it moves on to the next.\nKeys: h a hint, l the list (then a number to go to one), n the next exercise\n(once this one passed), r put the starter back (asks first; yours is kept in\n.etcdtour/backup/), q quit. The checks run as etcdtour check runs them: on an\nembedded etcd, or yours with --endpoints. Progress is saved in the workspace.\n": "watch 显示你正在做的练习和它最近一次的检查结果，你每保存一次文件就重新检查\n一次；通过后自动进入下一个练习。按键：h 提示，l 练习列表（再按编号跳到该练习），\nn 下一个练习（本练习通过之后），r 恢复初始代码（会先确认；你的文件保存在\n.etcdtour/backup/），q 退出。检查方式与 etcdtour check 相同：在内嵌的 etcd 上，\n或用 --endpoints 在你自己的 etcd 上。进度保存在工作区里。\n",
	"watch takes no arguments, got %q: it starts at the first exercise not passed":     "watch 不接受参数，收到了 %q：它从第一个未通过的练习开始",
	"watch has no --json: it is for a person at a terminal; use etcdtour check --json": "watch 没有 --json 选项：它是给终端前的人用的；请用 etcdtour check --json",
}
