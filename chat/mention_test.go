package chat

import (
	"slices"
	"strings"
	"testing"
)

const (
	annKey = "12D3KooWAnnAnnAnnAnnAnnAnnAnnAnnAnnAnnAnnAnnAnnAnnA1"
	bobKey = "12D3KooWBobBobBobBobBobBobBobBobBobBobBobBobBobBobB1"
	zoeKey = "12D3KooWZoeZoeZoeZoeZoeZoeZoeZoeZoeZoeZoeZoeZoeZoeZ1"
)

func TestEncodeMentions(t *testing.T) {
	members := map[string]string{annKey: "Ann", bobKey: "Bob Smith", zoeKey: "Zoë"}
	tests := []struct{ in, want string }{
		{"hi @Ann", "hi " + MentionToken(annKey)},
		{"@bob smith, see @ANN.", MentionToken(bobKey) + ", see " + MentionToken(annKey) + "."},
		{"@Annabel is someone else", "@Annabel is someone else"},
		{"mail ann@example.com", "mail ann@example.com"},
		{"@Zoë!", MentionToken(zoeKey) + "!"},
		{"@Bob alone", "@Bob alone"},
		{"no mentions", "no mentions"},
		{"@", "@"},
	}
	for _, tc := range tests {
		if got := EncodeMentions(tc.in, members); got != tc.want {
			t.Errorf("EncodeMentions(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// A name two keys hold is not resolved to either.
	twins := map[string]string{annKey: "Ann", bobKey: "ann"}
	if got := EncodeMentions("@Ann hi", twins); got != "@Ann hi" {
		t.Errorf("a shared name became %q", got)
	}
}

func TestSplitAndRenderMentions(t *testing.T) {
	text := "ping " + MentionToken(annKey) + " and " + MentionToken(bobKey) + " and " + MentionToken(annKey) + " <@not a key> <@" + strings.Repeat("1", 65) + ">"
	if got := Mentions(text); !slices.Equal(got, []string{annKey, bobKey}) {
		t.Errorf("Mentions = %v", got)
	}
	names := map[string]string{annKey: "Ann", bobKey: "Bob"}
	got := RenderMentions(text, func(id string) string { return names[id] })
	if want := "ping @Ann and @Bob and @Ann <@not a key> <@" + strings.Repeat("1", 65) + ">"; got != want {
		t.Errorf("RenderMentions = %q", got)
	}
	parts := SplitMentions("<@" + annKey + ">x")
	if len(parts) != 2 || parts[0].Mention != annKey || parts[1].Text != "x" {
		t.Errorf("SplitMentions = %+v", parts)
	}
	if len(SplitMentions("")) != 0 {
		t.Error("empty text has parts")
	}
}

func FuzzSplitMentions(f *testing.F) {
	f.Add("hi " + MentionToken(annKey))
	f.Add("<@<@" + annKey + ">>")
	f.Add("<@>")
	f.Fuzz(func(t *testing.T, s string) {
		var b strings.Builder
		for _, p := range SplitMentions(s) {
			if p.Text == "" {
				t.Fatal("an empty part")
			}
			if p.Mention != "" && p.Text != MentionToken(p.Mention) {
				t.Fatalf("mention part %q is not its token", p.Text)
			}
			b.WriteString(p.Text)
		}
		if b.String() != s {
			t.Fatalf("parts join to %q, not %q", b.String(), s)
		}
	})
}
