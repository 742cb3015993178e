package core

import (
	"context"
	"reflect"
	"testing"
	"time"

	"hallway/chat"
)

// S1: someone else takes the display name of a verified colleague. They
// are shown as a different identity with a loud warning.
func TestTrustImpersonationOfVerifiedColleague(t *testing.T) {
	ctx := context.Background()
	ann := startNode(t, "", "Ann")
	bob := startNode(t, "", "Bob", ann.addr())
	ann.waitOnline(bob, "Bob")
	bob.waitOnline(ann, "Ann")

	bt, err := ann.TrustOf(ctx, "Bob")
	if err != nil {
		t.Fatal(err)
	}
	at, err := bob.TrustOf(ctx, "Ann")
	if err != nil {
		t.Fatal(err)
	}
	if bt.SafetyNumber == "" || bt.SafetyNumber != at.SafetyNumber {
		t.Fatalf("safety numbers differ: %q vs %q", bt.SafetyNumber, at.SafetyNumber)
	}
	if bt.Verified {
		t.Fatal("verified before anyone checked")
	}
	if _, err := ann.Verify(ctx, "Bob", true); err != nil {
		t.Fatal(err)
	}
	if bt, _ = ann.TrustOf(ctx, bob.ID().String()); !bt.Verified || bt.VerifiedName != "Bob" {
		t.Fatalf("after verify: %+v", bt)
	}

	// Follow events before the impostor appears so the warning cannot slip by.
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	events := ann.Subscribe(wctx)
	eve := startNode(t, "", "bob ", ann.addr())
	var warned *chat.NameWarning
	for warned == nil {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatal("events closed")
			}
			if w, ok := e.(chat.NameWarningRaised); ok && w.Warning.PeerID == eve.ID().String() {
				warned = &w.Warning
			}
		case <-wctx.Done():
			t.Fatal("no warning about the impostor")
		}
	}
	if warned.Kind != chat.WarnImpersonation || warned.Of != bob.ID().String() {
		t.Fatalf("warning %+v", warned)
	}
	all, err := ann.Trusts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if w := all[bob.ID().String()].Warning; w != nil {
		t.Fatalf("the verified colleague is flagged: %+v", w)
	}
	if w := all[eve.ID().String()].Warning; w == nil || w.Kind != chat.WarnImpersonation {
		t.Fatalf("impostor not flagged: %+v", all[eve.ID().String()])
	}

	// Their direct messages carry the same marks, by key: Bob's verified,
	// the impostor's warned.
	if _, err := bob.Send(ctx, ann.ID().String(), "from the real Bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := eve.Send(ctx, ann.ID().String(), "from the other bob"); err != nil {
		t.Fatal(err)
	}
	lastDM := func(from *node) chat.Message {
		msgs, err := ann.History(ctx, from.ID().String(), 0, 10)
		if err != nil || len(msgs) == 0 {
			return chat.Message{}
		}
		return msgs[len(msgs)-1]
	}
	ann.waitFor("both direct messages", func() bool { return lastDM(bob).ID != "" && lastDM(eve).ID != "" })
	if m := lastDM(bob); !m.FromVerified || m.FromWarning != nil || m.FromName != "Bob" {
		t.Fatalf("the verified colleague's DM shows as %q verified=%v warning=%+v", m.FromName, m.FromVerified, m.FromWarning)
	}
	if m := lastDM(eve); m.FromVerified || m.FromWarning == nil || m.FromWarning.Kind != chat.WarnImpersonation {
		t.Fatalf("the impostor's DM shows as %q verified=%v warning=%+v", m.FromName, m.FromVerified, m.FromWarning)
	}
	if _, err := ann.Verify(ctx, bob.ID().String(), false); err != nil {
		t.Fatal(err)
	}
	all, _ = ann.Trusts(ctx)
	if w := all[eve.ID().String()].Warning; w == nil || w.Kind != chat.WarnNameTaken {
		t.Fatalf("after unverify, want a name-taken warning: %+v", w)
	}
}

func TestLabelsPrefsAndUnread(t *testing.T) {
	ctx := context.Background()
	ann := startNode(t, "", "Ann")
	bob := startNode(t, "", "Bob", ann.addr())
	ann.waitOnline(bob, "Bob")

	if _, err := ann.SetLabel(ctx, "Bob", "  Accounting "); err != nil {
		t.Fatal(err)
	}
	if tr, _ := ann.TrustOf(ctx, "Bob"); tr.Label != "Accounting" {
		t.Fatalf("label %q", tr.Label)
	}
	if _, err := ann.SetLabel(ctx, "Bob", "bad\x07"); err == nil {
		t.Fatal("control character accepted")
	}
	if ls, _ := ann.Labels(ctx); len(ls) != 1 || ls[0] != "Accounting" {
		t.Fatalf("labels %v", ls)
	}

	p, err := ann.Prefs(ctx)
	if err != nil || !p.Notifications || p.Theme != chat.ThemeSystem || p.SetupDone {
		t.Fatalf("defaults %+v %v", p, err)
	}
	p.Notifications, p.Theme, p.LastConversation, p.SetupDone = false, chat.ThemeDark, "dm:"+bob.ID().String(), true
	if err := ann.SetPrefs(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got, _ := ann.Prefs(ctx); !reflect.DeepEqual(got, p) {
		t.Fatalf("prefs %+v, want %+v", got, p)
	}
	if err := ann.SetPrefs(ctx, chat.Prefs{Theme: "pink"}); err == nil {
		t.Fatal("bad theme accepted")
	}

	for _, text := range []string{"one", "two"} {
		if _, err := bob.SendTo(ctx, "dm:"+ann.ID().String(), text); err != nil {
			t.Fatal(err)
		}
	}
	bobConv := "dm:" + bob.ID().String()
	ann.waitFor("two unread", func() bool {
		u, err := ann.Unread(ctx)
		return err == nil && u[bobConv] == 2
	})
	page, err := ann.Page(ctx, bobConv, nil, 1)
	if err != nil || len(page) != 1 || page[0].Text != "two" {
		t.Fatalf("page %+v %v", page, err)
	}
	older, err := ann.Page(ctx, bobConv, &page[0], 10)
	if err != nil || len(older) != 1 || older[0].Text != "one" {
		t.Fatalf("older %+v %v", older, err)
	}
	if err := ann.MarkRead(ctx, bobConv); err != nil {
		t.Fatal(err)
	}
	if u, _ := ann.Unread(ctx); u[bobConv] != 0 {
		t.Fatalf("unread after mark: %v", u)
	}
	gen, err := ann.Rooms(ctx)
	if err != nil || len(gen) == 0 {
		t.Fatal(err)
	}
	if _, err := ann.SendTo(ctx, "room:"+gen[0].ID, "hello room"); err != nil {
		t.Fatal(err)
	}
	rp, err := ann.Page(ctx, "room:"+gen[0].ID, nil, 10)
	if err != nil || rp[len(rp)-1].Text != "hello room" {
		t.Fatalf("room page %+v %v", rp, err)
	}
	if _, err := ann.SendTo(ctx, "nope", "x"); err == nil {
		t.Fatal("bad conversation accepted")
	}
}
