// Package suggest finds the word a mistyped one most likely meant: a
// lesson ID, a command, a flag. It knows no words of its own; the caller
// gives the candidates.
package suggest

import (
	"strings"
	"unicode/utf8"
)

// Closest returns the candidate that word most likely misspells, and true;
// or "", false when none is close enough or two are equally close. Case,
// "-" and "_" do not count ("Put_Get" means "put-get"); otherwise a
// candidate is close within one edit (a letter added, dropped, changed, or
// two neighbours swapped), or two for words of six letters or more.
func Closest(word string, candidates []string) (string, bool) {
	w := fold(word)
	if w == "" {
		return "", false
	}
	limit := 1
	if utf8.RuneCountInString(w) >= 6 {
		limit = 2
	}
	best, bestD, tie := "", limit+1, false
	for _, c := range candidates {
		d := distance(w, fold(c))
		switch {
		case d < bestD:
			best, bestD, tie = c, d, false
		case d == bestD && c != best:
			tie = true
		}
	}
	if best == "" || tie {
		return "", false
	}
	return best, true
}

// fold is s lower-cased without "-" and "_".
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' {
			return -1
		}
		return r
	}, strings.ToLower(s))
}

// distance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and transpositions of neighbours,
// each 1.
func distance(a, b string) int {
	s, t := []rune(a), []rune(b)
	// d[i][j]: the distance between s[:i] and t[:j]
	d := make([][]int, len(s)+1)
	for i := range d {
		d[i] = make([]int, len(t)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(s); i++ {
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(s)][len(t)]
}
