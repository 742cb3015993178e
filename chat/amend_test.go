package chat

import (
	"strings"
	"testing"
)

func TestCheckEmoji(t *testing.T) {
	for _, ok := range []string{"👍", "🎉", "❤️", "👍🏽", "👨‍👩‍👧", "🇫🇷", "#️⃣", "✅"} {
		if err := CheckEmoji(ok); err != nil {
			t.Errorf("CheckEmoji(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "ok", "👍 ok", "1", " ", "\x00", "\u202e👍", "👍\n", strings.Repeat("👍", 9), "\xff"} {
		if err := CheckEmoji(bad); err == nil {
			t.Errorf("CheckEmoji(%q) accepted", bad)
		}
	}
}

func TestCheckAmendText(t *testing.T) {
	tests := []struct {
		kind Kind
		text string
		ok   bool
	}{
		{KindReply, "sure", true},
		{KindReply, "", false},
		{KindEdit, "fixed", true},
		{KindEdit, "  ", false},
		{KindDelete, "", true},
		{KindDelete, "x", false},
		{KindReact, "👍", true},
		{KindUnreact, "hello", false},
		{KindText, "hello", false},
	}
	for _, tc := range tests {
		if err := CheckAmendText(tc.kind, tc.text); (err == nil) != tc.ok {
			t.Errorf("CheckAmendText(%s, %q) = %v", tc.kind, tc.text, err)
		}
	}
	if !KindEdit.IsAmendment() || KindReply.IsAmendment() || !KindReply.HasRef() || KindText.HasRef() {
		t.Error("amendment kinds misclassified")
	}
}

func TestCheckRef(t *testing.T) {
	if err := CheckRef(MessageRef{ID: "abc123", From: "12D3KooW"}); err != nil {
		t.Error(err)
	}
	for _, bad := range []MessageRef{{ID: "", From: "x"}, {ID: "a b", From: "x"}, {ID: "a", From: ""}, {ID: strings.Repeat("a", 65), From: "x"}, {ID: "é", From: "x"}} {
		if CheckRef(bad) == nil {
			t.Errorf("CheckRef(%+v) accepted", bad)
		}
	}
}

func TestFirstLine(t *testing.T) {
	if got := FirstLine("one\ntwo"); got != "one" {
		t.Errorf("FirstLine = %q", got)
	}
	long := strings.Repeat("é", QuoteRunes+5)
	if got := FirstLine(long); got != strings.Repeat("é", QuoteRunes)+"…" {
		t.Errorf("FirstLine(long) = %q", got)
	}
}
