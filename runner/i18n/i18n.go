// Package i18n is the language etcdtour speaks: English, the language its
// source is written in, or Simplified Chinese, the language of the article
// the course started from.
//
// Every text a learner reads is written once, in English, where it is used
// (a lesson's t.Say, a command's help, an error), and that English text is
// the key of its translation: lessons keep one source text, and
// "show --program" prints clean code. A format string's translation keeps
// its verbs, so Msg formats it with the same arguments.
//
// This package is the machinery only: matching a language, looking a text
// up, display widths. The translations belong to the package whose code
// says each text (its zh.go); main assembles them into the catalog of the
// language it speaks, with Lang.With, at start-up. A test of main fails
// when a text has no Chinese, when a translation's verbs differ from its
// key's, or when a line is too wide.
package i18n

import (
	"fmt"
	"strings"

	"golang.org/x/text/language"
)

// A Lang is a language the course speaks, with the translations it was
// given (With). The zero Lang is English.
type Lang struct {
	tag language.Tag
	cat *catalog // nil: no translations (English, or before With)
}

// catalog holds a language's translations, keyed by the English.
type catalog struct {
	texts map[string]string
}

var (
	// English is the language of the source: its texts are the catalog's keys.
	English = Lang{tag: language.English}
	// Chinese is Simplified Chinese (zh-Hans).
	Chinese = Lang{tag: language.SimplifiedChinese}
)

// supported are the languages etcdtour speaks, English first: it is what
// anything that matches none of them gets.
var supported = []Lang{English, Chinese}

var matcher = func() language.Matcher {
	tags := make([]language.Tag, len(supported))
	for i, l := range supported {
		tags[i] = l.tag
	}
	return language.NewMatcher(tags)
}()

// Names are the values --lang takes, as help shows them.
const Names = "en, zh"

// Match returns the supported language that best matches pref: a BCP 47
// tag ("zh", "zh-CN", "en-GB") or a POSIX locale ("zh_CN.UTF-8",
// "de_DE@euro"). ok is false when pref names no language, or one that no
// supported language matches (then l is English).
func Match(pref string) (l Lang, ok bool) {
	tag, err := language.Parse(posixToBCP47(pref))
	if err != nil {
		return English, false
	}
	_, i, conf := matcher.Match(tag)
	if conf == language.No {
		return English, false
	}
	return supported[i], true
}

// posixToBCP47 turns a POSIX locale, language[_territory][.codeset][@modifier],
// into a tag language.Parse reads: the codeset and modifier say nothing
// about the language of messages.
func posixToBCP47(s string) string {
	if i := strings.IndexAny(s, ".@"); i >= 0 {
		s = s[:i]
	}
	return strings.ReplaceAll(s, "_", "-")
}

// FromEnv is the language of messages the environment asks for, as
// gettext reads it: the locale is LC_ALL, else LC_MESSAGES, else LANG, the
// first that is set and not empty; unless it is "C" or "POSIX" (or unset),
// LANGUAGE, a list of languages separated by ':', comes first, its first
// supported one. Any locale no supported language matches gives English,
// and so does one whose codeset is not UTF-8 (zh_CN.GB18030): etcdtour
// writes UTF-8 only, and its Chinese would come out garbled there
// (NotUTF8 names the variable).
func FromEnv(getenv func(string) string) Lang {
	l, _ := fromEnv(getenv)
	return l
}

// NotUTF8 returns "NAME=value" of the locale variable whose codeset made
// FromEnv fall back to English (LANG=zh_CN.GB18030), or "".
func NotUTF8(getenv func(string) string) string {
	_, bad := fromEnv(getenv)
	return bad
}

func fromEnv(getenv func(string) string) (l Lang, notUTF8 string) {
	name, v := "", ""
	for _, n := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v = getenv(n); v != "" {
			name = n
			break
		}
	}
	if v == "" || v == "C" || v == "POSIX" || strings.HasPrefix(v, "C.") {
		return English, ""
	}
	l, ok := Match(v) // "C" does not parse: English
	for _, pref := range strings.Split(getenv("LANGUAGE"), ":") {
		if m, found := Match(pref); found && pref != "" {
			l, ok = m, true
			break
		}
	}
	if !ok || l.IsEnglish() {
		return English, ""
	}
	if cs := codeset(v); cs != "" && cs != "utf8" {
		return English, name + "=" + v
	}
	return l, ""
}

// codeset is the codeset of a POSIX locale, lower case without '-' or
// '_' ("utf8", "gb18030"), or "" if it names none.
func codeset(locale string) string {
	_, cs, ok := strings.Cut(locale, ".")
	if !ok {
		return ""
	}
	cs, _, _ = strings.Cut(cs, "@")
	return strings.NewReplacer("-", "", "_", "").Replace(strings.ToLower(cs))
}

// Tag is l's BCP 47 tag: "en" or "zh-Hans".
func (l Lang) Tag() language.Tag {
	if l.tag == (language.Tag{}) {
		return language.English
	}
	return l.tag
}

func (l Lang) String() string { return l.Tag().String() }

// With returns l speaking with the given translations into l: each map
// holds the texts of one package, keyed by their English. They are copied.
// When two maps translate one text, the later one's translation is used
// (main's test makes sure that no two packages translate a text). English,
// the language of the keys, takes no translations: With returns it as it
// is.
func (l Lang) With(texts ...map[string]string) Lang {
	if l.IsEnglish() {
		return l
	}
	c := &catalog{texts: map[string]string{}}
	if l.cat != nil {
		for k, v := range l.cat.texts {
			c.texts[k] = v
		}
	}
	for _, m := range texts {
		for k, v := range m {
			c.texts[k] = v
		}
	}
	return Lang{tag: l.tag, cat: c}
}

// IsEnglish reports whether l is English, the source's language.
func (l Lang) IsEnglish() bool { return l.Tag() == language.English }

// Text returns the translation of s, or s itself in English or when the
// catalog has none. s is not a format: a "%" in it stays.
func (l Lang) Text(s string) string {
	if tr, ok := l.lookup(s); ok {
		return tr
	}
	return s
}

// Msg is fmt.Sprintf of format's translation: the translation uses the
// same arguments (in its own order, with %[n]v, if it must). In Chinese a
// time.Duration prints as prose does ("500 毫秒", not "500ms").
func (l Lang) Msg(format string, args ...any) string {
	if tr, ok := l.lookup(format); ok {
		return fmt.Sprintf(zhFormat(tr, args), zhArgs(args)...)
	}
	return fmt.Sprintf(format, args...)
}

// Join lists items as l writes a list: "a, b" in English, "a、b" in
// Chinese.
func (l Lang) Join(items []string) string {
	if l.Tag() == Chinese.Tag() {
		return strings.Join(items, "、")
	}
	return strings.Join(items, ", ")
}

// Err is fmt.Errorf of format's translation: %w wraps as it does there.
func (l Lang) Err(format string, args ...any) error {
	if tr, ok := l.lookup(format); ok {
		return fmt.Errorf(zhFormat(tr, args), zhArgs(args)...)
	}
	return fmt.Errorf(format, args...)
}

// lookup finds key's translation into l, if l was given one (With).
func (l Lang) lookup(key string) (string, bool) {
	if l.IsEnglish() || l.cat == nil {
		return "", false
	}
	tr, ok := l.cat.texts[key]
	return tr, ok
}
