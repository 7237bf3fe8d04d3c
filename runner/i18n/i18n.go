// Package i18n is the language etcdtour speaks: English, the language its
// source is written in, or Simplified Chinese, the language of the article
// the course started from.
//
// Every text a learner reads is written once, in English, where it is used
// (a lesson's t.Say, a command's help, an error), and that English text is
// the key of its translation in a catalog per language
// (golang.org/x/text/message/catalog): lessons keep one source text, and
// "show --program" prints clean code. A format string's translation keeps
// its verbs, so Msg formats it with the same arguments. The catalog's texts
// are in zh_*.go; a test fails when a text has no Chinese, when a
// translation's verbs differ from its key's, or when a line is too wide.
package i18n

import (
	"fmt"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message/catalog"
)

// A Lang is a language the course speaks. The zero Lang is English.
type Lang struct {
	tag language.Tag
}

var (
	// English is the language of the source: its texts are the catalog's keys.
	English = Lang{language.English}
	// Chinese is Simplified Chinese (zh-Hans).
	Chinese = Lang{language.SimplifiedChinese}
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

// FromEnv is the language of messages the environment asks for, in POSIX
// precedence: LC_ALL, else LC_MESSAGES, else LANG, the first that is set
// and not empty. "C" and "POSIX", and any locale no supported language
// matches, give English.
func FromEnv(getenv func(string) string) Lang {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(name); v != "" {
			l, _ := Match(v) // "C" does not parse: English
			return l
		}
	}
	return English
}

// Tag is l's BCP 47 tag: "en" or "zh-Hans".
func (l Lang) Tag() language.Tag {
	if l.tag == (language.Tag{}) {
		return language.English
	}
	return l.tag
}

func (l Lang) String() string { return l.Tag().String() }

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
// same arguments (in its own order, with %[n]v, if it must).
func (l Lang) Msg(format string, args ...any) string {
	if tr, ok := l.lookup(format); ok {
		return fmt.Sprintf(tr, args...)
	}
	return fmt.Sprintf(format, args...)
}

// Err is fmt.Errorf of format's translation: %w wraps as it does there.
func (l Lang) Err(format string, args ...any) error {
	if tr, ok := l.lookup(format); ok {
		return fmt.Errorf(tr, args...)
	}
	return fmt.Errorf(format, args...)
}

// lookup finds key's translation into l, if the catalog has one.
func (l Lang) lookup(key string) (string, bool) {
	if l.IsEnglish() {
		return "", false
	}
	var r text
	if err := cat.Context(l.Tag(), &r).Execute(key); err != nil {
		return "", false
	}
	return string(r), true
}

// text receives a message of the catalog as it is stored: the format
// string, not yet formatted (Msg formats it with fmt, whose verbs the
// keys use; message.Printer would also group digits, 12345 as 12,345,
// which a revision or a lease ID must not be).
type text string

func (t *text) Render(s string) { *t += text(s) }
func (t *text) Arg(i int) any   { return nil }

// cat is the catalog: each language's translations, keyed by the English.
var cat = func() *catalog.Builder {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for _, tr := range translations {
		for _, m := range tr.maps {
			for k, v := range m {
				if err := b.SetString(tr.lang.Tag(), k, v); err != nil {
					panic(fmt.Sprintf("i18n: %q: %v", k, err))
				}
			}
		}
	}
	return b
}()

// translations are the catalog's texts, by language and by the part of
// etcdtour they are for.
var translations = []struct {
	lang Lang
	maps []map[string]string
}{
	{Chinese, []map[string]string{zhMain, zhRunner, zhLessons}},
}

// Translations returns the texts translated into l, keyed by the English:
// for tests.
func Translations(l Lang) map[string]string {
	out := map[string]string{}
	for _, tr := range translations {
		if tr.lang == l {
			for _, m := range tr.maps {
				for k, v := range m {
					out[k] = v
				}
			}
		}
	}
	return out
}
