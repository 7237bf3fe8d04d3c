package lessons_test

// The Chinese pages, docs/zh-CN/ID.md, are kept in step with the English
// ones: a page for every lesson, the same sections in the same order (their
// headings translated as sectionZh says), and the same ```go blocks, which
// TestDocsPerLesson checks against the lesson's program on the English page.

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"etcdtour/lessons"
	"etcdtour/runner/i18n"
)

// sectionZh is the Chinese of each section heading a lesson's page may
// have. A page with a new section adds its heading here.
var sectionZh = map[string]string{
	"What it teaches":                      "本课内容",
	"Getting the client":                   "获取客户端",
	"The calls":                            "调用",
	"The code":                             "代码",
	"etcdctl equivalents":                  "对应的 etcdctl 命令",
	"Checks":                               "检查",
	"Pitfalls":                             "易错点",
	"What the article got wrong":           "原文的问题",
	"The article":                          "原文",
	"Interactive mode: your own writes":    "交互模式：你自己写入",
	"Two facts, checked under contention":  "两个事实，在争抢下验证",
	"You hold the lock: `--interactive`":   "由你来持有锁：`--interactive`",
	"You renew the lease: `--interactive`": "由你来续租：`--interactive`",
	"Numbers seen":                         "实测数字",
	"Waits":                                "等待",
	"The program":                          "程序",
}

func TestDocsZhCN(t *testing.T) {
	t.Parallel()
	zhDir := filepath.Join(docsDir, "zh-CN")
	index, err := os.ReadFile(filepath.Join(zhDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range lessons.Course {
		t.Run(l.ID, func(t *testing.T) {
			t.Parallel()
			if link := "[" + l.ID + "](" + l.ID + ".md)"; !strings.Contains(string(index), link) {
				t.Errorf("docs/zh-CN/README.md does not list lesson %s: want a link %s", l.ID, link)
			}
			en, err := os.ReadFile(filepath.Join(docsDir, l.ID+".md"))
			if err != nil {
				t.Fatal(err)
			}
			page := filepath.Join(zhDir, l.ID+".md")
			zh, err := os.ReadFile(page)
			if err != nil {
				t.Fatalf("lesson %s has no Chinese page: %v (write it beside the English one, same sections, same ```go blocks)", l.ID, err)
			}
			if want := "# 第 " + strconv.Itoa(i+1) + " 课：" + l.ID + "\n"; !strings.HasPrefix(string(zh), want) {
				t.Errorf("%s: want its first line %q", page, strings.TrimSpace(want))
			}
			var want []string
			for _, h := range headings(string(en)) {
				c, ok := sectionZh[h]
				if !ok {
					t.Errorf("docs/%s.md has a section %q that sectionZh has no Chinese for", l.ID, h)
				}
				want = append(want, c)
			}
			if got := headings(string(zh)); !slices.Equal(got, want) {
				t.Errorf("%s: sections %q, want those of the English page: %q", page, got, want)
			}
			enGo, zhGo := goBlocks(t, "docs/"+l.ID+".md", string(en)), goBlocks(t, page, string(zh))
			if len(enGo) != len(zhGo) {
				t.Errorf("%s has %d ```go blocks, the English page %d: the same code, in the same order", page, len(zhGo), len(enGo))
			}
			for j := range min(len(enGo), len(zhGo)) {
				if !slices.Equal(enGo[j].lines, zhGo[j].lines) {
					t.Errorf("%s:%d: the ```go block differs from the English page's block %d (line %d there)", page, zhGo[j].line, j+1, enGo[j].line)
				}
			}
		})
	}
}

// headings are a page's "## " section headings, in order.
func headings(md string) []string {
	var out []string
	inFence := false
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " "), "```") {
			inFence = !inFence
		}
		if h, ok := strings.CutPrefix(line, "## "); ok && !inFence {
			out = append(out, strings.TrimSpace(h))
		}
	}
	return out
}

// TestReadmeZhCN: README.md links the Chinese README in its first lines,
// and that one has the two commands, a GOPROXY reachable from mainland
// China, and go mod download for a workshop.
func TestReadmeZhCN(t *testing.T) {
	t.Parallel()
	en, err := os.ReadFile(filepath.Join(docsDir, "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if first := strings.Join(strings.SplitN(string(en), "\n", 6)[:5], "\n"); !strings.Contains(first, "(README.zh-CN.md)") {
		t.Errorf("README.md does not link README.zh-CN.md in its first lines:\n%s", first)
	}
	zh, err := os.ReadFile(filepath.Join(docsDir, "..", "README.zh-CN.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"go run .", "go test ./...", "go env -w GOPROXY=https://goproxy.cn,direct",
		"go mod download", "(docs/zh-CN/README.md)"} {
		if !strings.Contains(string(zh), want) {
			t.Errorf("README.zh-CN.md does not say %q", want)
		}
	}
}

// TestZhNoBreakInChinese fails for a line break between two Chinese
// characters inside a paragraph of a Chinese page: Markdown keeps it, and
// most browsers draw it as a space, between two characters that
// should touch. A Chinese
// paragraph is one line; a break stays only next to Latin text, where a
// space belongs anyway.
func TestZhNoBreakInChinese(t *testing.T) {
	t.Parallel()
	pages, err := filepath.Glob(filepath.Join(docsDir, "zh-CN", "*.md"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no Chinese pages: %v", err)
	}
	pages = append(pages, filepath.Join(docsDir, "..", "README.zh-CN.md"), filepath.Join("exercises", "_code", "README.zh-CN.md"))
	wide := func(r rune) bool { return i18n.RuneWidth(r) == 2 }
	for _, page := range pages {
		md, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		code := false
		var prev string
		for i, line := range strings.Split(string(md), "\n") {
			trimmed := strings.TrimSpace(line)
			if strings.HasPrefix(trimmed, "```") {
				code, prev = !code, ""
				continue
			}
			if code {
				continue
			}
			block := blockStart.MatchString(line)
			if prev != "" && trimmed != "" && !block {
				last, _ := utf8.DecodeLastRuneInString(prev)
				first, _ := utf8.DecodeRuneInString(trimmed)
				if wide(last) && wide(first) {
					t.Errorf("%s:%d: a line break between %q and %q inside a Chinese paragraph shows as a space: join the lines", page, i, last, first)
				}
			}
			prev = strings.TrimRight(line, " ")
			if strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, "|") {
				prev = ""
			}
		}
	}
}

// blockStart matches a Markdown line that starts a block of its own: a
// list item, a heading, a table row, a quote, a fence, HTML.
var blockStart = regexp.MustCompile(`^\s*([-*+] |#|\||>|\d+\. |<)`)
