package chat

import (
	"testing"
	"time"
)

func TestNotifies(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	plain := Message{From: bobKey, Kind: "text", Text: "hi"}
	mention := Message{From: bobKey, Kind: "reply", Text: MentionToken(annKey), Mentions: []string{annKey}}
	tests := []struct {
		name        string
		m           Message
		level       NotifyLevel
		dnd         time.Time
		notify, men bool
	}{
		{"all", plain, NotifyAll, time.Time{}, true, false},
		{"muted", plain, NotifyMentions, time.Time{}, false, false},
		{"muted, mentioned", mention, NotifyMentions, time.Time{}, true, true},
		{"nothing, mentioned", mention, NotifyNone, time.Time{}, false, true},
		{"do not disturb", mention, NotifyAll, now.Add(time.Hour), false, true},
		{"do not disturb over", plain, NotifyAll, now.Add(-time.Hour), true, false},
		{"own", Message{From: annKey, Kind: "text", Outgoing: true}, NotifyAll, time.Time{}, false, false},
		{"a reaction", Message{From: bobKey, Kind: "react", Text: "👍"}, NotifyAll, time.Time{}, false, false},
		{"a join", Message{From: bobKey, Kind: "join"}, NotifyAll, time.Time{}, false, false},
	}
	for _, tc := range tests {
		n, m := Notifies(tc.m, annKey, tc.level, tc.dnd, now)
		if n != tc.notify || m != tc.men {
			t.Errorf("%s: notify %v mention %v, want %v %v", tc.name, n, m, tc.notify, tc.men)
		}
	}
}

func TestMuteRunsOut(t *testing.T) {
	now := time.Now()
	m := Mute{Level: NotifyMentions, Until: now.Add(time.Hour)}
	if m.LevelAt(now) != NotifyMentions || m.LevelAt(now.Add(time.Hour)) != NotifyAll {
		t.Error("a mute until a time")
	}
	if (Mute{Level: NotifyNone}).LevelAt(now.AddDate(1, 0, 0)) != NotifyNone {
		t.Error("a mute until changed ran out")
	}
	if (Mute{}).LevelAt(now) != NotifyAll {
		t.Error("no mute is not all")
	}
	for _, s := range []string{"all", "mentions", "none"} {
		if _, err := ParseNotifyLevel(s); err != nil {
			t.Error(err)
		}
	}
	if _, err := ParseNotifyLevel("some"); err == nil {
		t.Error("a level some")
	}
}
