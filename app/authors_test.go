package app

import (
	"strings"
	"testing"

	"hallway/chat"
)

// A room message shows its author under the name the core gives by key,
// marked when verified and loudly warned when the name is another key's.
func TestMessageAuthorMarks(t *testing.T) {
	u := newTestUI(t, office())
	it := newMsgItem(u)
	conv := "room:" + genID
	for _, tc := range []struct {
		name  string
		m     chat.Message
		want  string
		warns bool
	}{
		{name: "verified", m: chat.Message{From: bobID, FromName: "Bob", FromVerified: true, Conversation: conv},
			want: "Bob ✓"},
		{name: "impostor", m: chat.Message{From: eveID, FromName: "Воb", Conversation: conv,
			FromWarning: &chat.NameWarning{PeerID: eveID, Kind: chat.WarnImpersonation, Of: bobID}},
			want: "⚠ Воb — not the colleague you verified", warns: true},
		{name: "no name known", m: chat.Message{From: "12D3KooWStrangerXYZ", Conversation: conv},
			want: shortID("12D3KooWStrangerXYZ")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			it.set(&m, shapeOf(&m, nil))
			if it.name.Text != tc.want {
				t.Fatalf("header %q, want %q", it.name.Text, tc.want)
			}
			if (it.name.Color == warningColor) != tc.warns {
				t.Fatalf("warning colour %v, want %v", it.name.Color == warningColor, tc.warns)
			}
			join := m
			join.Kind = "join"
			if line := systemLine(&join); !strings.HasPrefix(line, tc.want) {
				t.Fatalf("join line %q", line)
			}
		})
	}
}
