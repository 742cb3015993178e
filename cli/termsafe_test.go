package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"hallway/chat"
	"hallway/control"
)

// hostile holds what a colleague could put in a text or a name to take over
// a terminal: clear screen, an OSC 8 hyperlink, carriage return, backspace,
// a right-to-left override, a C1 CSI (as a rune and as a lone byte), and DEL.
const hostile = "hi\x1b[2J\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x07\rover\bwrite\u202eevil\u009b31m\x9b\x7f end"

// rawControls lists what must never reach the terminal as is.
var rawControls = []string{"\x1b", "\r", "\b", "\x07", "\u202e", "\u009b", "\x9b", "\x7f"}

func assertTerminalSafe(t *testing.T, what, out string) {
	t.Helper()
	for _, c := range rawControls {
		if strings.Contains(out, c) {
			t.Errorf("%s prints a raw %q:\n%q", what, c, out)
		}
	}
	for _, want := range []string{`\x1b[2J`, `\x0d`, `\x08`, `\u202e`, `\u009b`, `\x9b`} {
		if !strings.Contains(out, want) {
			t.Errorf("%s does not show %s visibly:\n%q", what, want, out)
		}
	}
}

func TestSafeLineAndText(t *testing.T) {
	for in, want := range map[string]string{
		"plain":            "plain",
		"café ✓ 🙂":         "café ✓ 🙂",
		"a\nb":             `a\x0ab`,
		"tab\there":        `tab\x09here`,
		"\x1b[31mred":      `\x1b[31mred`,
		"\u2066iso\u2069":  `\u2066iso\u2069`,
		"\xff\xfe":         `\xff\xfe`,
		`\x1b is harmless`: `\x1b is harmless`,
	} {
		if got := safeLine(in); got != want {
			t.Errorf("safeLine(%q) = %q, want %q", in, got, want)
		}
	}
	if got, want := safeText("one\ntwo\x1b\nthree", "    "), "one\n    two\\x1b\n    three"; got != want {
		t.Errorf("safeText = %q, want %q", got, want)
	}
}

func TestHumanOutputEscapesHostileText(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	msg := chat.Message{ID: "m1", From: "12D3KooWpeer", FromName: hostile, Text: hostile + "\nsecond line", Time: now}

	var b bytes.Buffer
	printMessages(&b, []chat.Message{msg}, func(id string) string { return id })
	assertTerminalSafe(t, "history", b.String())
	if !strings.Contains(b.String(), "\n    second line\n") {
		t.Errorf("history loses the message's own line break:\n%q", b.String())
	}

	b.Reset()
	printHits(&b, []chat.SearchHit{{ID: "m1", Conversation: "#" + hostile, Room: true, From: "p", FromName: hostile, Time: now, Text: hostile, Snippet: hostile}})
	assertTerminalSafe(t, "search", b.String())

	for _, e := range []control.WireEvent{
		{Type: "message", Message: &msg},
		{Type: "peer", Peer: &chat.Colleague{Name: hostile, Status: "away", StatusText: hostile}},
		{Type: "self", Self: &chat.Self{Name: hostile, StatusText: hostile}},
	} {
		assertTerminalSafe(t, "watch "+e.Type, describeEvent(e))
	}

	b.Reset()
	printPeers(&b, []chat.Colleague{{PeerID: "p", Name: hostile, StatusText: hostile, Problem: "x"}})
	assertTerminalSafe(t, "peers", b.String())

	b.Reset()
	printRooms(&Env{Stdout: &b}, []chat.Room{{ID: "r1", Name: hostile}})
	assertTerminalSafe(t, "room list", b.String())

	b.Reset()
	if err := printTransfers(&b, []chat.Transfer{{ID: "t1", Name: hostile, PeerName: hostile, State: "offered", Error: hostile}}); err != nil {
		t.Fatal(err)
	}
	assertTerminalSafe(t, "file list", b.String())
}

func TestJSONOutputKeepsHostileTextExact(t *testing.T) {
	// A lone 0x9b is not UTF-8, and JSON can only carry UTF-8; the text a
	// node stores and serves is UTF-8, so the round trip is checked on that.
	text := strings.ToValidUTF8(hostile, "") + "\nsecond line"
	msg := chat.Message{ID: "m1", From: "p", FromName: text, Text: text}

	var b bytes.Buffer
	if err := printJSON(&b, []chat.Message{msg}); err != nil {
		t.Fatal(err)
	}
	var back []chat.Message
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != 1 || back[0].Text != text || back[0].FromName != text {
		t.Fatalf("history --json changed the text: %+v", back)
	}

	line, err := jsonLine(control.WireEvent{Type: "message", Message: &msg})
	if err != nil {
		t.Fatal(err)
	}
	var ev control.WireEvent
	if err := json.Unmarshal([]byte(line), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Message == nil || ev.Message.Text != text || ev.Message.FromName != text {
		t.Fatalf("watch --json changed the text: %+v", ev.Message)
	}
	// JSON escapes C0 controls; other characters travel as they are, which
	// a script expects, so only the C0 ones are checked here.
	for _, c := range []string{"\x1b", "\r", "\b", "\x07"} {
		if strings.Contains(line, c) || strings.Contains(b.String(), c) {
			t.Errorf("JSON output carries a raw %q", c)
		}
	}
}

// FuzzSafeText: whatever a colleague sends, the escaped form is valid UTF-8
// with no character a terminal would act on (newlines only where safeText
// keeps them), and text with nothing to escape is printed unchanged.
func FuzzSafeText(f *testing.F) {
	for _, s := range []string{"", "hello", hostile, "a\nb\r\nc", "\xc2", "\u202e\u2066", "\x1b]8;;x\x07", "🙂\u200d🙂"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line, text := safeLine(s), safeText(s, "    ")
		for _, out := range []string{line, text} {
			if !utf8.ValidString(out) {
				t.Fatalf("escaped %q is not UTF-8: %q", s, out)
			}
			for _, r := range out {
				if unsafeRune(r) && !(r == '\n' && out == text) {
					t.Fatalf("escaped %q still holds %U: %q", s, r, out)
				}
			}
		}
		if strings.Count(line, "\n") != 0 || strings.Count(text, "\n") != strings.Count(s, "\n") {
			t.Fatalf("line breaks of %q: line %q, text %q", s, line, text)
		}
		if !needsEscape(s, false) && line != s {
			t.Fatalf("safeLine changed harmless %q to %q", s, line)
		}
	})
}
