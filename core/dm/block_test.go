package dm

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Nothing a blocked colleague sends is kept, shown or handed on: text,
// file offers, invitations and file status reports are refused (not
// acknowledged), and nothing is written to them.
func TestBlockedColleagueRefusedBothWays(t *testing.T) {
	ann, mal := newIdentity(t), newIdentity(t)
	p := newParty(t, ann, fakeColleagues{"Mallory": mal.id})
	p.blocks.block(mal.id)
	ctx := context.Background()
	offer := signedBy(t, mal, ann, "f1", "a file")
	offer.Kind, offer.File = p2p.DMKindFile, &p2p.FileOffer{ID: "t1", Name: "x.pdf", Size: 10, Files: 1, Hash: string(make([]byte, 64))}
	invite := signedBy(t, mal, ann, "i1", "join")
	invite.Kind, invite.Invite = p2p.DMKindInvite, &p2p.RoomInvite{Room: "r", Name: "r", Key: make([]byte, 32)}
	status := p2p.DM{ID: "s1", SentAt: time.Now().UnixMilli(), Kind: p2p.DMKindFileStatus, FileStatus: &p2p.FileStatus{ID: "t", State: "declined"}}
	for _, d := range []p2p.DM{signedBy(t, mal, ann, "m1", "abuse"), offer, invite, status} {
		if err := p.dm.Receive(ctx, mal.id, d); err == nil {
			t.Fatalf("%s from a blocked colleague was acknowledged", d.Kind)
		}
	}
	if n := p.store.count(); n != 0 {
		t.Fatalf("%d rows stored from a blocked colleague", n)
	}
	if len(p.pub.all()) != 0 {
		t.Fatal("something from a blocked colleague was announced")
	}
	p.feat.mu.Lock()
	handed := len(p.feat.offers) + len(p.feat.invites) + len(p.feat.statuses)
	p.feat.mu.Unlock()
	if handed != 0 {
		t.Fatalf("%d attachments of a blocked colleague handed on", handed)
	}
	if _, err := p.dm.Send(ctx, "Mallory", "stop it"); !errors.Is(err, ErrBlocked) {
		t.Fatalf("writing to a blocked colleague: %v", err)
	}
	meta, _ := json.Marshal(offer.File)
	if _, err := p.dm.Queue(ctx, mal.id, "file", p2p.DMKindFile, string(meta)); !errors.Is(err, ErrBlocked) {
		t.Fatalf("offering a file to a blocked colleague: %v", err)
	}
	if p.store.count() != 0 {
		t.Fatal("a message to a blocked colleague was stored")
	}
}

// A message to several colleagues (a room's new key) leaves out one who
// is blocked and still reaches the others, in one commit.
func TestQueueAllLeavesOutTheBlocked(t *testing.T) {
	ann, bob, mal := newIdentity(t), newIdentity(t), newIdentity(t)
	p := newParty(t, ann, fakeColleagues{"Bob": bob.id, "Mallory": mal.id})
	p.blocks.block(mal.id)
	msgs, err := p.dm.QueueAll(context.Background(), []peer.ID{bob.id, mal.id}, "key", p2p.DMKindRoomKey, "{}")
	if !errors.Is(err, ErrBlocked) {
		t.Fatalf("QueueAll with a blocked colleague: %v, want ErrBlocked", err)
	}
	if len(msgs) != 1 || p.store.count() != 1 {
		t.Fatalf("%d messages returned, %d stored; want Bob's alone", len(msgs), p.store.count())
	}
}
