package cli

import (
	"testing"
	"time"
)

// FuzzParseSize: sizes come from flags and scripts; any string either
// parses to a size of zero or more bytes or is refused, never a panic.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"500M", "2G", "1.5GB", "1048576", "-1", "1e400T", "NaNM", "Inf", "0x10", " 3 KiB ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseSize(s)
		if err == nil && n < 0 {
			t.Fatalf("parseSize(%q) = %d", s, n)
		}
	})
}

// FuzzParseExpire: how long a file is shared comes from a flag; any
// string either parses to a time from a minute to ten years or is
// refused, never a panic or an overflow.
func FuzzParseExpire(f *testing.F) {
	for _, s := range []string{"7d", "30d", "12h", "90m", "1s", "0d", "-1d", "3651d", "99999999999999999999d", "1e9h", "d", " 2d ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseExpire(s)
		if err == nil && (d < time.Minute || d > 3650*24*time.Hour) {
			t.Fatalf("parseExpire(%q) = %v", s, d)
		}
	})
}
