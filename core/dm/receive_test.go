package dm

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/p2p"
	"hallway/storage"
)

// signedBy is a text DM from author to recipient with a valid signature.
func signedBy(t *testing.T, author identity, recipient identity, id, text string) p2p.DM {
	t.Helper()
	d := p2p.DM{ID: id, Text: text, SentAt: time.Now().UnixMilli()}
	row := storage.Message{ID: d.ID, Text: d.Text, SentAt: time.UnixMilli(d.SentAt), Kind: storage.KindText}
	sig, err := Sign(author.key, row, recipient.id)
	if err != nil {
		t.Fatal(err)
	}
	d.Sig = []byte(sig)
	return d
}

// A message is stored by the time Receive returns nil, which is what
// the acknowledgement waits for; a repeat is acknowledged but not stored
// or announced again.
func TestReceiveCommitsBeforeAcknowledging(t *testing.T) {
	ann, bob := newIdentity(t), newIdentity(t)
	p := newParty(t, ann, fakeColleagues{"Bob": bob.id})
	ctx := context.Background()
	d := signedBy(t, bob, ann, "m1", "lunch?")
	for range 2 {
		if err := p.dm.Receive(ctx, bob.id, d); err != nil {
			t.Fatal(err)
		}
		m := p.store.message(t, bob.id, "m1")
		if m.Text != "lunch?" || m.State != storage.StateReceived || m.Conv != "dm:"+bob.id.String() {
			t.Fatalf("stored %+v", m)
		}
	}
	got := eventsOf[chat.MessageReceived](p)
	if len(got) != 1 || got[0].Message.FromName != "Bob" || got[0].Message.ID != "m1" {
		t.Fatalf("announced %+v", got)
	}
	if p.store.count() != 1 {
		t.Fatalf("%d rows for one message", p.store.count())
	}
}

// A message that cannot be stored is not acknowledged, so the sender
// keeps it queued, and nothing is announced.
func TestReceiveThatCannotBeStoredIsNotAcknowledged(t *testing.T) {
	ann, bob := newIdentity(t), newIdentity(t)
	p := newParty(t, ann, fakeColleagues{"Bob": bob.id})
	p.store.insertErr = errors.New("disk full")
	if err := p.dm.Receive(context.Background(), bob.id, signedBy(t, bob, ann, "m1", "hi")); err == nil {
		t.Fatal("a message that was not stored was acknowledged")
	}
	if len(p.pub.all()) != 0 {
		t.Fatal("a message that was not stored was announced")
	}
}

// A DM whose signature does not hold is kept, as the connection proved
// its sender, but without the signature.
func TestBadSignatureIsDroppedNotTheMessage(t *testing.T) {
	ann, bob, cat := newIdentity(t), newIdentity(t), newIdentity(t)
	a := newParty(t, ann, nil)
	c := newParty(t, cat, nil)
	ctx := context.Background()
	good := signedBy(t, bob, ann, "m1", "pay the invoice")
	forged := good
	forged.ID, forged.Text = "m2", "pay the invoice twice"
	for _, d := range []p2p.DM{good, forged} {
		if err := a.dm.Receive(ctx, bob.id, d); err != nil {
			t.Fatal(err)
		}
	}
	if m := a.store.message(t, bob.id, "m1"); m.Sig != string(good.Sig) {
		t.Error("a good signature was not kept")
	}
	if m := a.store.message(t, bob.id, "m2"); m.Sig != "" || m.Text != forged.Text {
		t.Errorf("a signature over other text: stored %+v", m)
	}
	// Bob's signature is for Ann: presented to Cat it proves nothing.
	if err := c.dm.Receive(ctx, bob.id, good); err != nil {
		t.Fatal(err)
	}
	if m := c.store.message(t, bob.id, "m1"); m.Sig != "" {
		t.Error("Cat kept a signature made for Ann")
	}
	// Nor does it prove anything in the name of another sender.
	if err := a.dm.Receive(ctx, cat.id, good); err != nil {
		t.Fatal(err)
	}
	if m := a.store.message(t, cat.id, "m1"); m.Sig != "" {
		t.Error("Ann kept Bob's signature on a message from Cat")
	}
}

