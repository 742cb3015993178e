package core

import (
	"context"
	"errors"
	"testing"
	"time"

	"hallway/chat"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// pairOnline starts Ann and Bob, each listing the other online.
func pairOnline(t *testing.T) (ann, bob *node) {
	ann = startNode(t, "", "Ann")
	bob = startNode(t, "", "Bob", ann.addr())
	ann.waitOnline(bob, "Bob")
	bob.waitOnline(ann, "Ann")
	return ann, bob
}

// Bob's window shows Ann's messages: Ann's say read. Whoever turns read
// receipts off neither sends them nor sees them.
func TestDMReadReceipts(t *testing.T) {
	ctx := context.Background()
	ann, bob := pairOnline(t)
	send := func(text string) chat.Message {
		m, err := ann.Send(ctx, "Bob", text)
		if err != nil {
			t.Fatal(err)
		}
		bob.waitFor("Ann's "+text, func() bool { _, ok := byID(bob.history("Ann"), m.ID); return ok })
		return m
	}
	m1, m2 := send("one"), send("two")
	if h := ann.history("Bob"); !h[0].ReadAt.IsZero() {
		t.Fatal("read before Bob's window showed it")
	}
	bobConv := dmConv(ann.ID())
	if err := bob.MarkRead(ctx, bobConv); err != nil {
		t.Fatal(err)
	}
	ann.waitFor("read marks", func() bool {
		h := ann.history("Bob")
		a, _ := byID(h, m1.ID)
		b, _ := byID(h, m2.ID)
		return !a.ReadAt.IsZero() && !b.ReadAt.IsZero()
	})
	// Bob's side keeps no row a person would see for the receipt.
	if h := bob.history("Ann"); len(h) != 2 {
		t.Errorf("Bob's history holds %d messages", len(h))
	}
	// Bob turns receipts off: what he reads next is not told.
	p, _ := bob.Prefs(ctx)
	p.NoReadReceipts = true
	if err := bob.SetPrefs(ctx, p); err != nil {
		t.Fatal(err)
	}
	send("three")
	if err := bob.MarkRead(ctx, bobConv); err != nil {
		t.Fatal(err)
	}
	// A fourth message, read with receipts back on, proves the third's
	// receipt never went: the fourth's covers both.
	p.NoReadReceipts = false
	bob.SetPrefs(ctx, p)
	if last, _, _ := bob.store.Setting(ctx, readSentKey(bobConv)); last != m2.ID {
		t.Fatalf("a receipt went out while they were off: the last names %q", last)
	}
	// Ann turns hers off: she no longer sees Bob's.
	pa, _ := ann.Prefs(ctx)
	pa.NoReadReceipts = true
	ann.SetPrefs(ctx, pa)
	m4 := send("four")
	bob.MarkRead(ctx, bobConv)
	bob.waitFor("the receipt delivered", func() bool {
		out, _ := bob.store.Outbox(ctx, ann.ID().String(), 0)
		return len(out) == 0
	})
	if r, _, _ := ann.store.MessageByID(ctx, ann.ID().String(), m4.ID); r.ReadAt.IsZero() {
		t.Fatal("the receipt was not stored")
	}
	if a, _ := byID(ann.history("Bob"), m4.ID); !a.ReadAt.IsZero() {
		t.Error("Ann sees read marks with her receipts off")
	}
}

// A read receipt naming someone else's message is refused.
func TestAForgedReadReceiptIsRefused(t *testing.T) {
	ctx := context.Background()
	ann, bob := pairOnline(t)
	m, err := bob.Send(ctx, "Ann", "mine")
	if err != nil {
		t.Fatal(err)
	}
	ann.waitFor("Bob's", func() bool { return len(ann.history("Bob")) == 1 })
	forged := p2p.DM{ID: chat.NewMessageID(), SentAt: time.Now().UnixMilli(), Kind: "read",
		Ref: &p2p.MessageRef{ID: m.ID, From: bob.ID().String()}}
	if err := ann.dm.Receive(ctx, bob.ID(), forged); !errors.Is(err, p2p.ErrBadFrame) {
		t.Fatalf("a receipt for Bob's own message: %v", err)
	}
	if h := ann.history("Bob"); len(h) != 1 || !h[0].ReadAt.IsZero() {
		t.Fatalf("Ann's view changed: %+v", h)
	}
}

// Typing reaches the colleague as an event, never as a message.
func TestTypingSignalReachesTheColleague(t *testing.T) {
	ctx := context.Background()
	ann, bob := pairOnline(t)
	events := bob.Subscribe(ctx)
	if err := ann.Typing(ctx, dmConv(bob.ID()), true); err != nil {
		t.Fatal(err)
	}
	for e := range events {
		if tc, ok := e.(chat.TypingChanged); ok {
			if tc.Typing.From != ann.ID().String() || tc.Typing.Until.IsZero() || tc.Typing.Conversation != dmConv(ann.ID()) {
				t.Fatalf("typing %+v", tc.Typing)
			}
			break
		}
	}
	if h := bob.history("Ann"); len(h) != 0 {
		t.Errorf("typing left %d messages", len(h))
	}
}

func TestTypingSignalsAreSpaced(t *testing.T) {
	var ts typingSent
	now := time.Now()
	id := peer.ID("bob")
	if ts.due(id, false, now) {
		t.Error("a stop with no start before")
	}
	if !ts.due(id, true, now) || ts.due(id, true, now.Add(chat.TypingEvery/2)) || !ts.due(id, true, now.Add(chat.TypingEvery)) {
		t.Error("starts are not spaced by chat.TypingEvery")
	}
	if !ts.due(id, false, now.Add(chat.TypingEvery)) || ts.due(id, false, now.Add(chat.TypingEvery)) {
		t.Error("a stop after a start is due once")
	}
}
