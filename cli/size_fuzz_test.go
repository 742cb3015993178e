package cli

import "testing"

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
