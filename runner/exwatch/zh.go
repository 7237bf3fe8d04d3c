package exwatch

import "maps"

// chinese is the Chinese of what the watch says.
var chinese = map[string]string{
	"All %d exercises passed.":                            "全部 %d 个练习都已通过。",
	"watching the files: %v":                              "监视文件时出错：%v",
	"checking %s…":                                        "正在检查 %s…",
	"✓ %s passed. Next: %s":                               "✓ %s 通过。下一个：%s",
	"Exercise %d of %d: %s (%s)":                          "练习 %d/%d：%s（%s）",
	"the check could not run: %v":                         "检查无法运行：%v",
	"Passed. n next · h hint · l list · r reset · q quit": "已通过。n 下一个 · h 提示 · l 列表 · r 恢复 · q 退出",
	"Passed before, not as saved now. n next · h hint · l list · r reset · q quit": "曾经通过，现在保存的版本未通过。n 下一个 · h 提示 · l 列表 · r 恢复 · q 退出",
	"Save your file to check it again. Ctrl-C quits.":                              "保存文件即重新检查。Ctrl-C 退出。",
	"Save your file to check it again. h hint · l list · r reset · q quit":         "保存文件即重新检查。h 提示 · l 列表 · r 恢复 · q 退出",
	"not reset":        "未恢复",
	"resetting %s: %v": "恢复 %s 时出错：%v",
	"%s is the starter again; yours is kept in %s": "%s 已恢复为初始代码；你的文件保存在 %s",
	"%s is the starter again":                      "%s 已恢复为初始代码",
	"no hints for %s":                              "%s 没有提示",
	"Hint %d of %d: %s":                            "提示 %d/%d：%s",
	"Read: the %s lesson (etcdtour run %s) and %s": "请读：%s 一课（etcdtour run %s）和 %s",
	"Type an exercise's number to work on it; any other key goes on here.": "输入练习编号跳到该练习；按其他键留在这里。",
	"n moves on once %s passes (h for a hint)":                             "%s 通过之后才能用 n 进入下一个（按 h 看提示）",
	"Put the starter of %s back? Your file is kept in %s/backup/. y/N":     "把 %s 恢复为初始代码吗？你的文件会保存在 %s/backup/。y/N",
	"no exercise %d: 1 to %d":                                              "没有练习 %d：编号是 1 到 %d",
}

// Chinese returns the Chinese of what the watch says, keyed by its
// English: main hands it, with every other package's, to i18n.Lang.With.
func Chinese() map[string]string { return maps.Clone(chinese) }
