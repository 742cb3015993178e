package cli

import (
	"testing"
	"time"
)

func TestParseCodeExpiry(t *testing.T) {
	for in, want := range map[string]time.Duration{"2h": 2 * time.Hour, "90m": 90 * time.Minute, "30d": 30 * 24 * time.Hour, " 1d ": 24 * time.Hour} {
		if got, err := parseCodeExpiry(in); err != nil || got != want {
			t.Errorf("parseCodeExpiry(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"31d", "721h", "30s", "0", "-2h", "soon", ""} {
		if got, err := parseCodeExpiry(in); err == nil {
			t.Errorf("parseCodeExpiry(%q) = %v, want an error", in, got)
		}
	}
}