// Attachments go to the part of the node that owns them: invitations to
// rooms (the key is not kept with the message), offers to transfers,
// status reports to transfers only.
func TestReceiveHandsAttachmentsOn(t *testing.T) {
	ann, bob := newIdentity(t), newIdentity(t)
	p := newParty(t, ann, fakeColleagues{"Bob": bob.id})
	ctx := context.Background()
	now := time.Now().UnixMilli()
	key := []byte(strings.Repeat("k", 32))
	inv := p2p.DM{ID: "i1", Text: "invited you to #ops", SentAt: now, Kind: p2p.DMKindInvite,
		Invite: &p2p.RoomInvite{Room: "r1", Name: "ops", Key: key}}
	offer := p2p.DM{ID: "f1", Text: "sent a.txt", SentAt: now, Kind: p2p.DMKindFile,
		File: &p2p.FileOffer{ID: "t1", Name: "a.txt", Size: 3, Files: 1, Hash: strings.Repeat("a", 64)}}
	status := p2p.DM{ID: "s1", Text: "declined", SentAt: now, Kind: p2p.DMKindFileStatus,
		FileStatus: &p2p.FileStatus{ID: "t0", State: "declined"}}
	for _, d := range []p2p.DM{inv, offer, status, inv, offer} {
		if err := p.dm.Receive(ctx, bob.id, d); err != nil {
			t.Fatal(err)
		}
	}
	p.spawn.wg.Wait()
	if len(p.feat.invites) != 1 || len(p.feat.offers) != 1 || len(p.feat.statuses) != 1 {
		t.Fatalf("handed on %d invitations, %d offers, %d reports; want one each",
			len(p.feat.invites), len(p.feat.offers), len(p.feat.statuses))
	}
	m := p.store.message(t, bob.id, "i1")
	var meta map[string]any
	if err := json.Unmarshal([]byte(m.Meta), &meta); err != nil || m.Kind != storage.KindInvite {
		t.Fatalf("invitation stored as %+v (%v)", m, err)
	}
	if _, ok := meta["key"]; ok || meta["key_sha256"] == "" || meta["room"] != "r1" {
		t.Errorf("invitation meta %s", m.Meta)
	}
	if m := p.store.message(t, bob.id, "f1"); m.Kind != storage.KindFile || !strings.Contains(m.Meta, `"t1"`) {
		t.Errorf("offer stored as %+v", m)
	}
	if p.store.count() != 2 {
		t.Errorf("%d rows; a status report is applied, not stored", p.store.count())
	}
}

// A frame whose kind promises an attachment it lacks is refused before
// anything reads it.
func TestReceiveRefusesHostileFrames(t *testing.T) {
	ann, bob := newIdentity(t), newIdentity(t)
	p := newParty(t, ann, fakeColleagues{"Bob": bob.id})
	now := time.Now().UnixMilli()
	for _, d := range []p2p.DM{
		{ID: "x1", Text: "invite", SentAt: now, Kind: p2p.DMKindInvite},
		{ID: "x2", Text: "file", SentAt: now, Kind: p2p.DMKindFile},
		{ID: "x3", Text: "status", SentAt: now, Kind: p2p.DMKindFileStatus},
	} {
		if err := p.dm.Receive(context.Background(), bob.id, d); !errors.Is(err, p2p.ErrBadFrame) {
			t.Errorf("%s: err = %v", d.ID, err)
		}
	}
	p.spawn.wg.Wait()
	if p.store.count() != 0 || len(p.pub.all()) != 0 || len(p.feat.invites)+len(p.feat.offers)+len(p.feat.statuses) != 0 {
		t.Fatal("a refused frame left a trace")
	}
}
