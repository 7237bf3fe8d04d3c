package report

import (
	"strconv"
	"strings"

	"etcdtour/runner/i18n"
)

// ColorFlags are what the command line says of the console's colors.
type ColorFlags struct {
	Color   string // --color: auto, always or never
	NoColor bool   // --no-color: the same as Color never
	Theme   string // --theme: auto, dark or light, the terminal's background
}

// Colors decides the console's theme (nil: no color) and whether it
// redraws its status lines (live), for a console on stdout, which is a
// terminal or not. Explicit beats implicit, as no-color.org asks: --color
// always or never wins over NO_COLOR and TERM; --no-color is --color never.
// With --color auto, color needs a terminal, a TERM other than dumb and no
// NO_COLOR. Redraws (\r\033[K) need a terminal that is not dumb, whatever
// --color says. The theme is for the background --theme names, else the
// one COLORFGBG names, with 256 colors where TERM or COLORTERM says so.
// The error, in lang, is a usage error: a value f does not allow, or flags
// that disagree.
func Colors(lang i18n.Lang, f ColorFlags, terminal bool, getenv func(string) string) (th *Theme, live bool, err error) {
	mode := f.Color
	switch {
	case mode != "auto" && mode != "always" && mode != "never":
		return nil, false, lang.Err("--color %q: want auto, always or never", mode)
	case f.NoColor && mode == "always":
		return nil, false, lang.Err("--no-color and --color always disagree: give one of them")
	case f.NoColor:
		mode = "never"
	}
	if f.Theme != "auto" && f.Theme != "dark" && f.Theme != "light" {
		return nil, false, lang.Err("--theme %q: want auto, dark or light", f.Theme)
	}
	term := getenv("TERM")
	live = terminal && term != "dumb"
	if mode == "never" || mode == "auto" && (!live || getenv("NO_COLOR") != "") {
		return nil, live, nil
	}
	bg := unknownBackground
	switch f.Theme {
	case "dark":
		bg = darkBackground
	case "light":
		bg = lightBackground
	default:
		bg = colorFGBG(getenv("COLORFGBG"))
	}
	ct := getenv("COLORTERM")
	t := themeFor(bg, strings.Contains(term, "256color") || ct == "truecolor" || ct == "24bit")
	return &t, live, nil
}

// colorFGBG is the background that COLORFGBG names ("15;0": white on
// black; rxvt, Konsole and others set it), or unknown: its last field is the
// background's palette index, which may also be "default".
func colorFGBG(v string) background {
	if v == "" {
		return unknownBackground
	}
	f := strings.Split(v, ";")
	n, err := strconv.Atoi(f[len(f)-1])
	if err != nil || n > 15 {
		return unknownBackground
	}
	return backgroundOf(n)
}
