package source

import "maps"

// chinese is the Chinese of what the console says of a call of the
// runner's own methods (runnerMeaning).
var chinese = map[string]string{
	"says writes outside the lesson's keys": "说出本课 key 之外的写入",
	"--command-timeout, 5s by default":      "--command-timeout，默认 5s",
	"whether etcd still answers":            "etcd 是否仍有应答",
	"another client, made as t.Client was":  "另一个客户端，和 t.Client 一样建立",
	"whether --interactive was given":       "是否给了 --interactive",
	"the full key, prefix included":         "完整的 key，含前缀",
	"etcdctl's ETCDCTL_* for this etcd":     "连接这个 etcd 的 etcdctl 环境变量 ETCDCTL_*",
	"the members' client addresses":         "各成员的客户端地址",
	"how many members":                      "成员个数",
	"member i's name":                       "成员 i 的名字",
	"which member leads":                    "哪个成员是 leader",
	"stops member i, its data kept":         "停止成员 i，保留其数据",
	"starts member i again from its data":   "用成员 i 的数据重新启动它",
	"a client of member i alone":            "只连成员 i 的客户端",
}

// Chinese returns the package's texts in Chinese, keyed by the English.
func Chinese() map[string]string { return maps.Clone(chinese) }
