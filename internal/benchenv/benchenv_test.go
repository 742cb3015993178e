package benchenv

import (
	"slices"
	"testing"
)

func TestOfficeSizes(t *testing.T) {
	for _, tc := range []struct {
		env  string
		want []int
		bad  bool
	}{
		{"", []int{50, 100, 200}, false},
		{"50, 100", []int{50, 100}, false},
		{"1", nil, true},
		{"fifty", nil, true},
		{"10,,20", nil, true},
	} {
		t.Setenv("HALLWAY_OFFICE_SIZES", tc.env)
		got, err := OfficeSizes()
		if (err != nil) != tc.bad || !slices.Equal(got, tc.want) {
			t.Errorf("HALLWAY_OFFICE_SIZES=%q: got %v, %v; want %v (error: %v)", tc.env, got, err, tc.want, tc.bad)
		}
	}
}
