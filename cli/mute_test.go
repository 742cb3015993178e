package cli

import (
	"testing"
	"time"
)

func TestParseUntil(t *testing.T) {
	now := time.Date(2026, 12, 4, 15, 30, 0, 0, time.Local)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"1h", now.Add(time.Hour)},
		{"2h30m", now.Add(150 * time.Minute)},
		{"2d", now.AddDate(0, 0, 2)},
		{"tomorrow", time.Date(2026, 12, 5, 8, 0, 0, 0, time.Local)},
		{"2026-12-06", time.Date(2026, 12, 6, 0, 0, 0, 0, time.Local)},
		{"2026-12-04T17:00", time.Date(2026, 12, 4, 17, 0, 0, 0, time.Local)},
	} {
		got, err := parseUntil(tc.in, now)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("parseUntil(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "soon", "-1h", "0s", "2026-12-01", "3m ago"} {
		if got, err := parseUntil(bad, now); err == nil {
			t.Errorf("parseUntil(%q) = %v", bad, got)
		}
	}
}
