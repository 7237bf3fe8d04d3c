package report

import "maps"

// chinese is the Chinese of the console's own words: the headings, result
// words, waits, the summary, the step prompt, and the errors of the color
// flags.
var chinese = map[string]string{
	"━━ Lesson %d/%d · %s · %s ━━": "━━ 第 %d/%d 课 · %s · %s ━━",
	"got:":                         "实际：",
	"last: %s":                     "最后一次：%s",
	"want:":                        "期望：",
	"cleanup: %s":                  "清理：%s",
	"PASS %s (%s)":                 "%s 通过（%s）",
	"FAILED %s (%s)":               "%s 失败（%s）",
	"INTERRUPTED %s (%s)":          "%s 已中断（%s）",
	": %s":                         "：%s",
	"━━ Summary ━━":                "━━ 总结 ━━",
	"%d passed, %d failed":         "%d 课通过，%d 课失败",
	", %d interrupted":             "，%d 课被中断",
	", %d not run":                 "，%d 课未运行",
	"%s in %s":                     "%s，用时 %s",
	"%s waited":                    "已等待 %s",
	"… working: %s, %d request(s)": "… 进行中：%s，%d 个请求",
	"%s left":                      "还剩 %s",
	"passed":                       "通过",
	"failed":                       "失败",
	"interrupted":                  "已中断",
	"not run":                      "未运行",
	"skipped":                      "已跳过",
	"SKIP %s: %s":                  "跳过 %s：%s",
	", %d skipped":                 "，%d 课跳过",

	// The step prompt (--step) and the color policy.
	"%s %d: ":                            "%s 第 %d 步：",
	" · Enter runs it, q quits, ? keys ": " · 回车运行，q 退出，? 按键 ",
	"  ── more: Enter or Space goes on, q quits, ? keys ── ":                  "  ── 更多：回车或空格继续，q 退出，? 按键 ── ",
	"Keys: Enter, Space, → or PageDown go on · q quits at once · ? this list": "按键：回车、空格、→ 或 PageDown 继续 · q 立即退出 · ? 显示此列表",
	" (continued)":                                      "（续）",
	"// with a timeout; error returned":                 "// 带超时；出错即返回",
	"// timeout; err returned":                          "// 超时；出错返回",
	"// timeout; err":                                   "// 超时；错误",
	"// with a timeout; error returned; answer checked": "// 带超时；出错即返回；检查了应答",
	"// timeout; err returned; checked":                 "// 超时；出错返回；已检查",
	"// timeout; err; checked":                          "// 超时；错误；已检查",
	"// with a timeout; answer checked":                 "// 带超时；检查了应答",
	"// timeout; checked":                               "// 超时；已检查",
	"// error returned; answer checked":                 "// 出错即返回；检查了应答",
	"// err returned; checked":                          "// 出错返回；已检查",
	"// err; checked":                                   "// 错误；已检查",
	"// answer checked":                                 "// 检查了应答",
	"// checked":                                        "// 已检查",
	"// with a timeout":                                 "// 带超时",
	"// timeout":                                        "// 超时",
	"// error returned":                                 "// 出错即返回",
	"// err returned":                                   "// 出错返回",
	"// err":                                            "// 错误",
	"--color %q: want auto, always or never":            "--color %q：应为 auto、always 或 never",
	"--no-color and --color always disagree: give one of them": "--no-color 和 --color always 相互矛盾：只给其中一个",
	"--theme %q: want auto, dark or light":                     "--theme %q：应为 auto、dark 或 light",
}

// Chinese returns the Chinese of the console's words, keyed by
// their English: main hands it, with every other package's, to
// i18n.Lang.With.
func Chinese() map[string]string { return maps.Clone(chinese) }
