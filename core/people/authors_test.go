package people

import (
	"context"
	"testing"

	"hallway/chat"
)

// The name shown for a message comes from the author's key: a colleague
// met is shown under their profile name whatever the message claims; a
// key never met under its claim, only once it passes the checks of a
// profile name and with a warning when it looks like a known colleague's.
func TestAuthorNamesComeFromTheKey(t *testing.T) {
	ctx := context.Background()
	r := newTrustRig(t)
	authors := NewAuthors(r.book, func() string { return "Me" })
	alice, bob, mallory, stranger := newID(t), newID(t), newID(t), newID(t)
	r.store.meet(alice, "Alice", 1)
	r.store.meet(bob, "Bob", 2)
	r.store.meet(mallory, "Mallory", 3)
	if _, err := r.book.Verify(ctx, "Alice", true); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name         string
		id           string
		signed       string
		wantName     string
		wantVerified bool
		wantWarning  string // kind, and the key it points at
		wantOf       string
	}{
		{name: "a verified colleague", id: alice.String(), signed: "Alice", wantName: "Alice", wantVerified: true},
		{name: "a colleague claiming another's name", id: mallory.String(), signed: "Alice", wantName: "Mallory"},
		{name: "a colleague claiming it with a zero-width space", id: mallory.String(), signed: "Al\u200bice", wantName: "Mallory"},
		{name: "a stranger with a zero-width space", id: stranger.String(), signed: "Al\u200bice", wantName: ""},
		{name: "a stranger with a bidi override", id: stranger.String(), signed: "\u202eecilA", wantName: ""},
		{name: "a stranger with a Cyrillic look-alike", id: stranger.String(), signed: "\u0410lice",
			wantName: "\u0410lice", wantWarning: chat.WarnImpersonation, wantOf: alice.String()},
		{name: "a stranger in full-width letters", id: stranger.String(), signed: "ＡＬＩＣＥ",
			wantName: "ＡＬＩＣＥ", wantWarning: chat.WarnImpersonation, wantOf: alice.String()},
		{name: "a stranger with a known colleague's name", id: stranger.String(), signed: "bob",
			wantName: "bob", wantWarning: chat.WarnNameTaken, wantOf: bob.String()},
		{name: "a stranger with a name of their own", id: stranger.String(), signed: "Zed", wantName: "Zed"},
		{name: "a stranger with my own name", id: stranger.String(), signed: "ME",
			wantName: "ME", wantWarning: chat.WarnImpersonation, wantOf: r.net.self.String()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := authors.Author(ctx, tc.id, tc.signed)
			if got.Name != tc.wantName || got.Verified != tc.wantVerified {
				t.Fatalf("shown as %q (verified %v), want %q (verified %v)", got.Name, got.Verified, tc.wantName, tc.wantVerified)
			}
			switch {
			case tc.wantWarning == "" && got.Warning != nil:
				t.Fatalf("warning %+v", got.Warning)
			case tc.wantWarning != "" && (got.Warning == nil || got.Warning.Kind != tc.wantWarning || got.Warning.Of != tc.wantOf):
				t.Fatalf("warning %+v, want %s of %s", got.Warning, tc.wantWarning, tc.wantOf)
			}
		})
	}

	// Once the stranger's profile arrives, its name is what shows.
	r.store.meet(stranger, "Sam", 4)
	if got := authors.Author(ctx, stranger.String(), "Alice"); got.Name != "Sam" {
		t.Fatalf("after the profile arrived: %+v", got)
	}
	// Taking the verification back takes the mark away.
	if _, err := r.book.Verify(ctx, alice.String(), false); err != nil {
		t.Fatal(err)
	}
	if got := authors.Author(ctx, alice.String(), "Alice"); got.Verified {
		t.Fatalf("after unverify: %+v", got)
	}
}
