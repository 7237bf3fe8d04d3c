package runner

import "testing"

// TestEqual: T.Equal compares what a program compares, as the program made
// from the lesson does (slices.Equal, maps.Equal, ==, reflect.DeepEqual).
func TestEqual(t *testing.T) {
	type pair struct{ a, b []int }
	for _, c := range []struct {
		name      string
		got, want any
		equal     bool
	}{
		{"int64 and untyped int", int64(3), 3, true},
		{"int and uint", 3, uint(3), true},
		{"negative int and uint", -1, uint(1), false},
		{"strings", "a", "a", true},
		{"string and []byte", "a", []byte("a"), false},
		{"nil and nil", nil, nil, true},
		{"nil and 0", nil, 0, false},
		{"slices", []bool{true, false}, []bool{true, false}, true},
		{"slices differ", []bool{true, false}, []bool{true, true}, false},
		{"slices of different lengths", []string{"a"}, []string{"a", "b"}, false},
		{"nil and empty slice", []string(nil), []string{}, true},
		{"slices of different types", []int{1}, []int64{1}, false},
		{"maps", map[string]int{"a": 1}, map[string]int{"a": 1}, true},
		{"maps differ", map[string]int{"a": 1}, map[string]int{"a": 2}, false},
		{"maps with other keys", map[string]int{"a": 0}, map[string]int{"b": 0}, false},
		{"slices of slices", [][]int{{1}}, [][]int{{1}}, true},
		{"slices of slices differ", [][]int{{1}}, [][]int{{2}}, false},
		{"structs with slices", pair{[]int{1}, nil}, pair{[]int{1}, nil}, true},
		{"structs with slices differ", pair{[]int{1}, nil}, pair{[]int{2}, nil}, false},
	} {
		if got := equal(c.got, c.want); got != c.equal {
			t.Errorf("%s: equal(%#v, %#v) = %v, want %v", c.name, c.got, c.want, got, c.equal)
		}
	}
}

// TestShown: Equal shows the strings of a slice quoted, and the rest as
// fmt.Sprint does.
func TestShown(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{[]string{"a b", "c"}, `["a b" "c"]`},
		{[]string{"a", ""}, `["a" ""]`},
		{[]bool{true, false}, "[true false]"},
		{"a b", "a b"},
		{int64(3), "3"},
		{nil, "<nil>"},
	} {
		if got := shown(c.v); got != c.want {
			t.Errorf("shown(%#v) = %s, want %s", c.v, got, c.want)
		}
	}
}
