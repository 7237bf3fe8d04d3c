package report

import (
	"math"

	"github.com/fatih/color"
)

// A background is what the console knows of the terminal's background.
type background int

const (
	// unknownBackground is the usual case: the theme must be readable on
	// white and on black alike (a projector's light screen, a dark
	// terminal).
	unknownBackground background = iota
	darkBackground
	lightBackground
)

// A Theme is how the console shows each kind of line: the SGR attributes of
// fatih/color, nil for the terminal's default foreground, plain.
//
// Every color a theme uses must reach WCAG's 4.5:1 contrast with xterm's
// palette on the backgrounds it is meant for: white and black for the
// default theme, black for the dark one, white for the light one
// (TestThemeContrast renders every kind of event and measures every color it
// sees). No color of xterm's 16 reaches 4.5:1 on both, so the default theme
// has only the default foreground, bold and underline on a 16-color
// terminal, and six colors of the 256-color palette where it has them. Faint
// (SGR 2) is never used: how faint it is depends on the terminal.
type Theme struct {
	Lesson  []color.Attribute // lesson and summary headings
	Step    []color.Attribute // step headings
	Code    []color.Attribute // a step's Go code
	Gutter  []color.Attribute // the │ before the code
	Boiler  []color.Attribute // a call's folded boilerplate: its marker, or its lines with --code full
	Etcdctl []color.Attribute // etcdctl lines, and the export line: what a learner copies
	Result  []color.Attribute // → results
	Pass    []color.Attribute // ✓, PASS, a passing summary
	Fail    []color.Attribute // ✗, FAILED, INTERRUPTED, notes
	Meta    []color.Attribute // the runner's own remarks: file:line, waits, cleanup, not run
	Warn    []color.Attribute // an event of a kind the console does not know
}

// fg256 is a foreground color of the 256-color palette.
func fg256(n int) []color.Attribute { return []color.Attribute{38, 5, color.Attribute(n)} }

func with(a []color.Attribute, more ...color.Attribute) []color.Attribute {
	return append(append([]color.Attribute{}, a...), more...)
}

// The six colors of xterm's 256-color palette with at least 4.5:1 on both
// white and black (TestThemeContrast lists them all).
var (
	green256  = fg256(29)  // #00875f
	blue256   = fg256(63)  // #5f5fff
	purple256 = fg256(98)  // #875fd7
	red256    = fg256(131) // #af5f5f
	pink256   = fg256(163) // #d700af
	gray256   = fg256(243) // #767676
)

var (
	bold      = []color.Attribute{color.Bold}
	underline = []color.Attribute{color.Underline}
)

// themeFor returns the theme for a terminal with that background, with 256
// colors or only 16.
func themeFor(bg background, colors256 bool) Theme {
	switch {
	case bg == darkBackground:
		// xterm's bright colors, and its gray, on black.
		return Theme{
			Lesson: []color.Attribute{color.FgHiCyan, color.Bold}, Step: bold,
			Code: []color.Attribute{color.FgCyan}, Gutter: []color.Attribute{color.FgHiBlack},
			Boiler:  []color.Attribute{color.FgHiBlack},
			Etcdctl: []color.Attribute{color.FgHiYellow}, Result: []color.Attribute{color.FgHiMagenta, color.Bold},
			Pass: []color.Attribute{color.FgHiGreen, color.Bold}, Fail: []color.Attribute{color.FgHiRed, color.Bold},
			Meta: []color.Attribute{color.FgHiBlack}, Warn: []color.Attribute{color.FgYellow},
		}
	case bg == lightBackground && colors256:
		return Theme{
			Lesson: with(blue256, color.Bold), Step: bold,
			Code: nil, Gutter: gray256, Boiler: gray256,
			Etcdctl: []color.Attribute{color.FgMagenta}, Result: with(blue256, color.Bold),
			Pass: with(fg256(28), color.Bold), Fail: []color.Attribute{color.FgRed, color.Bold},
			Meta: gray256, Warn: []color.Attribute{color.FgMagenta},
		}
	case bg == lightBackground:
		// xterm's normal red, blue and magenta on white; none of its
		// greens or grays reaches 4.5:1 there.
		return Theme{
			Lesson: []color.Attribute{color.FgBlue, color.Bold}, Step: bold,
			Code:    nil,
			Etcdctl: []color.Attribute{color.FgMagenta}, Result: []color.Attribute{color.FgHiBlue, color.Bold},
			Pass: bold, Fail: []color.Attribute{color.FgRed, color.Bold},
			Meta: nil, Warn: []color.Attribute{color.FgMagenta},
		}
	case colors256:
		return Theme{
			Lesson: with(pink256, color.Bold), Step: bold,
			Code: nil, Gutter: gray256, Boiler: gray256,
			Etcdctl: purple256, Result: with(blue256, color.Bold),
			Pass: with(green256, color.Bold), Fail: with(red256, color.Bold),
			Meta: gray256, Warn: pink256,
		}
	}
	// Readable on any background with 16 colors: the default foreground.
	return Theme{
		Lesson: with(bold, color.Underline), Step: bold,
		Etcdctl: nil, Result: bold,
		Pass: bold, Fail: bold,
		Meta: nil, Warn: underline,
	}
}

// xterm256 is xterm's default palette, for the contrast of a theme's colors
// and for telling a dark background from a light one (COLORFGBG).
var xterm256 = func() [256][3]uint8 {
	var p [256][3]uint8
	copy(p[:16], [][3]uint8{
		{0, 0, 0}, {205, 0, 0}, {0, 205, 0}, {205, 205, 0}, {0, 0, 238}, {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
		{127, 127, 127}, {255, 0, 0}, {0, 255, 0}, {255, 255, 0}, {92, 92, 255}, {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
	})
	levels := []uint8{0, 95, 135, 175, 215, 255}
	for i := 0; i < 216; i++ {
		p[16+i] = [3]uint8{levels[i/36], levels[i/6%6], levels[i%6]}
	}
	for i := 0; i < 24; i++ {
		v := uint8(8 + 10*i)
		p[232+i] = [3]uint8{v, v, v}
	}
	return p
}()

// luminance is WCAG 2's relative luminance of an sRGB color.
func luminance(c [3]uint8) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c[0]) + 0.7152*lin(c[1]) + 0.0722*lin(c[2])
}

// contrast is WCAG 2's contrast ratio of two colors, from 1 to 21.
func contrast(a, b [3]uint8) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// backgroundOf says whether the palette color n, as a background, is dark
// or light: dark when white text has more contrast on it than black.
func backgroundOf(n int) background {
	if n < 0 || n > 255 {
		return unknownBackground
	}
	c := xterm256[n]
	if contrast(c, [3]uint8{255, 255, 255}) > contrast(c, [3]uint8{}) {
		return darkBackground
	}
	return lightBackground
}
