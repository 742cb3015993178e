package storage

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

const (
	me  = "12D3KooWMe"
	bob = "12D3KooWBob"
	cat = "12D3KooWCat"
)

func TestOutgoingDeliveryLifecycle(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	sentAt := time.UnixMilli(1_700_000_000_123)
	m, err := s.InsertOutgoing(ctx, Message{ID: "m1", Conv: "dm:" + bob, Author: me, Text: "lunch?", SentAt: sentAt}, bob)
	if err != nil {
		t.Fatalf("InsertOutgoing: %v", err)
	}
	if m.Seq <= 0 || m.State != StateSent || m.ReceivedAt.IsZero() || !m.SentAt.Equal(sentAt) {
		t.Errorf("returned message not filled in: %+v", m)
	}
	stored, ok, err := s.MessageByID(ctx, me, "m1")
	if err != nil || !ok {
		t.Fatalf("MessageByID = %v, %v", ok, err)
	}
	if stored != m {
		t.Errorf("stored =\n  %+v\nreturned\n  %+v", stored, m)
	}

	out, err := s.Outbox(ctx, bob, 10)
	if err != nil || len(out) != 1 || out[0] != m {
		t.Fatalf("Outbox(bob) = %+v, %v; want the message", out, err)
	}
	if out, err := s.Outbox(ctx, cat, 10); err != nil || len(out) != 0 {
		t.Errorf("Outbox(cat) = %+v, %v; want empty", out, err)
	}

	steps := []struct {
		name        string
		author, id  string
		wantChanged bool
	}{
		{name: "first ack", author: me, id: "m1", wantChanged: true},
		{name: "repeated ack", author: me, id: "m1", wantChanged: false},
		{name: "unknown message", author: me, id: "nope", wantChanged: false},
	}
	for _, st := range steps {
		got, changed, err := s.MarkDelivered(ctx, st.author, st.id)
		if err != nil {
			t.Fatalf("%s: MarkDelivered: %v", st.name, err)
		}
		if changed != st.wantChanged {
			t.Errorf("%s: changed = %v, want %v", st.name, changed, st.wantChanged)
		}
		// The message is returned as it is now stored, so the caller
		// can announce it without reading it back.
		want := Message{}
		if changed {
			want = m
			want.State = StateDelivered
		}
		if got != want {
			t.Errorf("%s: MarkDelivered returned\n  %+v\nwant\n  %+v", st.name, got, want)
		}
	}
	if out, err := s.Outbox(ctx, bob, 10); err != nil || len(out) != 0 {
		t.Errorf("Outbox after delivery = %+v, %v; want empty", out, err)
	}
	if got, _, _ := s.MessageByID(ctx, me, "m1"); got.State != StateDelivered {
		t.Errorf("state after delivery = %q, want %q", got.State, StateDelivered)
	}
}

func TestInsertOutgoingRejects(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	if _, err := s.InsertOutgoing(ctx, Message{ID: "m1", Conv: "dm:" + bob, Author: me, Text: "a"}, bob); err != nil {
		t.Fatalf("first insert: %v", err)
	}
	tests := []struct {
		name    string
		m       Message
		to      string
		wantDup bool
	}{
		{name: "same author and id", m: Message{ID: "m1", Conv: "dm:" + cat, Author: me, Text: "b"}, to: cat, wantDup: true},
		{name: "no id", m: Message{Conv: "dm:" + bob, Author: me}, to: bob},
		{name: "no author", m: Message{ID: "m2", Conv: "dm:" + bob}, to: bob},
		{name: "no conversation", m: Message{ID: "m2", Author: me}, to: bob},
		{name: "no recipient", m: Message{ID: "m2", Conv: "dm:" + bob, Author: me}},
		{name: "unknown kind", m: Message{ID: "m2", Conv: "dm:" + bob, Author: me, Kind: "poll"}, to: bob},
		{name: "clock beyond int64", m: Message{ID: "m2", Conv: "dm:" + bob, Author: me, HLC: math.MaxUint64}, to: bob},
		{name: "seq beyond int64", m: Message{ID: "m2", Conv: "dm:" + bob, Author: me, AuthorSeq: 1 << 63}, to: bob},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.InsertOutgoing(ctx, tc.m, tc.to)
			if err == nil {
				t.Fatal("InsertOutgoing succeeded")
			}
			if got := errors.Is(err, ErrDuplicate); got != tc.wantDup {
				t.Errorf("errors.Is(err, ErrDuplicate) = %v, want %v (err: %v)", got, tc.wantDup, err)
			}
		})
	}
	// A rejected message must not leave an outbox row behind.
	if peers, err := s.OutboxPeers(ctx); err != nil || !slices.Equal(peers, []string{bob}) {
		t.Errorf("OutboxPeers = %v, %v; want [%s]", peers, err, bob)
	}
}

