package report

import "testing"

// TestKeyOf: a presenter's keys, as terminals send them: Enter, Space, →,
// ↓ and PageDown (what a clicker sends) go on, q quits, ? asks for the
// keys; others are nothing, and the first used key of several read at
// once counts.
func TestKeyOf(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Key{
		"\r": KeyNext, "\n": KeyNext, " ": KeyNext, "\x1b[C": KeyNext, "\x1b[6~": KeyNext, "\x1bOC": KeyNext, "\x1b[B": KeyNext,
		"q": KeyQuit, "Q": KeyQuit, "\x04": KeyQuit, "?": KeyHelp,
		"x": 0, "\x1b[A": 0, "\x1b[5~": 0, "\x1b": 0, "\x1b[D": 0,
		"q\r": KeyQuit, "x\x1b[A\x1b[6~": KeyNext, "\x1b[5~q": KeyQuit,
	} {
		if got := keyOf([]byte(in)); got != want {
			t.Errorf("keyOf(%q) = %v, want %v", in, got, want)
		}
	}
}
