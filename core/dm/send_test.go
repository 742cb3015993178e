package dm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"hallway/chat"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

func ids(dms []chat.Message) []string {
	var out []string
	for _, m := range dms {
		out = append(out, m.ID)
	}
	return out
}

func eventsOf[E chat.Event](p *party) []E {
	var out []E
	for _, e := range p.pub.all() {
		if x, ok := e.(E); ok {
			out = append(out, x)
		}
	}
	return out
}

// Messages are durable and announced when Send returns; they leave once
// the colleague is connected, in order, each colleague on its own.
func TestSendCommitsThenDeliversInOrderPerColleague(t *testing.T) {
	ann, bob, cat := newIdentity(t), newIdentity(t), newIdentity(t)
	p := newParty(t, ann, fakeColleagues{"Bob": bob.id, "Cat": cat.id})
	ctx := context.Background()

	sent := map[peer.ID][]chat.Message{}
	for i := range 6 {
		to, ref := bob.id, "Bob"
		if i%2 == 1 {
			to, ref = cat.id, "Cat"
		}
		m, err := p.dm.Send(ctx, ref, fmt.Sprintf("note %d", i))
		if err != nil {
			t.Fatal(err)
		}
		if stored := p.store.message(t, ann.id, m.ID); stored.State != storage.StateSent || stored.Sig == "" {
			t.Fatalf("message %d stored as %+v", i, stored)
		}
		if !m.Outgoing || m.State != chat.StateSent || m.Conversation != "dm:"+to.String() {
			t.Fatalf("message %d: %+v", i, m)
		}
		sent[to] = append(sent[to], m)
	}
	p.spawn.wg.Wait()
	if got := eventsOf[chat.MessageSent](p); len(got) != 6 {
		t.Fatalf("%d messages announced as sent, want 6", len(got))
	}
	if n := len(p.feat.reconnects); n != 6 {
		t.Fatalf("%d reconnects for messages to colleagues offline, want 6", n)
	}
	if len(p.net.received(bob.id))+len(p.net.received(cat.id)) != 0 {
		t.Fatal("messages left for colleagues who are offline")
	}

	for _, c := range []identity{bob, cat} {
		p.net.connect(c.id)
		p.dm.Kick(c.id)
	}
	p.spawn.wg.Wait()
	for _, c := range []identity{bob, cat} {
		var got []string
		for _, d := range p.net.received(c.id) {
			got = append(got, d.ID)
		}
		if want := ids(sent[c.id]); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s got %v, want %v", c.id.ShortString(), got, want)
		}
		for _, m := range sent[c.id] {
			if st := p.store.message(t, ann.id, m.ID).State; st != storage.StateDelivered {
				t.Errorf("message %s is %s after its acknowledgement", m.ID, st)
			}
		}
	}
	if got := eventsOf[chat.MessageDelivered](p); len(got) != 6 {
		t.Fatalf("%d messages announced as delivered, want 6", len(got))
	}

	// What left is what Bob can verify as Ann's.
	b := newParty(t, bob, fakeColleagues{"Ann": ann.id})
	for _, d := range p.net.received(bob.id) {
		if err := b.dm.Receive(ctx, ann.id, d); err != nil {
			t.Fatal(err)
		}
		if m := b.store.message(t, ann.id, d.ID); m.Sig == "" || m.Text != d.Text {
			t.Errorf("Bob stored %+v", m)
		}
	}
}

// A flush reads the outbox once for a batch shorter than a full one: what
// is committed after that read kicks a flush of its own. A full batch is
// followed by another read, so a long queue leaves whole and in order.
func TestFlushReadsTheOutboxOncePerShortBatch(t *testing.T) {
	ann, bob := newIdentity(t), newIdentity(t)
	p := newParty(t, ann, fakeColleagues{"Bob": bob.id})
	ctx := context.Background()

	var want []string
	for i := range outboxBatch + 1 {
		m, err := p.dm.Send(ctx, "Bob", fmt.Sprintf("queued %d", i))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, m.ID)
	}
	p.spawn.wg.Wait()
	p.net.connect(bob.id)
	p.store.mu.Lock()
	p.store.reads = 0
	p.store.mu.Unlock()
	p.dm.Kick(bob.id)
	p.spawn.wg.Wait()
	if p.store.reads != 2 {
		t.Errorf("%d outbox reads for a full batch and one message, want 2", p.store.reads)
	}

	for i := range 3 {
		m, err := p.dm.Send(ctx, "Bob", fmt.Sprintf("live %d", i))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, m.ID)
		p.spawn.wg.Wait()
	}
	if p.store.reads != 5 {
		t.Errorf("%d outbox reads after three messages sent one by one, want 5", p.store.reads)
	}
	var got []string
	for _, d := range p.net.received(bob.id) {
		got = append(got, d.ID)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Bob got %d messages, want %d in order", len(got), len(want))
	}
	for _, id := range want {
		if st := p.store.message(t, ann.id, id).State; st != storage.StateDelivered {
			t.Fatalf("message %s is %s", id, st)
		}
	}
}

