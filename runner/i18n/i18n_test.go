package i18n_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"etcdtour/runner/i18n"
)

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pref string
		want i18n.Lang
		ok   bool
	}{
		{"zh", i18n.Chinese, true},
		{"zh-CN", i18n.Chinese, true},
		{"zh-Hans", i18n.Chinese, true},
		{"zh_CN.UTF-8", i18n.Chinese, true},
		{"zh_SG.GB18030", i18n.Chinese, true},
		{"en", i18n.English, true},
		{"en_US.UTF-8", i18n.English, true},
		{"en-GB", i18n.English, true},
		{"C", i18n.English, false},
		{"POSIX", i18n.English, false},
		{"", i18n.English, false},
		{"xx-not a tag", i18n.English, false},
	} {
		got, ok := i18n.Match(c.pref)
		if got != c.want || ok != c.ok {
			t.Errorf("Match(%q) = %v, %v; want %v, %v", c.pref, got, ok, c.want, c.ok)
		}
	}
}

func TestFromEnv(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want i18n.Lang
	}{
		{map[string]string{}, i18n.English},
		{map[string]string{"LANG": "zh_CN.UTF-8"}, i18n.Chinese},
		{map[string]string{"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, i18n.English},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, i18n.Chinese},
		{map[string]string{"LC_MESSAGES": "zh_CN.UTF-8", "LC_ALL": "C"}, i18n.English},
		{map[string]string{"LANG": "C", "LC_ALL": "zh_TW.UTF-8"}, i18n.Chinese},
		{map[string]string{"LANG": "zh_CN.UTF-8", "LC_ALL": ""}, i18n.Chinese}, // empty is unset
		// LANGUAGE comes first, as gettext reads it, but not with C.
		{map[string]string{"LANG": "en_US.UTF-8", "LANGUAGE": "fr:zh_CN:en"}, i18n.Chinese},
		{map[string]string{"LANG": "zh_CN.UTF-8", "LANGUAGE": "en_GB:zh"}, i18n.English},
		{map[string]string{"LANG": "C", "LANGUAGE": "zh_CN"}, i18n.English},
		{map[string]string{"LANGUAGE": "zh_CN"}, i18n.English},
		// Chinese is written in UTF-8 only.
		{map[string]string{"LANG": "zh_CN.GB18030"}, i18n.English},
		{map[string]string{"LANG": "zh_CN.utf8"}, i18n.Chinese},
		{map[string]string{"LANG": "zh_CN"}, i18n.Chinese},
	} {
		if got := i18n.FromEnv(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("FromEnv(%v) = %v, want %v", c.env, got, c.want)
		}
	}
	gb := map[string]string{"LC_ALL": "zh_CN.GB18030", "LANG": "zh_CN.UTF-8"}
	if got := i18n.NotUTF8(func(k string) string { return gb[k] }); got != "LC_ALL=zh_CN.GB18030" {
		t.Errorf("NotUTF8(%v) = %q", gb, got)
	}
	if got := i18n.NotUTF8(func(k string) string { return map[string]string{"LANG": "zh_CN.UTF-8"}[k] }); got != "" {
		t.Errorf("NotUTF8(LANG=zh_CN.UTF-8) = %q", got)
	}
}

func TestMsg(t *testing.T) {
	if got := i18n.English.Msg("deleted %d key(s)", 12345); got != "deleted 12345 key(s)" {
		t.Errorf("English: %q", got)
	}
	// Numbers are not grouped (12,345): a revision or a lease ID is copied
	// into etcdctl lines as it is printed.
	zh := i18n.Chinese.With(map[string]string{"deleted %d key(s)": "删除了 %d 个 key"}, map[string]string{"100%": "百分之百%"})
	if got := zh.Msg("deleted %d key(s)", 12345); got != "删除了 12345 个 key" {
		t.Errorf("Chinese: %q", got)
	}
	if got := i18n.Chinese.Msg("deleted %d key(s)", 12345); got != "deleted 12345 key(s)" {
		t.Errorf("Chinese with no translations (With): %q, want the English", got)
	}
	if got := zh.Msg("no such text %d", 1); got != "no such text 1" {
		t.Errorf("a text with no translation: %q, want the English", got)
	}
	if got := zh.Text("100%"); got != "百分之百%" {
		t.Errorf("Text formats: %q", got)
	}
	if got := i18n.English.With(map[string]string{"100%": "百分之百%"}).Text("100%"); got != "100%" {
		t.Errorf("English translated: %q", got)
	}
}

func TestWidth(t *testing.T) {
	for s, want := range map[string]int{
		"": 0, "abc": 3, "租约": 4, "租约 %x，TTL": 12, "é": 1, "e\u0301": 1,
		"中文课程":                  8, // wide: two columns each
		"ｅｔｃｄ":                  8, // fullwidth
		"\x1b[1;36mab\x1b[0m":   2, // colors take none
		"\r\x1b[K":              0,
		"a\tb":                  2, // a control character takes none
		"━━ Lesson 1/2 · → ✓ …": 21,
	} {
		if got := i18n.Width(s); got != want {
			t.Errorf("Width(%q) = %d, want %d", s, got, want)
		}
	}
}

// TestWidthTabs: a tab goes to the next multiple of the tab width.
func TestWidthTabs(t *testing.T) {
	for _, c := range []struct {
		s         string
		tab, want int
	}{
		{"\tx", 8, 9}, {"\tx", 4, 5}, {"\t\tx", 8, 17}, {"ab\tx", 8, 9}, {"中文\tx", 4, 9},
		{"\tx", 0, 1}, {"\x1b[1m\tx", 8, 9}, {"abcdefgh\tx", 8, 17},
	} {
		if got := i18n.WidthTabs(c.s, c.tab); got != c.want {
			t.Errorf("WidthTabs(%q, %d) = %d, want %d", c.s, c.tab, got, c.want)
		}
	}
}

func TestWrap(t *testing.T) {
	for _, c := range []struct {
		s    string
		w    int
		want string
	}{
		{"one two three", 7, "one two\nthree"},
		{"one two three", 8, "one two\nthree"},
		{"averylongword x", 5, "averylongword x"}, // as the console always did
		// A break after a clause's "，" rather than in the next one.
		{"写入和读取 key，看看 etcd", 10, "写入和读取\nkey，\n看看 etcd"},
		// No line starts with closing punctuation.
		{"一二三四，五六", 8, "一二三\n四，五六"},
		{"一二三四）五六", 8, "一二三\n四）五六"},
		{"一二三四。五六", 8, "一二三\n四。五六"},
		// No line ends with opening punctuation.
		{"一二三（四五六", 8, "一二三\n（四五六"},
		{"一二三“四五六", 8, "一二三\n“四五六"},
		{"一二三《四五六", 8, "一二三\n《四五六"},
		// A label keeps its number, and a number its unit.
		{"raft term 2，修订号 1", 18, "raft term 2，\n修订号 1"},
		{"申请 1 秒，实际给了 TTL 2 秒", 24, "申请 1 秒，\n实际给了 TTL 2 秒"},
		{"租约的 TTL 1 秒", 12, "租约的\nTTL 1 秒"},
		{"字字字字修订号 1 了", 14, "字字字字\n修订号 1 了"},
		// English keeps its ordinary spaces.
		{"at revision 1 of it", 12, "at revision\n1 of it"},
		// The clause's end is preferred only within 10 columns.
		{"一，二三四五六七八九十一二三四五六", 30, "一，二三四五六七八九十一二三四\n五六"},
	} {
		got := i18n.Wrap(c.s, c.w)
		if got != c.want {
			t.Errorf("Wrap(%q, %d) =\n%s\nwant\n%s", c.s, c.w, got, c.want)
		}
		for _, line := range strings.Split(got, "\n") {
			if i18n.Width(line) > c.w && !strings.Contains(c.s, "averylongword") {
				t.Errorf("Wrap(%q, %d): line %q is wider", c.s, c.w, line)
			}
			if r, _ := utf8.DecodeRuneInString(line); strings.ContainsRune("，。、；：）》」』”", r) {
				t.Errorf("Wrap(%q, %d): line %q starts with %q", c.s, c.w, line, r)
			}
			if r, _ := utf8.DecodeLastRuneInString(line); strings.ContainsRune("（“‘《「『【", r) {
				t.Errorf("Wrap(%q, %d): line %q ends with %q", c.s, c.w, line, r)
			}
		}
	}
}

// TestError: an error built from catalog formats comes out in the
// catalog's language, values kept and reordered as the translation says,
// a %w's text translated too; a line no format with six letters of its
// own produces stays as it was.
func TestError(t *testing.T) {
	zh := i18n.Chinese.With(map[string]string{
		"%d of %d watch events: %w":   "只收到 %[2]d 个监听事件中的 %[1]d 个：%[3]w",
		"no leader reported: %w":      "没有报告任何 leader：%w",
		"%q: %d keys, want 1":         "%q：%d 个 key，应为 1 个",
		"watch channel closed":        "监听的通道已关闭",
		"session 2 got the lock":      "会话 2 拿到了锁",
		"%s: %v":                      "%s：%v",
		"100%% of %s were deleted":    "%s 百分之百都被删除了",
		"context deadline exceeded!!": "不该用上",
	})
	for _, c := range []struct{ in, want string }{
		{"0 of 2 watch events: context deadline exceeded", "只收到 2 个监听事件中的 0 个：context deadline exceeded"},
		{"1 of 3 watch events: watch channel closed", "只收到 3 个监听事件中的 1 个：监听的通道已关闭"},
		{"no leader reported: 0 of 1 watch events: x", "没有报告任何 leader：只收到 1 个监听事件中的 0 个：x"},
		{`"name": 2 keys, want 1`, `"name"：2 个 key，应为 1 个`},
		{"session 2 got the lock\ncontext canceled", "会话 2 拿到了锁\ncontext canceled"},
		{"100% of the keys were deleted", "the keys 百分之百都被删除了"},
		{"etcdserver: request timed out", "etcdserver: request timed out"},
		{"a: b", "a: b"}, // "%s: %v" has no words of its own
	} {
		if got := zh.Error(c.in); got != c.want {
			t.Errorf("Error(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := i18n.English.Error(c.in); got != c.in {
			t.Errorf("English.Error(%q) = %q", c.in, got)
		}
	}
}

// TestChineseDurations: in a Chinese message a duration reads as prose,
// in one style, and other verbs and English are untouched.
func TestChineseDurations(t *testing.T) {
	zh := i18n.Chinese.With(map[string]string{"after %v": "%v之后", "%d ns": "%d 纳秒",
		"%s within %v, %d%%": "%[1]s 在 %[2]v 内，%[3]d%% 进度", "%s then %s": "%s 之后 %s 完成"})
	// A duration's gap before Chinese goes ("1s 内" needed it, "1 秒内"
	// does not); other args keep theirs.
	if got := zh.Msg("%s within %v, %d%%", "m1", 2*time.Second, 5); got != "m1 在 2 秒内，5% 进度" {
		t.Errorf("gap after a duration: %q", got)
	}
	if got := zh.Msg("%s then %s", "a", time.Second); got != "a 之后 1 秒完成" {
		t.Errorf("gap after a duration given to %%s: %q", got)
	}
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{time.Second, "1 秒之后"},
		{2425 * time.Millisecond, "2.425 秒之后"},
		{500 * time.Millisecond, "500 毫秒之后"},
		{2 * time.Minute, "2 分钟之后"},
		{90 * time.Second, "1 分 30 秒之后"},
		{time.Hour, "1 小时之后"},
		{1500 * time.Microsecond, "1.5 毫秒之后"},
		{0, "0 秒之后"},
		{-time.Second, "-1 秒之后"},
	} {
		if got := zh.Msg("after %v", c.d); got != c.want {
			t.Errorf("Chinese %v: %q, want %q", c.d, got, c.want)
		}
	}
	if got := zh.Msg("%d ns", 5*time.Nanosecond); got != "5 纳秒" {
		t.Errorf("%%d of a duration in Chinese: %q, want the number", got)
	}
	if got := i18n.English.Msg("after %v", time.Second); got != "after 1s" {
		t.Errorf("English: %q, want Go's own", got)
	}
	if got := zh.Err("after %v", time.Minute).Error(); got != "1 分钟之后" {
		t.Errorf("Err in Chinese: %q", got)
	}
}

// TestLangWidth: Chinese counts the ambiguous-width characters the console
// draws (━ │ → … · “ ”) as two columns, as a terminal set up for CJK
// draws them; English as one.
func TestLangWidth(t *testing.T) {
	for _, c := range []struct {
		s           string
		en, zh, raw int
	}{
		{"→ …", 3, 5, 3},
		{"━━ 第 1/18 课 ━━", 16, 20, 16},
		{"“现在”", 6, 8, 6},
		{"修订号 4", 8, 8, 8},
		{"\x1b[1m│\x1b[0m x", 3, 4, 3},
	} {
		if got := i18n.English.Width(c.s); got != c.en {
			t.Errorf("English.Width(%q) = %d, want %d", c.s, got, c.en)
		}
		if got := i18n.Chinese.Width(c.s); got != c.zh {
			t.Errorf("Chinese.Width(%q) = %d, want %d", c.s, got, c.zh)
		}
		if got := i18n.Width(c.s); got != c.raw {
			t.Errorf("Width(%q) = %d, want %d", c.s, got, c.raw)
		}
	}
}
