package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"hallway/chat"
)

func TestDMDeliveredAndAcknowledged(t *testing.T) {
	ann := startNode(t, "", "Ann")
	bob := startNode(t, "", "Bob", ann.addr())
	ann.waitOnline(bob, "Bob")
	bob.waitOnline(ann, "Ann")

	m, err := ann.Send(context.Background(), "Bob", "hello Bob")
	if err != nil {
		t.Fatal(err)
	}
	if m.State != "sent" || !m.Outgoing {
		t.Fatalf("new message: %+v", m)
	}
	annID := ann.ID().String()
	bob.waitFor("message at Bob", func() bool { return len(bob.history(annID)) == 1 })
	ann.waitFor("delivered", func() bool {
		h := ann.history("Bob")
		return len(h) == 1 && h[0].State == "delivered"
	})
	got := bob.history("Ann")[0]
	if got.ID != m.ID || got.Text != "hello Bob" || got.From != annID || got.FromName != "Ann" || got.State != "received" {
		t.Fatalf("Bob has %+v", got)
	}
}

func TestDMOfflineDeliveryAcrossRestarts(t *testing.T) {
	annDir, bobDir := t.TempDir(), t.TempDir()
	ann := startNode(t, annDir, "Ann")
	bob := startNode(t, bobDir, "Bob", ann.addr())
	ann.waitOnline(bob, "Bob")
	bobID := bob.ID().String()

	// Bob quits; Ann writes to him, then Ann restarts too.
	bob.stop()
	ann.waitFor("Bob offline", func() bool { c, _ := ann.colleague(bobID); return !c.Online })
	var sent []string
	for i := range 5 {
		m, err := ann.Send(context.Background(), "Bob", fmt.Sprintf("while you were out %d", i))
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, m.ID)
	}
	annAddr := ann.addr()
	ann.stop()
	ann = startNode(t, annDir, "Ann")
	if h := ann.history(bobID); len(h) != 5 || h[0].State != "sent" {
		t.Fatalf("after restart Ann's outbox holds %d messages", len(h))
	}
	_ = annAddr
	bob = startNode(t, bobDir, "Bob", ann.addr())
	annID := ann.ID().String()
	bob.waitFor("all five at Bob", func() bool { return len(bob.history(annID)) == 5 })
	ann.waitFor("all delivered", func() bool {
		for _, m := range ann.history(bobID) {
			if m.State != "delivered" {
				return false
			}
		}
		return true
	})
	for i, m := range bob.history(annID) {
		if m.ID != sent[i] {
			t.Fatalf("message %d out of order or duplicated: %s", i, m.ID)
		}
	}
	n, err := bob.Store().CountMessages(context.Background(), "dm:"+annID)
	if err != nil || n != 5 {
		t.Fatalf("Bob stores %d messages (%v), want exactly 5", n, err)
	}
}

func TestDMTextLimits(t *testing.T) {
	ann := startNode(t, "", "Ann")
	bob := startNode(t, "", "Bob", ann.addr())
	ann.waitOnline(bob, "Bob")
	cases := []struct {
		name string
		text string
		ok   bool
	}{
		{"at 64 KiB", strings.Repeat("a", chat.MaxTextBytes), true},
		{"one byte over", strings.Repeat("a", chat.MaxTextBytes+1), false},
		{"empty", "", false},
		{"invalid utf-8", "\xff\xfe", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ann.Send(context.Background(), "Bob", tc.text)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v", err)
			}
			var ue *chat.UserError
			if err != nil && !errors.As(err, &ue) {
				t.Fatalf("refusal must carry a user message: %v", err)
			}
		})
	}
}

func TestSendToSelfRefused(t *testing.T) {
	ann := startNode(t, "", "Ann")
	if _, err := ann.Send(context.Background(), ann.ID().String(), "me"); err == nil {
		t.Fatal("sending to oneself must be refused")
	}
}