// A delivery that fails part way keeps the rest queued; the periodic
// retry sends them, in order, once.
func TestFailedDeliveryIsRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ann, bob := newIdentity(t), newIdentity(t)
		p := newParty(t, ann, fakeColleagues{"Bob": bob.id})
		ctx, cancel := context.WithCancel(t.Context())
		ran := make(chan error, 1)
		go func() { ran <- p.dm.Run(ctx) }()
		synctest.Wait()

		var want []string
		for i := range 3 {
			m, err := p.dm.Send(ctx, "Bob", fmt.Sprintf("note %d", i))
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, m.ID)
		}
		synctest.Wait() // the flushes these started found Bob offline
		p.net.mu.Lock()
		p.net.failAfter = 1
		p.net.mu.Unlock()
		p.net.connect(bob.id)
		p.dm.Kick(bob.id)
		synctest.Wait()
		if got := p.net.received(bob.id); len(got) != 1 || got[0].ID != want[0] {
			t.Fatalf("before the retry Bob has %v", got)
		}
		if st := p.store.message(t, ann.id, want[1]).State; st != storage.StateSent {
			t.Fatalf("a message that failed is %s", st)
		}

		time.Sleep(outboxRetry)
		synctest.Wait()
		var got []string
		for _, d := range p.net.received(bob.id) {
			got = append(got, d.ID)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("after the retry Bob has %v, want %v", got, want)
		}
		for _, id := range want {
			if st := p.store.message(t, ann.id, id).State; st != storage.StateDelivered {
				t.Errorf("message %s is %s", id, st)
			}
		}
		cancel()
		if err := <-ran; err != nil {
			t.Fatalf("run: %v", err)
		}
	})
}

func TestSendRefusesWhatItCannotSend(t *testing.T) {
	ann, bob := newIdentity(t), newIdentity(t)
	p := newParty(t, ann, fakeColleagues{"Bob": bob.id, "Me": ann.id})
	cases := []struct {
		name, ref, text string
		unknownPeer     bool
	}{
		{name: "one byte over the limit", ref: "Bob", text: strings.Repeat("a", chat.MaxTextBytes+1)},
		{name: "empty", ref: "Bob", text: ""},
		{name: "invalid utf-8", ref: "Bob", text: "\xff\xfe"},
		{name: "to oneself", ref: "Me", text: "hello me"},
		{name: "to nobody known", ref: "Zed", text: "hello", unknownPeer: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.dm.Send(context.Background(), tc.ref, tc.text)
			var ue *chat.UserError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v, want a refusal with a user message", err)
			}
			if tc.unknownPeer != errors.Is(err, chat.ErrUnknownPeer) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	if n := p.store.count(); n != 0 || len(p.pub.all()) != 0 {
		t.Fatalf("refused messages left %d rows and %d events", n, len(p.pub.all()))
	}
}

func TestSendThatCannotBeSavedFails(t *testing.T) {
	ann, bob := newIdentity(t), newIdentity(t)
	p := newParty(t, ann, fakeColleagues{"Bob": bob.id})
	p.store.insertErr = errors.New("disk full")
	if _, err := p.dm.Send(context.Background(), "Bob", "hello"); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v", err)
	}
	if len(p.pub.all()) != 0 || len(p.feat.reconnects) != 0 {
		t.Fatal("a message that was not saved was announced or dialled for")
	}
}

func TestHistoryNamesTheColleague(t *testing.T) {
	ann, bob := newIdentity(t), newIdentity(t)
	p := newParty(t, ann, fakeColleagues{"Bob": bob.id})
	b := newParty(t, bob, fakeColleagues{"Ann": ann.id})
	ctx := context.Background()
	out, err := b.dm.Send(ctx, "Ann", "hi Ann")
	if err != nil {
		t.Fatal(err)
	}
	b.net.connect(ann.id)
	b.dm.Kick(ann.id)
	b.spawn.wg.Wait()
	for _, d := range b.net.received(ann.id) {
		if err := p.dm.Receive(ctx, bob.id, d); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.dm.Send(ctx, "Bob", "hi Bob"); err != nil {
		t.Fatal(err)
	}
	h, err := p.dm.History(ctx, "Bob", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].ID != out.ID || h[0].FromName != "Bob" || h[0].Outgoing || !h[1].Outgoing {
		t.Fatalf("history: %+v", h)
	}
	if _, err := p.dm.History(ctx, "Zed", 0, 0); !errors.Is(err, chat.ErrUnknownPeer) {
		t.Fatalf("history of nobody: %v", err)
	}
}
