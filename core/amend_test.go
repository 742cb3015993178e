package core

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"hallway/archive"
	"hallway/chat"
	"hallway/p2p"
)

// byID finds the message with id in msgs.
func byID(msgs []chat.Message, id string) (chat.Message, bool) {
	i := slices.IndexFunc(msgs, func(m chat.Message) bool { return m.ID == id })
	if i < 0 {
		return chat.Message{}, false
	}
	return msgs[i], true
}

// roomMsgs is a room's history as n shows it.
func (n *node) roomMsgs(room string) []chat.Message {
	n.t.Helper()
	msgs, err := n.RoomHistory(context.Background(), room, nil, 1000)
	if err != nil {
		n.t.Fatal(err)
	}
	return msgs
}

func TestAmendmentsInADM(t *testing.T) {
	ctx := context.Background()
	ann, bob := pairOnline(t)
	annID := ann.ID().String()

	m, err := ann.Send(ctx, "Bob", "lunch at 1?")
	if err != nil {
		t.Fatal(err)
	}
	bob.waitFor("the message", func() bool { return len(bob.history(annID)) == 1 })
	if _, err := bob.Edit(ctx, m.ID, "not mine"); err == nil {
		t.Fatal("Bob edited Ann's message")
	}
	if _, err := bob.Delete(ctx, m.ID); err == nil {
		t.Fatal("Bob deleted Ann's message")
	}
	if _, err := ann.Edit(ctx, m.ID, "lunch at noon?"); err != nil {
		t.Fatal(err)
	}
	r, err := bob.Reply(ctx, m.ID, "noon works")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.React(ctx, m.ID, "👍"); err != nil {
		t.Fatal(err)
	}
	// Toggling twice leaves the reaction off; a third time on.
	for range 2 {
		if _, err := bob.React(ctx, m.ID, "🎉"); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []*node{ann, bob} {
		n.waitFor("the fold", func() bool {
			h := n.history(map[bool]string{true: bob.ID().String(), false: annID}[n == ann])
			orig, ok := byID(h, m.ID)
			reply, rok := byID(h, r.ID)
			return ok && rok && len(h) == 2 && orig.Text == "lunch at noon?" && orig.Edited &&
				len(orig.Versions) == 1 && orig.Versions[0].Text == "lunch at 1?" &&
				len(orig.Reactions) == 1 && orig.Reactions[0].Emoji == "👍" && orig.Reactions[0].Count == 1 &&
				reply.ReplyTo != nil && reply.ReplyTo.ID == m.ID && reply.ReplyTo.Text == "lunch at noon?" &&
				reply.ReplyTo.FromName == "Ann"
		})
	}
	if _, err := ann.Delete(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	bob.waitFor("the stub", func() bool {
		h := bob.history(annID)
		orig, _ := byID(h, m.ID)
		reply, _ := byID(h, r.ID)
		return orig.Deleted && orig.Text == "" && orig.Versions == nil && orig.Reactions == nil &&
			reply.ReplyTo != nil && reply.ReplyTo.Deleted && reply.ReplyTo.Text == ""
	})
	if _, err := ann.Edit(ctx, m.ID, "back again"); err == nil {
		t.Fatal("a deleted message was edited")
	}
	orig := func(n *node) chat.Message {
		if n == ann {
			return ann.history("Bob")[0]
		}
		return bob.history("Ann")[0]
	}
	// No legal hold covers the conversation: the message and its edit are
	// erased everywhere, stubs with nothing to prove; the reply, 3
	// reactions and the delete stay signed (and the node's own join of
	// #general).
	for _, n := range []*node{ann, bob} {
		n.waitFor("every amendment", func() bool {
			am, _ := n.store.Amendments(ctx, orig(n).Conversation, []string{m.ID})
			return len(am) == 5 // the edit, 3 reactions, the delete
		})
		data, _ := exportOf(t, n, ExportOptions{})
		if r := archive.Verify(data); !r.OK() || r.Verified != 6 || r.Unsigned != 2 {
			t.Errorf("%s's export: %+v", n.currentProfile().Name, r)
		}
		if bytes.Contains(data, []byte("lunch at")) || !bytes.Contains(data, []byte(`"kind":"delete"`)) {
			t.Errorf("%s's export keeps the deleted text, or lacks the delete", n.currentProfile().Name)
		}
	}
}

// A modified client sends an edit and a delete of someone else's message:
// the recipient refuses both, and its view does not change.
func TestAnEditOfAnothersDMIsRefused(t *testing.T) {
	ctx := context.Background()
	ann, bob := pairOnline(t)
	m, err := ann.Send(ctx, "Bob", "the report is due friday")
	if err != nil {
		t.Fatal(err)
	}
	bob.waitFor("the message", func() bool { return len(bob.history("Ann")) == 1 })
	// Bob's modified client names Ann's message in its own edit.
	for _, kind := range []string{"edit", "delete"} {
		text := "the report is cancelled"
		if kind == "delete" {
			text = ""
		}
		forged := p2p.DM{ID: chat.NewMessageID(), Text: text, SentAt: time.Now().UnixMilli(), Kind: kind,
			Ref: &p2p.MessageRef{ID: m.ID, From: ann.ID().String()}}
		err := bob.node.SendDMs(ctx, ann.ID(), []p2p.DM{forged}, func(p2p.DM) error { return nil })
		if err == nil {
			t.Errorf("Ann acknowledged Bob's %s of her message", kind)
		}
	}
	h := ann.history("Bob")
	if len(h) != 1 || h[0].Text != "the report is due friday" || h[0].Edited || h[0].Deleted {
		t.Fatalf("Ann's view changed: %+v", h)
	}
	if am, _ := ann.store.Amendments(ctx, h[0].Conversation, []string{m.ID}); len(am) != 0 {
		t.Fatalf("Ann stored %d forged amendments", len(am))
	}
}

func TestAmendmentsInARoomConverge(t *testing.T) {
	ctx := context.Background()
	ann, bob, cat, room := trio(t)
	m, err := ann.SendRoom(ctx, room, "standup at 9")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []*node{bob, cat} {
		n.waitFor("the post", func() bool { _, ok := byID(n.roomMsgs(room), m.ID); return ok })
	}
	if _, err := ann.Edit(ctx, m.ID, "standup at 9:30"); err != nil {
		t.Fatal(err)
	}
	r, err := cat.Reply(ctx, m.ID, "ok")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []*node{ann, bob, cat} {
		if _, err := n.React(ctx, m.ID, "👍"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := bob.React(ctx, m.ID, "👍"); err != nil { // Bob takes his back
		t.Fatal(err)
	}
	// Bob's modified client posts an edit naming Ann's message: stored
	// like any post of his, it changes nothing.
	if _, err := bob.rooms.PostRef(ctx, room, chat.KindEdit, chat.MessageRef{ID: m.ID, From: ann.ID().String()}, "cancelled"); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.rooms.PostRef(ctx, room, chat.KindDelete, chat.MessageRef{ID: m.ID, From: ann.ID().String()}, ""); err != nil {
		t.Fatal(err)
	}
	want := func(n *node) bool {
		h := n.roomMsgs(room)
		orig, ok := byID(h, m.ID)
		reply, rok := byID(h, r.ID)
		return ok && rok && orig.Text == "standup at 9:30" && orig.Edited && !orig.Deleted &&
			len(orig.Reactions) == 1 && orig.Reactions[0].Count == 2 &&
			slices.Equal(orig.Reactions[0].By, sortedIDs(ann, cat)) &&
			reply.ReplyTo != nil && reply.ReplyTo.Text == "standup at 9:30"
	}
	for _, n := range []*node{ann, bob, cat} {
		n.waitFor("the fold", func() bool {
			if !want(n) {
				return false
			}
			// Bob's forged posts arrived too (they are after the fold's
			// inputs in his sequence).
			am, _ := n.store.Amendments(ctx, chat.RoomConv(room).String(), []string{m.ID})
			return len(am) == 7
		})
	}
	// A legal hold on the room at Cat's keeps the original there.
	if _, err := cat.PlaceHold(ctx, room, "audit"); err != nil {
		t.Fatal(err)
	}
	if _, err := ann.Delete(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*node{ann, bob, cat} {
		n.waitFor("the stub", func() bool {
			orig, _ := byID(n.roomMsgs(room), m.ID)
			return orig.Deleted && orig.Text == "" && orig.Reactions == nil
		})
	}
	data, _ := exportOf(t, cat, ExportOptions{In: room})
	if r := archive.Verify(data); !r.OK() || r.Tampered != 0 || r.Unsigned != 0 {
		t.Errorf("the room's export at Cat's: %+v", r)
	}
	if !bytes.Contains(data, []byte(`"text":"standup at 9"`)) || !bytes.Contains(data, []byte(`"text":"standup at 9:30"`)) {
		t.Error("Cat's hold did not keep both versions in the export")
	}
	data, _ = exportOf(t, bob, ExportOptions{In: room})
	if r := archive.Verify(data); !r.OK() || r.Tampered != 0 || r.Unsigned != 2 || bytes.Contains(data, []byte("standup at")) {
		t.Errorf("the room's export at Bob's keeps the deleted text, or: %+v", r)
	}
	// The room's owner takes back Cat's reply; Bob, a member, cannot.
	if _, err := bob.Delete(ctx, r.ID); err == nil {
		t.Error("a member deleted another's message")
	}
	if _, err := ann.Delete(ctx, r.ID); err != nil {
		t.Fatalf("the owner's delete: %v", err)
	}
	for _, n := range []*node{ann, bob, cat} {
		n.waitFor("the moderated stub", func() bool {
			reply, _ := byID(n.roomMsgs(room), r.ID)
			return reply.Deleted && reply.Text == ""
		})
	}
	// A moderator's delete hides; the author's words stay on record.
	if row, _, _ := bob.store.MessageByID(ctx, cat.ID().String(), r.ID); row.Redacted || row.Text != "ok" {
		t.Errorf("the moderated reply at Bob's: %+v", row)
	}
	if _, err := ann.Reply(ctx, "no-such-id", "x"); !errors.Is(err, chat.ErrUnknownMessage) {
		t.Errorf("a reply to an unknown id: %v", err)
	}
}

func sortedIDs(ns ...*node) []string {
	var ids []string
	for _, n := range ns {
		ids = append(ids, n.ID().String())
	}
	slices.Sort(ids)
	return ids
}
