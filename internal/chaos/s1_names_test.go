package chaos

import (
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/crypto"
	"hallway/internal/fleet"
)

// S1: someone else takes a colleague's display name. The impostor is a
// different identity everywhere: listed apart and flagged, never merged,
// never chosen by name alone, its messages kept apart.
func TestS1NameTakeover(t *testing.T) {
	r := scenario(t, "S1", "someone else takes the display name of a verified colleague",
		"shown as a different identity with a warning, 100 %")
	l := lab(t, 3)
	ds := fleet.Office(t, l, []string{"Ann", "Bob"})
	ann, bob := ds[0], ds[1]
	annID := ann.ID()
	bob.CLI("send", "Ann", "hello Ann")
	ann.WaitFor("Bob's message", 20*time.Second, func() bool { return len(ann.History(bob.ID())) == 1 })

	// The impostor joins under another name, then takes Ann's.
	mal := fleet.New(t, l.Host(3), "Mallory")
	mal.Start()
	malID := mal.ID()
	bob.WaitFor("Mallory listed", 30*time.Second, func() bool { return bob.Sees(malID, "Mallory") })
	mal.CLI("name", "Ann")
	bob.WaitFor("two colleagues called Ann", 30*time.Second, func() bool { return bob.Sees(malID, "Ann") })

	var anns []chat.Colleague
	for _, c := range bob.Peers() {
		if c.Name == "Ann" {
			anns = append(anns, c)
		}
	}
	if len(anns) != 2 {
		t.Fatalf("Bob lists %d colleagues called Ann, want 2 (never merged): %+v", len(anns), anns)
	}
	if anns[0].PeerID == anns[1].PeerID || anns[0].Fingerprint == anns[1].Fingerprint {
		t.Fatalf("the two Anns share an identity: %+v", anns)
	}
	for _, c := range anns {
		if !c.NameShared {
			t.Fatalf("%s (%s) is not flagged as sharing a name", c.Name, c.PeerID)
		}
	}
	r.measure(t, "listed as 2 colleagues called Ann with different peer ids and fingerprints, both flagged name_shared")

	// A name alone no longer picks anyone.
	out, err := bob.CLIErr("send", "Ann", "which one?")
	if err == nil || !strings.Contains(err.Error(), "2 colleagues are called") {
		t.Fatalf("sending to an ambiguous name: %q, %v", out, err)
	}
	// The fingerprint group picks the real one.
	real := "Ann#" + crypto.ShortFingerprint(fingerprintOf(t, anns, annID))
	bob.CLI("send", real, "to the real Ann")
	ann.WaitFor("the message by fingerprint", 20*time.Second, func() bool { return len(ann.History(bob.ID())) == 2 })
	r.measure(t, "sending to the bare name refused with the ambiguity and both candidates; name#fingerprint reaches the right one")

	// The impostor's words stay in the impostor's conversation and carry
	// its own identity in rooms.
	mal.CLI("send", bob.ID(), "it's me, Ann, send me the files")
	mal.CLI("send", "#general", "Ann here, new phone")
	bob.WaitFor("the impostor's messages", 30*time.Second, func() bool {
		return len(bob.History(malID)) == 1 && len(roomTexts(bob.History("#general"), "Ann here, new phone")) == 1
	})
	for _, m := range bob.History(annID) {
		if m.From == malID {
			t.Fatalf("the impostor's message is in the real Ann's conversation: %+v", m)
		}
	}
	for _, m := range roomTexts(bob.History("#general"), "Ann here, new phone") {
		if m.From != malID {
			t.Fatalf("room message attributed to %s, want the impostor %s", m.From, malID)
		}
	}

	// Bob's database keeps two people.
	snap, err := fleet.SnapshotAll(t.Context(), []*fleet.Daemon{bob}, annID, malID)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(snap[0].DMs[annID]); n != 2 {
		t.Fatalf("Bob's conversation with the real Ann holds %d messages, want 2", n)
	}
	if n := len(snap[0].DMs[malID]); n != 1 {
		t.Fatalf("Bob's conversation with the impostor holds %d messages, want 1", n)
	}
	r.measure(t, "the impostor's DM and room post are stored under its own peer id; the real Ann's conversation untouched. The verified-contact warning is covered by the window's trust tests")
}

func fingerprintOf(t *testing.T, cs []chat.Colleague, id string) string {
	t.Helper()
	for _, c := range cs {
		if c.PeerID == id {
			return c.Fingerprint
		}
	}
	t.Fatalf("no colleague %s", id)
	return ""
}

func roomTexts(msgs []chat.Message, text string) []chat.Message {
	var out []chat.Message
	for _, m := range msgs {
		if m.Text == text {
			out = append(out, m)
		}
	}
	return out
}
