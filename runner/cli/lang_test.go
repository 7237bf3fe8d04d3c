package cli

import (
	"context"
	"strings"
	"testing"
)

// TestLang: --lang, else LC_ALL, LC_MESSAGES or LANG, chooses the language
// of what etcdtour says; --lang wins over the environment, and a language
// etcdtour does not speak is a usage error.
func TestLang(t *testing.T) {
	t.Parallel()
	zhEnv := map[string]string{"LANG": "zh_CN.UTF-8"}
	for _, c := range []struct {
		name string
		env  map[string]string
		argv []string
		want string // in the output of list
	}{
		{"default", nil, []string{"list"}, "Put and Get"},
		{"LANG", zhEnv, []string{"list"}, "Put 与 Get"},
		{"LC_MESSAGES over LANG", map[string]string{"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, []string{"list"}, "Put 与 Get"},
		{"LC_ALL over both", map[string]string{"LC_ALL": "C", "LC_MESSAGES": "zh_CN.UTF-8"}, []string{"list"}, "Put and Get"},
		{"--lang zh", nil, []string{"list", "--lang", "zh"}, "Put 与 Get"},
		{"--lang zh-CN", nil, []string{"--lang=zh-CN", "list"}, "Put 与 Get"},
		{"--lang en over LANG", zhEnv, []string{"list", "--lang", "en"}, "Put and Get"},
	} {
		var b strings.Builder
		code, _, _ := runWith(context.Background(), c.env, &b, c.argv...)
		if out := b.String(); code != exitOK || !strings.Contains(out, c.want) {
			t.Errorf("%s: etcdtour %q exited %d, want 0 and %q in:\n%s", c.name, c.argv, code, c.want, out)
		}
	}
	code, out, _ := runWith(context.Background(), nil, &strings.Builder{}, "list", "--lang", "fr")
	if code != exitUsage || !strings.Contains(out, `--lang "fr"`) {
		t.Errorf("--lang fr: exited %d, want %d and an error naming it:\n%s", code, exitUsage, out)
	}
}

// TestLangHelpAndErrors: with --lang zh, help, a command's help and a usage
// error are in Chinese; with --lang en and LANG=zh_CN.UTF-8, in English.
func TestLangHelpAndErrors(t *testing.T) {
	t.Parallel()
	zhEnv := map[string]string{"LANG": "zh_CN.UTF-8"}
	for _, c := range []struct {
		env       map[string]string
		argv      []string
		code      int
		want, not string // in stdout and stderr
	}{
		{nil, []string{"--lang", "zh", "--help"}, exitOK, "用法：etcdtour", "Usage:"},
		{nil, []string{"--lang", "zh", "run", "--help"}, exitOK, "连接选项", "Connection flags"},
		{nil, []string{"--lang", "zh", "help", "serve"}, exitOK, "单独启动内嵌的 etcd", "Serve starts"},
		{zhEnv, []string{"--help"}, exitOK, "用法：etcdtour", "Usage:"},
		{zhEnv, []string{"--lang", "en", "--help"}, exitOK, "Usage: etcdtour", "用法"},
		{nil, []string{"--lang", "zh", "run", "nosuch"}, exitUsage, "未知的课程 \"nosuch\"", "unknown lesson"},
		{nil, []string{"--lang", "zh", "--bogus"}, exitUsage, "没有这个选项：--bogus", "not defined"},
		{zhEnv, []string{"--dial-timeout", "x"}, exitUsage, "应为时长", "want a duration"},
		{nil, []string{"--lang", "zh", "list", "--program"}, exitUsage, "不是 \"list\" 的选项", "is not a flag"},
		{zhEnv, []string{"--lang", "en", "run", "nosuch"}, exitUsage, "unknown lesson", "未知"},
	} {
		var b strings.Builder
		code, stderr, _ := runWith(context.Background(), c.env, &b, c.argv...)
		out := b.String() + stderr
		if code != c.code || !strings.Contains(out, c.want) || strings.Contains(out, c.not) {
			t.Errorf("LANG=%q etcdtour %q exited %d (want %d); want %q and not %q in:\n%s", c.env["LANG"], c.argv, code, c.code, c.want, c.not, out)
		}
	}
}
