package web

import "maps"

// chinese is the Chinese of the page's own words.
var chinese = map[string]string{
	"--web %s: %w":                    "--web %s：%w",
	"etcdtour, live":                  "etcdtour 实时画面",
	"Lesson":                          "课程",
	"etcd, live":                      "etcd 实时状态",
	"revision":                        "修订号",
	"Keys under the lesson's prefix":  "本课前缀下的键",
	"key":                             "键",
	"value":                           "值",
	"create rev":                      "创建修订号",
	"mod rev":                         "修改修订号",
	"version":                         "版本",
	"lease":                           "租约",
	"no keys":                         "没有键",
	"Revisions":                       "修订号时间线",
	"Leases":                          "租约",
	"no leases":                       "没有租约",
	"ended":                           "已结束",
	"Lock and election queues":        "锁和选举队列",
	"no queues":                       "没有队列",
	"holder":                          "持有者",
	"waiting":                         "等待中",
	"The lesson's watches":            "本课的 watch",
	"no watches":                      "没有 watch",
	"from rev":                        "起始修订号",
	"now":                             "从现在起",
	"events":                          "个事件",
	"cancelled":                       "已取消",
	"Members":                         "成员",
	"leader":                          "leader",
	"not answering":                   "无应答",
	"Next":                            "下一步",
	"Next (→ or space) runs the step": "下一步（→ 或空格）运行这一步",
	"paused before step %s":           "暂停在第 %s 步之前",
	"following the presenter":         "跟随演示者",
	"the run has ended":               "运行已结束",
	"connection lost: the run has ended or etcdtour stopped": "连接已断开：运行已结束或 etcdtour 已退出",
	"%s more":                      "还有 %s 项",
	"waiting for the run to start": "等待运行开始",
	"passed":                       "通过",
	"failed":                       "失败",
	"skipped":                      "已跳过",
	"not run":                      "未运行",
	"interrupted":                  "已中断",
	"step":                         "步骤",
}

// Chinese returns the Chinese of the page's words, keyed by the English.
func Chinese() map[string]string { return maps.Clone(chinese) }
