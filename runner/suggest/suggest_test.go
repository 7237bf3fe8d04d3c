package suggest

import "testing"

func TestClosest(t *testing.T) {
	lessons := []string{"install", "put-get", "watch", "lease", "keepalive",
		"lock", "txn", "lock-loss", "election", "leader-loss", "discovery",
		"resolver", "history", "watch-away", "watch-resume", "watch-relist",
		"failover", "quorum"}
	flags := []string{"endpoints", "step", "json", "keep", "run-id",
		"prefix", "interactive", "no-code", "lang"}
	for _, c := range []struct {
		word       string
		candidates []string
		want       string // "" for no suggestion
	}{
		{"put-gte", lessons, "put-get"},  // two letters swapped
		{"putget", lessons, "put-get"},   // no dash
		{"put_get", lessons, "put-get"},  // underscore
		{"PUT-GET", lessons, "put-get"},  // case
		{"Lock", lessons, "lock"},        // case
		{"leas", lessons, "lease"},       // a letter dropped
		{"electon", lessons, "election"}, // a letter dropped, long word
		{"histroy", lessons, "history"},
		{"lockloss", lessons, "lock-loss"},
		{"endpoint", flags, "endpoints"},
		{"interactiv", flags, "interactive"},
		{"runid", flags, "run-id"},
		{"jsno", flags, "json"},
		{"x", lessons, ""},
		{"", lessons, ""},
		{"banana", lessons, ""},
		{"lo", lessons, ""}, // two edits from lock: too far for a short word
		{"wach", lessons, "watch"},
		{"lesse", lessons, "lease"},
		{"loke", lessons, ""},               // two from lock: too far
		{"cat", []string{"car", "cap"}, ""}, // one from both: no guess
	} {
		got, ok := Closest(c.word, c.candidates)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("Closest(%q) = %q, %v; want %q", c.word, got, ok, c.want)
		}
	}
}
