package e2e

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"hallway/archive"
	"hallway/chat"
	"hallway/control"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
	"hallway/internal/netlab"

	"github.com/libp2p/go-libp2p/core/peer"
)

// eventLog keeps the messages a daemon's event stream announced, as
// `hallway watch --json` prints them.
type eventLog struct {
	mu   sync.Mutex
	msgs []chat.Message
}

func watchMessages(t *testing.T, d *fleet.Daemon) *eventLog {
	t.Helper()
	l := &eventLog{}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Client().Events(ctx, func() { close(ready) }, func(e control.WireEvent) bool {
			if e.Message != nil {
				l.mu.Lock()
				l.msgs = append(l.msgs, *e.Message)
				l.mu.Unlock()
			}
			return true
		})
	}()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-ready:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: no event stream", d.Name)
	}
	return l
}

func (l *eventLog) byText(text string) (chat.Message, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.msgs {
		if m.Text == text {
			return m, true
		}
	}
	return chat.Message{}, false
}

func messageByText(msgs []chat.Message, text string) (chat.Message, bool) {
	for _, m := range msgs {
		if m.Text == text {
			return m, true
		}
	}
	return chat.Message{}, false
}

// TestRoomNamesComeFromTheKey: a member of #proj (a modified peer that
// holds the room key) posts under the name of Ann, whom Bob verified,
// written with a zero-width space and with a Cyrillic look-alike letter.
// Bob's history, event stream, command line, search and export show each
// post under the name its author's key has (none while the key was never
// met, then the name of its profile), with the warning where the claim
// looks like Ann's, and never as Ann; Ann's own posts keep her verified
// mark; the export names the key of every author and still verifies.
func TestRoomNamesComeFromTheKey(t *testing.T) {
	lab := netlab.New(t, 3)
	ds := fleet.Office(t, lab, []string{"Ann", "Bob"})
	ann, bob := ds[0], ds[1]
	annID, bobID := ann.ID(), bob.ID()
	bob.CLI("verify", annID, "--yes")
	fleet.Room(t, ds, "proj")
	room, key := ann.RoomSecret("#proj")

	adv, err := adversary.New(adversary.Config{NS: lab.Host(3), IP: lab.Host(3).IP})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { adv.Close() })
	adv.SinkProfiles()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var victims []peer.ID
	for _, d := range ds {
		id, err := adv.Connect(ctx, d.Self().Addrs[0])
		if err != nil {
			t.Fatalf("the member cannot reach %s: %v", d.Name, err)
		}
		victims = append(victims, id)
	}
	if err := adv.Join(room, key); err != nil {
		t.Fatal(err)
	}
	if err := adv.WaitTopicPeers(ctx, room, victims...); err != nil {
		t.Fatal(err)
	}
	events := watchMessages(t, bob)
	if _, err := ann.Client().SendRoom(ctx, "#proj", "the real Ann"); err != nil {
		t.Fatal(err)
	}
	claims := []struct{ name, text string }{
		{"A\u200bnn", "zero-width claim"},
		{"\u0410nn", "look-alike claim"}, // Cyrillic А
		{"\u202ennA", "bidi claim"},
	}
	post := func(seq uint64, name, text string) {
		t.Helper()
		env, err := adv.PostAs(key, room, seq, name, text)
		if err != nil {
			t.Fatal(err)
		}
		if err := adv.Publish(ctx, room, env.Marshal()); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range claims {
		post(uint64(i+1), c.name, c.text)
	}
	advID := adv.ID().String()
	bob.WaitFor("the member's posts", 30*time.Second, func() bool {
		h := bob.History("#proj")
		for _, c := range claims {
			if _, ok := messageByText(h, c.text); !ok {
				return false
			}
		}
		_, ok := messageByText(h, "the real Ann")
		return ok
	})

	// A key never met: its claims pass the checks of a profile name or
	// show no name at all; the look-alike is flagged as impersonating Ann.
	check := func(where string, m chat.Message, wantName string, warn bool) {
		t.Helper()
		if m.From != advID || m.FromName != wantName || m.FromVerified {
			t.Fatalf("%s: %q shown as %q from %s (verified %v), want %q from the member's key", where, m.Text, m.FromName, m.From, m.FromVerified, wantName)
		}
		if warn != (m.FromWarning != nil && m.FromWarning.Kind == chat.WarnImpersonation && m.FromWarning.Of == annID) {
			t.Fatalf("%s: %q warning %+v, want impersonation of Ann: %v", where, m.Text, m.FromWarning, warn)
		}
	}
	h := bob.History("#proj")
	for _, src := range []struct {
		where string
		get   func(string) (chat.Message, bool)
	}{
		{"history", func(text string) (chat.Message, bool) { return messageByText(h, text) }},
		{"watch", events.byText},
	} {
		zw, _ := src.get("zero-width claim")
		check(src.where, zw, "", false)
		look, _ := src.get("look-alike claim")
		check(src.where, look, "\u0410nn", true)
		bidi, _ := src.get("bidi claim")
		check(src.where, bidi, "", false)
		real, _ := src.get("the real Ann")
		if real.From != annID || real.FromName != "Ann" || !real.FromVerified || real.FromWarning != nil {
			t.Fatalf("%s: Ann's own post shown as %+v", src.where, real)
		}
	}
	out := bob.CLI("history", "#proj")
	if strings.Contains(out, "A\u200bnn") || strings.Contains(out, "\u202e") || !strings.Contains(out, "Ann [verified]") ||
		!strings.Contains(out, "\u0410nn [⚠ ") || !strings.Contains(out, advID) {
		t.Fatalf("bob history #proj:\n%s", out)
	}
	t.Logf("never met: shown by key, the look-alike warned:\n%s", out)

	// The member's profile arrives: every post of its key, old and new,
	// shows under the name it gave its key.
	bobPeer, _ := peer.Decode(bobID)
	if err := adv.PushProfile(ctx, bobPeer, "Mallory"); err != nil {
		t.Fatal(err)
	}
	bob.WaitFor("the member's profile", 20*time.Second, func() bool { return bob.Sees(advID, "Mallory") })
	post(uint64(len(claims)+1), "Ann", "plain claim after the profile")
	bob.WaitFor("the last post", 30*time.Second, func() bool {
		_, ok := messageByText(bob.History("#proj"), "plain claim after the profile")
		return ok
	})
	h = bob.History("#proj")
	for _, text := range []string{"zero-width claim", "look-alike claim", "bidi claim", "plain claim after the profile"} {
		m, _ := messageByText(h, text)
		check("history after the profile", m, "Mallory", false)
	}
	if m, _ := events.byText("plain claim after the profile"); m.FromName != "Mallory" {
		t.Fatalf("watch after the profile: %+v", m)
	}
	hits := fleet.Decode[[]chat.SearchHit](t, bob.CLI("search", "claim", "--json"))
	if len(hits) != 4 {
		t.Fatalf("search found %d claims, want 4: %+v", len(hits), hits)
	}
	for _, hit := range hits {
		if hit.From != advID || hit.FromName != "Mallory" {
			t.Fatalf("search hit %q shown as %q from %s", hit.Text, hit.FromName, hit.From)
		}
	}

	// The export names the key beside every name and still proves every
	// post, the hidden characters of the claims included.
	body, html := bob.ExportProved("#proj")
	authors := map[string]archive.Author{}
	for _, a := range body.Authors {
		authors[a.PeerID] = a
	}
	if a := authors[advID]; a.Name != "Mallory" || a.Fingerprint == "" || a.Verified {
		t.Fatalf("the export names the member's key %+v", a)
	}
	if a := authors[annID]; a.Name != "Ann" || !a.Verified {
		t.Fatalf("the export names Ann's key %+v", a)
	}
	for _, m := range body.Messages {
		if m.Kind == "text" && m.From != annID && m.From != advID && m.From != bobID {
			t.Fatalf("message %s from an unknown key %s", m.ID, m.From)
		}
	}
	visible := string(html[:strings.Index(string(html), `<script type="application/json"`)])
	fp := authors[advID].Fingerprint
	short := strings.Join(strings.Fields(fp)[:2], " ")
	if !strings.Contains(visible, `<span class="who">Mallory</span> <span class="fp">`+short+`</span> <span class="claim">signed as &#34;A\u200bnn&#34;</span>`) {
		t.Fatalf("the page does not show the zero-width claim under Mallory's key:\n%s", visible)
	}
	if strings.Contains(visible, "A\u200bnn") || strings.Contains(visible, "\u202e") {
		t.Fatal("the page shows a hidden character of a claim")
	}
}
