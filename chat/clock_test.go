package chat

import (
	"testing"
	"time"
)

func TestShownTime(t *testing.T) {
	received := time.UnixMilli(1_763_000_000_000)
	cases := []struct {
		name      string
		sent      time.Time
		shown     time.Time
		claimKept bool
	}{
		{"written before it arrived", received.Add(-time.Hour), received.Add(-time.Hour), false},
		{"a clock slightly ahead", received.Add(MaxClockSkew), received.Add(MaxClockSkew), false},
		{"a clock too far ahead", received.Add(MaxClockSkew + time.Millisecond), received, true},
		{"a year ahead", received.AddDate(1, 0, 0), received, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ShownTime(tc.sent, received); !got.Equal(tc.shown) {
				t.Fatalf("ShownTime = %v, want %v", got, tc.shown)
			}
			var m Message
			m.SetTime(tc.sent, received)
			if !m.Time.Equal(tc.shown) || m.ClaimedTime.IsZero() == tc.claimKept {
				t.Fatalf("SetTime: time %v, claimed %v", m.Time, m.ClaimedTime)
			}
			if tc.claimKept && !m.ClaimedTime.Equal(tc.sent) {
				t.Fatalf("claimed %v, want %v", m.ClaimedTime, tc.sent)
			}
		})
	}
	if got := ShownTime(received.AddDate(1, 0, 0), time.Time{}); !got.Equal(received.AddDate(1, 0, 0)) {
		t.Fatal("with no time received there is nothing to clamp to")
	}
}
