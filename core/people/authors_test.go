package people

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

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

// The name watch and the naming of authors share one read of every
// colleague per write that names someone: an office arriving moves the
// store's count with each newcomer, and each reader reading on its own
// doubled what that cost. A read that overlapped a write is not kept.
func TestNamesReadOncePerNamingWrite(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		r, bob, eve, stop := watching(t, 0, false)
		authors := NewAuthors(r.book, func() string { return "Me" })
		reads := func() int {
			synctest.Wait()
			r.store.mu.Lock()
			defer r.store.mu.Unlock()
			return r.store.listed
		}
		send := func(e chat.Event) {
			select {
			case r.bus.feed <- e:
			case <-time.After(5 * time.Second):
				t.Fatal("the watch does not take events")
			}
		}
		for range 50 {
			if got := authors.Author(ctx, bob.String(), "Robert"); got.Name != "Bob" {
				t.Fatalf("Bob shown as %+v", got)
			}
		}
		if n := reads(); n != 1 {
			t.Fatalf("colleagues read %d times by the watch's start and 50 messages of Bob, want 1", n)
		}
		r.store.meet(eve, "bob", 4)
		send(chat.PeerOnline{Peer: chat.Colleague{PeerID: eve.String(), Name: "bob"}})
		time.Sleep(watchGap)
		if n := reads(); n != 2 {
			t.Fatalf("colleagues read %d times after Eve arrived, want 2", n)
		}
		if ws := r.warnings(); len(ws) != 1 || ws[0].PeerID != eve.String() {
			t.Fatalf("warnings %+v, want one about Eve", ws)
		}
		got := authors.Author(ctx, eve.String(), "Bob")
		if got.Name != "bob" || got.Warning == nil || got.Warning.Kind != chat.WarnNameTaken || got.Warning.Of != bob.String() {
			t.Fatalf("Eve shown as %+v, want her own name with the warning that Bob had it first", got)
		}
		if n := reads(); n != 2 {
			t.Fatalf("colleagues read %d times after naming Eve's message, want still 2", n)
		}
		// Lost events with nothing written since: nothing to read again.
		send(chat.Lagged{Missed: 3})
		time.Sleep(watchGap)
		if n := reads(); n != 2 {
			t.Fatalf("colleagues read %d times after lost events and no write, want still 2", n)
		}
		// While a write is under way, what is read is not kept.
		r.store.mu.Lock()
		r.store.unsettled = true
		r.store.mu.Unlock()
		authors.Author(ctx, bob.String(), "Bob")
		authors.Author(ctx, bob.String(), "Bob")
		if n := reads(); n != 4 {
			t.Fatalf("colleagues read %d times for two messages during a write, want 4", n)
		}
		stop()
	})
}
