package cli

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/zh-argument-order.golden")

// orderGolden lists the Chinese texts whose arguments come in another
// order than the English's, each with that order: Chinese puts "the 3rd
// of 5" as 5 个中的第 3 个.
const orderGolden = "testdata/zh-argument-order.golden"

// TestCatalogArgumentOrder formats every translated format with one
// distinct value per argument and finds the order the values are printed
// in. The Chinese prints them in the English's order, or in the order
// orderGolden lists for that text (read by a person when it changes: go
// test -run TestCatalogArgumentOrder -update ./runner/cli): a Chinese text
// whose %[2]s and %[3]s are swapped prints the endpoint where the prefix
// belongs, and fails here whatever words are around them.
func TestCatalogArgumentOrder(t *testing.T) {
	formats := map[string]bool{}
	for _, m := range messages(t) {
		formats[m.text] = formats[m.text] || m.format
	}
	var got []string
	checked := 0
	for _, o := range owners {
		for en, zh := range o.zh {
			args := sampleArgs(en)
			if !formats[en] || len(args) < 2 {
				continue
			}
			checked++
			enOrder := argumentOrder(fmt.Errorf(en, args...).Error(), args)
			zhOrder := argumentOrder(fmt.Errorf(zh, args...).Error(), args)
			if zhOrder != enOrder {
				got = append(got, zhOrder+"\t"+strconv.Quote(en))
			}
		}
	}
	sort.Strings(got)
	got = slices.Compact(got)
	text := "# The Chinese texts whose arguments are printed in another order than\n" +
		"# the English's: the order (the English's argument numbers, as the\n" +
		"# Chinese prints them; - for one it leaves out), a tab, the English.\n" +
		strings.Join(got, "\n") + "\n"
	if *update {
		if err := os.MkdirAll(filepath.Dir(orderGolden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(orderGolden, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(orderGolden)
	if err != nil {
		t.Fatal(err)
	}
	wantLines := map[string]bool{}
	for _, l := range strings.Split(string(want), "\n") {
		wantLines[l] = true
	}
	gotLines := map[string]bool{}
	for _, l := range got {
		gotLines[l] = true
		if !wantLines[l] {
			t.Errorf("the Chinese prints the arguments in the order %s, not the English's nor the order %s lists (swapped verbs? go test -update to accept a deliberate order):\n%s", strings.Split(l, "\t")[0], orderGolden, l)
		}
	}
	for _, l := range strings.Split(string(want), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") && !gotLines[l] {
			t.Errorf("%s lists an order the Chinese no longer has (go test -update to drop it):\n%s", orderGolden, l)
		}
	}
	t.Logf("checked %d formats with 2 or more arguments, %d in an order of their own", checked, len(got))
	if checked < 50 {
		t.Fatalf("checked %d formats: the walk is broken", checked)
	}
}

// argumentOrder returns the order in which out prints the sample values
// of args: their numbers (1 for the first), in the order of their first
// appearance, then "-" for each not printed.
func argumentOrder(out string, args []any) string {
	type at struct{ n, i int }
	var seen []at
	missing := 0
	for n, a := range args {
		i := strings.Index(out, sampleText(a))
		if i < 0 {
			missing++
			continue
		}
		seen = append(seen, at{n + 1, i})
	}
	sort.Slice(seen, func(a, b int) bool { return seen[a].i < seen[b].i })
	var parts []string
	for _, s := range seen {
		parts = append(parts, strconv.Itoa(s.n))
	}
	for range missing {
		parts = append(parts, "-")
	}
	return strings.Join(parts, " ")
}