// Kind, HLC, AuthorSeq and Meta must come back from every read exactly as
// stored, and a message stored without a kind reads back as text.
func TestMessageFieldsRoundTrip(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	invite := `{"room":"r1","name":"Lunch","key":"AAEC"}`
	tests := []struct {
		name     string
		outgoing bool
		m        Message
		wantKind string
	}{
		{name: "outgoing invite", outgoing: true, wantKind: KindInvite,
			m: Message{ID: "o1", Conv: "dm:" + bob, Author: me, Text: "join us", Kind: KindInvite, Meta: invite}},
		{name: "outgoing without kind", outgoing: true, wantKind: KindText,
			m: Message{ID: "o2", Conv: "dm:" + bob, Author: me, Text: "plain"}},
		{name: "incoming invite", wantKind: KindInvite,
			m: Message{ID: "i1", Conv: "dm:" + bob, Author: bob, Text: "join us", Kind: KindInvite, Meta: invite}},
		{name: "incoming without kind", wantKind: KindText,
			m: Message{ID: "i2", Conv: "dm:" + bob, Author: bob, Text: "plain"}},
		{name: "incoming with clock", wantKind: KindText,
			m: Message{ID: "i3", Conv: "dm:" + bob, Author: bob, Kind: KindText, HLC: math.MaxInt64, AuthorSeq: 7}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got Message
			var err error
			if tc.outgoing {
				got, err = s.InsertOutgoing(ctx, tc.m, bob)
			} else {
				got, _, err = s.InsertIncoming(ctx, tc.m)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Kind != tc.wantKind || got.Meta != tc.m.Meta || got.HLC != tc.m.HLC || got.AuthorSeq != tc.m.AuthorSeq {
				t.Errorf("returned %+v; want kind %q and the given meta, clock and seq", got, tc.wantKind)
			}
			if stored, _, err := s.MessageByID(ctx, got.Author, got.ID); err != nil || stored != got {
				t.Errorf("MessageByID = %+v, %v; want %+v", stored, err, got)
			}
			history, err := s.History(ctx, got.Conv, 0, 0)
			if err != nil || !slices.Contains(history, got) {
				t.Errorf("History lacks %+v: %v, %v", got, history, err)
			}
			if tc.outgoing {
				if out, err := s.Outbox(ctx, bob, 0); err != nil || !slices.Contains(out, got) {
					t.Errorf("Outbox lacks %+v: %v, %v", got, out, err)
				}
			}
		})
	}
}

func TestInsertIncomingIdempotent(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	first := Message{ID: "x1", Conv: "dm:" + bob, Author: bob, Text: "hello", SentAt: time.UnixMilli(1000)}
	resent := first
	resent.Text = "edited on the wire"

	tests := []struct {
		name         string
		m            Message
		wantInserted bool
		wantText     string
		wantCount    int
	}{
		{name: "first arrival", m: first, wantInserted: true, wantText: "hello", wantCount: 1},
		{name: "resend", m: resent, wantInserted: false, wantText: "hello", wantCount: 1},
		{name: "same id other author", m: Message{ID: "x1", Conv: "dm:" + bob, Author: cat, Text: "hi"},
			wantInserted: true, wantText: "hi", wantCount: 2},
	}
	var firstSeq int64
	for _, tc := range tests {
		got, inserted, err := s.InsertIncoming(ctx, tc.m)
		if err != nil {
			t.Fatalf("%s: InsertIncoming: %v", tc.name, err)
		}
		if inserted != tc.wantInserted || got.Text != tc.wantText || got.State != StateReceived {
			t.Errorf("%s: got %+v inserted=%v; want text %q inserted=%v", tc.name, got, inserted, tc.wantText, tc.wantInserted)
		}
		if tc.name == "first arrival" {
			firstSeq = got.Seq
		} else if tc.name == "resend" && got.Seq != firstSeq {
			t.Errorf("%s: Seq = %d, want the first copy's %d", tc.name, got.Seq, firstSeq)
		}
		if n, err := s.CountMessages(ctx, "dm:"+bob); err != nil || n != tc.wantCount {
			t.Errorf("%s: CountMessages = %d, %v; want %d", tc.name, n, err, tc.wantCount)
		}
	}
	if _, changed, err := s.MarkDelivered(ctx, bob, "x1"); err != nil || changed {
		t.Errorf("MarkDelivered on an incoming message = %v, %v; want false, nil", changed, err)
	}
}

func TestOutboxOrderLimitAndPeers(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	if peers, err := s.OutboxPeers(ctx); err != nil || len(peers) != 0 {
		t.Fatalf("OutboxPeers on empty store = %v, %v", peers, err)
	}
	var toBob []string
	for i := range 6 {
		to := bob
		if i%3 == 2 {
			to = cat
		}
		m := Message{ID: fmt.Sprintf("m%d", i), Conv: "dm:" + to, Author: me, Text: "t",
			SentAt: time.UnixMilli(int64(10_000 - i))} // author clock going backwards
		if _, err := s.InsertOutgoing(ctx, m, to); err != nil {
			t.Fatal(err)
		}
		if to == bob {
			toBob = append(toBob, m.ID)
		}
	}
	tests := []struct {
		name  string
		peer  string
		limit int
		want  []string
	}{
		{name: "all by seq", peer: bob, limit: 0, want: toBob},
		{name: "limited", peer: bob, limit: 2, want: toBob[:2]},
		{name: "other peer", peer: cat, limit: 10, want: []string{"m2", "m5"}},
		{name: "nobody", peer: "12D3KooWNobody", limit: 10, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := s.Outbox(ctx, tc.peer, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(out); !slices.Equal(got, tc.want) {
				t.Errorf("Outbox = %v, want %v", got, tc.want)
			}
		})
	}
	if peers, err := s.OutboxPeers(ctx); err != nil || !slices.Equal(peers, []string{bob, cat}) {
		t.Errorf("OutboxPeers = %v, %v; want [%s %s]", peers, err, bob, cat)
	}
	for _, id := range []string{"m2", "m5"} {
		if _, _, err := s.MarkDelivered(ctx, me, id); err != nil {
			t.Fatal(err)
		}
	}
	if peers, err := s.OutboxPeers(ctx); err != nil || !slices.Equal(peers, []string{bob}) {
		t.Errorf("OutboxPeers after delivering to cat = %v, %v; want [%s]", peers, err, bob)
	}
}

func ids(msgs []Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.ID)
	}
	return out
}
