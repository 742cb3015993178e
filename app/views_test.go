package app

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestSidebarBadgesAndGroups(t *testing.T) {
	f := office()
	u := newTestUI(t, f)
	test.AssertRendersToMarkup(t, "sidebar.xml", u.win.Canvas())
	if got := u.win.Title(); got != "Hallway (7)" {
		t.Errorf("title %q", got)
	}
	u.sidebar.filter.SetText("car")
	var titles []string
	for _, r := range u.sidebar.rows {
		if r.kind == rowPeer || r.kind == rowRoom {
			titles = append(titles, r.title)
		}
	}
	if fmt.Sprint(titles) != "[Carol]" {
		t.Errorf("filtered rows %v", titles)
	}
}

func TestComposeSend(t *testing.T) {
	f := office()
	u := newTestUI(t, f)
	if u.current != "dm:"+bobID {
		t.Fatalf("did not open the last conversation: %q", u.current)
	}
	test.Type(u.compose.entry, "Lunch at noon?")
	// Shift+Enter is a new line, Enter sends.
	u.compose.entry.KeyDown(&fyne.KeyEvent{Name: "LeftShift"})
	u.compose.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	u.compose.entry.KeyUp(&fyne.KeyEvent{Name: "LeftShift"})
	test.Type(u.compose.entry, "Or 1pm")
	u.compose.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(f.sent) != 1 || f.sent[0] != "Lunch at noon?\nOr 1pm" {
		t.Fatalf("sent %q", f.sent)
	}
	if u.compose.entry.Text != "" {
		t.Errorf("entry not cleared: %q", u.compose.entry.Text)
	}
	last := u.conv.msgs[len(u.conv.msgs)-1]
	if last.Text != "Lunch at noon?\nOr 1pm" || !last.Outgoing {
		t.Fatalf("last shown %+v", last)
	}
	test.AssertRendersToMarkup(t, "compose_send.xml", u.win.Canvas())
	// Delivery turns the clock into a tick.
	last.State = "delivered"
	u.deliver(chat.MessageDelivered{Message: last})
	if got := deliveryMark(&u.conv.msgs[len(u.conv.msgs)-1]); got != "✓ delivered" {
		t.Errorf("mark %q", got)
	}
}

func TestIncomingMessageAppears(t *testing.T) {
	f := office()
	u := newTestUI(t, f)
	m := chat.Message{ID: "new1", Conversation: "dm:" + bobID, From: bobID, FromName: "Bob",
		Text: "Report is on https://intranet.example/q3 now", Time: day0.Add(time.Hour), State: "received"}
	u.deliver(chat.MessageReceived{Message: m})
	if got := u.conv.msgs[len(u.conv.msgs)-1].ID; got != "new1" {
		t.Fatalf("last message %q", got)
	}
	test.AssertRendersToMarkup(t, "incoming.xml", u.win.Canvas())

	// In another conversation while the window is behind: a badge, the
	// title and a notification.
	u.focusChanged(false)
	other := chat.Message{ID: "new2", Conversation: "dm:12D3KooWCarol", From: "12D3KooWCarol", FromName: "Carol",
		Text: "ping", Time: day0.Add(2 * time.Hour), State: "received"}
	test.AssertNotificationSent(t, fyne.NewNotification("Carol", "ping"), func() {
		u.deliver(chat.MessageReceived{Message: other})
	})
	if u.unread["dm:12D3KooWCarol"] != 6 || u.win.Title() != "Hallway (8)" {
		t.Fatalf("unread %v title %q", u.unread, u.win.Title())
	}
	// Busy: no notification.
	u.self.Status = "busy"
	test.AssertNotificationSent(t, nil, func() {
		u.deliver(chat.MessageReceived{Message: chat.Message{ID: "new3", Conversation: "dm:12D3KooWCarol",
			From: "12D3KooWCarol", Text: "again", State: "received"}})
	})
}

func TestFileCardProgress(t *testing.T) {
	f := office()
	conv := "dm:" + bobID
	tr := chat.Transfer{ID: "t1", Name: "budget.xlsx", Size: 4_000_000, State: "offered", Direction: "in", Peer: bobID, Conversation: conv}
	f.transfers = []chat.Transfer{tr}
	f.seq++
	f.msgs[conv] = append(f.msgs[conv], chat.Message{ID: "fm", Conversation: conv, From: bobID, FromName: "Bob", Kind: "file",
		Text: "sent budget.xlsx (4.0 MB)", Time: day0.Add(time.Hour), State: "received", Seq: f.seq, TransferID: "t1"})
	u := newTestUI(t, f)
	var card *fileCard
	for _, o := range test.LaidOutObjects(u.conv.list) {
		if it, ok := o.(*msgItem); ok && it.card.transfer == "t1" && it.card.obj.Visible() {
			card = it.card
		}
	}
	if card == nil {
		t.Fatal("no file card shown")
	}
	if !card.accept.Visible() || !card.decline.Visible() || card.bar.Visible() {
		t.Fatal("an offer shows accept and decline, no progress")
	}
	test.Tap(card.accept)
	if f.actions[len(f.actions)-1] != "accept t1" {
		t.Fatalf("actions %v", f.actions)
	}
	tr.State, tr.BytesDone, tr.Rate = "active", 1_000_000, 2_000_000
	u.deliver(chat.TransferChanged{Transfer: tr})
	if !card.bar.Visible() || card.bar.Value != 0.25 || card.accept.Visible() || !card.cancel.Visible() {
		t.Fatalf("progress: bar %v %v", card.bar.Visible(), card.bar.Value)
	}
	test.AssertRendersToMarkup(t, "filecard_progress.xml", u.win.Canvas())
	tr.State, tr.BytesDone, tr.FinalPath = "done", tr.Size, "/home/ann/Downloads/Hallway/budget.xlsx"
	u.deliver(chat.TransferChanged{Transfer: tr})
	if !card.open.Visible() || card.cancel.Visible() {
		t.Fatal("a finished download offers to open its folder")
	}
}

func TestVerifyDialog(t *testing.T) {
	f := office()
	u := newTestUI(t, f)
	d := u.verifyDialogFor(t, bobID)
	d.Show()
	test.AssertRendersToMarkup(t, "verify_dialog.xml", u.win.Canvas())
	d.Hide()
	if _, err := f.Verify(t.Context(), bobID, true); err != nil {
		t.Fatal(err)
	}
	u.deliver(chat.TrustChanged{Trust: f.trusts[bobID]})
	if !u.trusts[bobID].Verified || u.header.verify.Text != "Verified" {
		t.Fatal("verified mark not shown")
	}
}

func (u *UI) verifyDialogFor(t *testing.T, peer string) interface {
	Show()
	Hide()
} {
	t.Helper()
	tr, err := u.core.TrustOf(t.Context(), peer)
	if err != nil {
		t.Fatal(err)
	}
	return u.verifyDialog(tr)
}

func TestImpersonationWarning(t *testing.T) {
	f := office()
	f.addPeer(eveID, "Bob", "available", true)
	bt := f.trusts[bobID]
	bt.Verified = true
	f.trusts[bobID] = bt
	u := newTestUI(t, f)
	w := chat.NameWarning{PeerID: eveID, Name: "Bob", Kind: chat.WarnImpersonation, Of: bobID,
		Message: `"Bob" is not the Bob you verified: it is another key. Someone may be impersonating them.`}
	test.AssertNotificationSent(t, fyne.NewNotification("Hallway: check who this is", w.Message), func() {
		u.deliver(chat.NameWarningRaised{Warning: w})
	})
	if !u.sidebar.warn.Visible() {
		t.Fatal("no standing warning")
	}
	u.open("dm:" + eveID)
	if !u.header.warn.Visible() {
		t.Fatal("the impostor's header does not warn")
	}
	test.AssertRendersToMarkup(t, "impersonation.xml", u.win.Canvas())
}

func TestFirstRun(t *testing.T) {
	f := office()
	f.prefs.SetupDone = false
	u := newTestUI(t, f)
	test.AssertRendersToMarkup(t, "firstrun.xml", u.win.Canvas())
	fr := u.win.Content()
	_ = fr
}

// A room file passed on to the other members can be withdrawn from the
// card, and a share that ended says so.
func TestFileCardStopSharing(t *testing.T) {
	f := office()
	conv := "room:r1"
	tr := chat.Transfer{ID: "t2", Name: "slides.pdf", Size: 2_000_000, State: "done", Direction: "in", Peer: bobID,
		Conversation: conv, FinalPath: "/home/ann/Downloads/Hallway/slides.pdf", Share: chat.ShareServing,
		ExpiresAt: day0.Add(30 * 24 * time.Hour)}
	f.transfers = []chat.Transfer{tr}
	card := newFileCard(newTestUI(t, f))
	card.set(&chat.Message{ID: "fm", Conversation: conv, Kind: "file", TransferID: "t2"})
	if !card.unshare.Visible() || !strings.Contains(card.detail.Text, "shared with the room until") {
		t.Fatalf("a shared download offers Stop sharing: %v %q", card.unshare.Visible(), card.detail.Text)
	}
	test.Tap(card.unshare)
	if f.actions[len(f.actions)-1] != "unshare t2" {
		t.Fatalf("actions %v", f.actions)
	}
	tr.Share, tr.ShareNote = chat.ShareChanged, "slides.pdf changed on disk after it was offered; it is no longer shared"
	card.u.transfers["t2"] = tr
	card.set(&chat.Message{ID: "fm", Conversation: conv, Kind: "file", TransferID: "t2"})
	if card.unshare.Visible() || !strings.Contains(card.detail.Text, "changed on disk") {
		t.Fatalf("a changed share: %v %q", card.unshare.Visible(), card.detail.Text)
	}
}

// The "Why can't I see…" panel names each colleague's cause and fix, and
// this computer's own problem first.
func TestDoctorPanel(t *testing.T) {
	f := office()
	f.diagnosis = chat.Diagnosis{
		Node: chat.NodeHealth{MDNS: true, Verdict: "mDNS has heard no other Hallway since the start, although colleagues are connected: this network blocks multicast."},
		Colleagues: []chat.ColleagueHealth{
			{Name: "Bob", Online: true, Via: "direct", Cause: chat.CauseNone, Verdict: "Connected directly."},
			{Name: "Eve", Cause: chat.CauseFirewall, Verdict: "No answer at /ip4/10.0.0.4/tcp/4774: a firewall drops Hallway's traffic (TCP port 4774) between you, or the computer is off."},
		},
	}
	u := newTestUI(t, f)
	d, err := f.Doctor(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	u.doctorDialog(d).Show()
	test.AssertRendersToMarkup(t, "doctor.xml", u.win.Canvas())
}

// A reply quotes what it answers, an edited message says so, a deleted
// one leaves a stub, and reactions show under their message, ours marked;
// an amendment arriving refolds the message it names in place.
func TestAmendedMessagesShow(t *testing.T) {
	f := office()
	u := newTestUI(t, f)
	conv := "dm:" + bobID
	at := day0.Add(2 * time.Hour)
	msgs := []chat.Message{
		{ID: "a1", Conversation: conv, From: bobID, FromName: "Bob", Text: "Lunch at noon?", Time: at, State: "received",
			Edited: true, Versions: []chat.Version{{Text: "Lunch at 1?", Time: at}},
			Reactions: []chat.Reaction{{Emoji: "👍", Count: 2, By: []string{bobID, f.self.PeerID}, Mine: true}, {Emoji: "🎉", Count: 1, By: []string{bobID}}}},
		{ID: "a2", Conversation: conv, From: bobID, FromName: "Bob", Text: "", Time: at.Add(time.Minute), State: "received", Deleted: true},
		{ID: "a3", Conversation: conv, From: bobID, FromName: "Bob", Kind: "reply", Text: "Or the canteen", Time: at.Add(2 * time.Minute), State: "received",
			Ref: &chat.MessageRef{ID: "a1", From: bobID}, ReplyTo: &chat.Quote{MessageRef: chat.MessageRef{ID: "a1", From: bobID}, FromName: "Bob", Text: "Lunch at noon?"}},
	}
	for _, m := range msgs {
		u.deliver(chat.MessageReceived{Message: m})
	}
	if got := editedMark(&u.conv.msgs[u.conv.index("a1")]); got != " · edited" {
		t.Errorf("edited mark %q", got)
	}
	if got := reactionLine(msgs[0].Reactions); got != "[👍 2]   🎉 1" {
		t.Errorf("reactions %q", got)
	}
	if got := quoteLine(msgs[2].ReplyTo); got != "↪ Bob: Lunch at noon?" {
		t.Errorf("quote %q", got)
	}
	test.AssertRendersToMarkup(t, "amended.xml", u.win.Canvas())
	// An edit, a reaction or a delete is never a row of its own.
	n := len(u.conv.msgs)
	u.deliver(chat.MessageReceived{Message: chat.Message{ID: "e9", Conversation: conv, From: bobID, Kind: "react", Text: "👍",
		Ref: &chat.MessageRef{ID: "zz", From: bobID}, Time: at, State: "received"}})
	if len(u.conv.msgs) != n {
		t.Errorf("a reaction became a row")
	}
}

// A muted conversation stays silent but for mentions of the user, which
// count apart in its badge; do not disturb silences even those; the bell
// saves the level the user picks.
func TestMuteSilencesButMentionsCome(t *testing.T) {
	f := office()
	u := newTestUI(t, f)
	u.open("room:" + genID)
	u.focused = false
	conv := "dm:" + bobID
	prefs := u.prefs
	prefs.Mutes = []chat.Mute{{Conversation: conv, Level: chat.NotifyMentions}}
	u.deliver(chat.PrefsChanged{Prefs: prefs})
	if !u.muted(conv) || u.muted("room:"+genID) {
		t.Fatal("mutes not taken")
	}
	msg := func(id, text string, mentions ...string) chat.Message {
		return chat.Message{ID: id, Conversation: conv, From: bobID, FromName: "Bob", Kind: "text", Text: text,
			Mentions: mentions, Time: day0, State: "received"}
	}
	test.AssertNotificationSent(t, nil, func() { u.deliver(chat.MessageReceived{Message: msg("p1", "lunch?")}) })
	u.self.PeerID = "12D3KooWAnnKey" // base58, as every peer id
	self := u.self.PeerID
	test.AssertNotificationSent(t, &fyne.Notification{Title: "Bob mentioned you", Content: "@Ann lunch?"}, func() {
		u.deliver(chat.MessageReceived{Message: msg("p2", chat.MentionToken(self)+" lunch?", self)})
	})
	if u.unread[conv] != 2 || u.mentions[conv] != 1 || badgeText(u.unread[conv], u.mentions[conv]) != "@1" {
		t.Errorf("unread %d, mentions %d", u.unread[conv], u.mentions[conv])
	}
	prefs.DoNotDisturbUntil = u.now().Add(time.Hour)
	u.deliver(chat.PrefsChanged{Prefs: prefs})
	test.AssertNotificationSent(t, nil, func() {
		u.deliver(chat.MessageReceived{Message: msg("p3", chat.MentionToken(self)+" now?", self)})
	})
	u.open(conv)
	if got := u.header.bell.Text; got != "mentions only" {
		t.Errorf("bell says %q", got)
	}
	u.showNotifyMenu(u.header.bell)
	test.AssertRendersToMarkup(t, "mute_menu.xml", u.win.Canvas())
	u.setMute(conv, chat.NotifyNone, time.Time{})
	if last := f.actions[len(f.actions)-1]; last != "mute "+conv+" none" {
		t.Errorf("last action %q", last)
	}
}

// The message menu: a colleague's message takes a reply and a reaction,
// one's own an edit and a delete too; the compose box then answers or
// rewrites it, and Escape goes back.
func TestMessageActions(t *testing.T) {
	f := office()
	u := newTestUI(t, f)
	conv := "dm:" + bobID
	u.open(conv)
	theirs := chat.Message{ID: "t1", Conversation: conv, From: bobID, FromName: "Bob", Kind: "text", Text: "Lunch at noon?",
		Time: day0.Add(time.Hour), State: "received", Edited: true, EditedAt: day0.Add(time.Hour + time.Minute),
		Versions: []chat.Version{{Text: "Lunch at 1?", Time: day0.Add(time.Hour)}}}
	mine := chat.Message{ID: "o1", Conversation: conv, From: u.self.PeerID, FromName: "Ann", Kind: "text", Text: "Sure",
		Time: day0.Add(2 * time.Hour), State: "delivered", Outgoing: true}
	u.deliver(chat.MessageReceived{Message: theirs})
	u.deliver(chat.MessageSent{Message: mine})
	labels := func(items []*fyne.MenuItem) string {
		var ls []string
		for _, it := range items {
			ls = append(ls, it.Label)
		}
		return strings.Join(ls, "|")
	}
	if got := labels(u.messageActions(theirs)); got != "Reply|React…|Earlier versions…" {
		t.Errorf("a colleague's message offers %q", got)
	}
	if got := labels(u.messageActions(mine)); got != "Reply|React…|Edit||Delete for everyone…" {
		t.Errorf("one's own offers %q", got)
	}
	if got := labels(u.messageActions(chat.Message{Kind: "join"})); got != "" {
		t.Errorf("a join offers %q", got)
	}
	u.compose.startReply(theirs)
	test.AssertRendersToMarkup(t, "compose_reply.xml", u.win.Canvas())
	test.Type(u.compose.entry, "Noon works")
	u.compose.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	u.compose.startEdit(mine)
	if u.compose.entry.Text != "Sure" {
		t.Errorf("edit starts with %q", u.compose.entry.Text)
	}
	u.compose.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if u.compose.mode != "" || u.compose.entry.Text != "" || u.compose.bar.Visible() {
		t.Errorf("Escape left mode %q, text %q", u.compose.mode, u.compose.entry.Text)
	}
	u.compose.startEdit(mine)
	u.compose.entry.SetText("Sure, see you there")
	u.compose.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	want := []string{"reply t1 Noon works", "edit o1 Sure, see you there"}
	got := slices.DeleteFunc(slices.Clone(f.actions), func(a string) bool { return strings.HasPrefix(a, "typing ") })
	if got = got[len(got)-2:]; !slices.Equal(got, want) {
		t.Errorf("actions %q, want %q", got, want)
	}
	u.showVersions(theirs)
	test.AssertRendersToMarkup(t, "versions.xml", u.win.Canvas())
}

// The picker offers the recent reactions first; a pick toggles ours.
func TestEmojiPicker(t *testing.T) {
	f := office()
	f.prefs.RecentEmoji = []string{"🚀", "👍"}
	u := newTestUI(t, f)
	conv := "dm:" + bobID
	u.open(conv)
	m := chat.Message{ID: "t2", Conversation: conv, From: bobID, FromName: "Bob", Kind: "text", Text: "Shipped",
		Time: day0.Add(time.Hour), State: "received"}
	u.deliver(chat.MessageReceived{Message: m})
	u.showEmojiPicker(m)
	test.AssertRendersToMarkup(t, "emoji_picker.xml", u.win.Canvas())
	var rocket *widget.Button
	walk(u.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "🚀" && rocket == nil {
			rocket = b
		}
	})
	if rocket == nil {
		t.Fatal("no recent 🚀 in the picker")
	}
	test.Tap(rocket)
	if last := f.actions[len(f.actions)-1]; last != "react t2 🚀" {
		t.Errorf("last action %q", last)
	}
}

// walk calls fn on o and everything drawn under it.
func walk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	fn(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walk(c, fn)
		}
	}
}

func TestCompleteMention(t *testing.T) {
	names := []string{"Bob", "Bobby Tables", "Carol", "bea"}
	for _, tc := range []struct {
		text string
		at   int
		want []string
	}{
		{"hi @b", 3, []string{"Bob", "Bobby Tables", "bea"}},
		{"hi @Bobb", 3, []string{"Bobby Tables"}},
		{"@car", 0, []string{"Carol"}},
		{"hi @Bob", 3, []string{"Bobby Tables"}}, // Bob is typed in full already
		{"mail ann@b", -1, nil},
		{"hi @", -1, nil},
		{"no at", -1, nil},
		{"(@c", 1, []string{"Carol"}},
	} {
		at, got := completeMention(tc.text, names)
		if at != tc.at || !slices.Equal(got, tc.want) {
			t.Errorf("completeMention(%q) = %d %q, want %d %q", tc.text, at, got, tc.at, tc.want)
		}
	}
}

// "@" completes from the room's members, and a mention of the reader
// shows as their name, marked.
func TestMentionCompletionAndHighlight(t *testing.T) {
	f := office()
	f.members = map[string][]chat.RoomMember{genID: {
		{Colleague: chat.Colleague{PeerID: bobID, Name: "Bob"}}, {Colleague: chat.Colleague{PeerID: "12D3KooWCarol", Name: "Carol"}},
		{Colleague: chat.Colleague{PeerID: "12D3KooWSelf", Name: "Ann"}, You: true}}}
	u := newTestUI(t, f)
	conv := "room:" + genID
	u.open(conv)
	u.self.PeerID = "12D3KooWAnnKey"
	test.Type(u.compose.entry, "thanks @ca")
	if u.compose.completion == nil {
		t.Fatal("no completion offered")
	}
	test.AssertRendersToMarkup(t, "mention_completion.xml", u.win.Canvas())
	u.compose.offered.Items[0].Action()
	if got := u.compose.entry.Text; got != "thanks @Carol " {
		t.Errorf("completed to %q", got)
	}
	m := chat.Message{ID: "h1", Conversation: conv, From: bobID, FromName: "Bob", Kind: "text",
		Text: "ping " + chat.MentionToken(u.self.PeerID) + " and " + chat.MentionToken(bobID), Time: day0.Add(time.Hour), State: "received",
		Mentions: []string{u.self.PeerID, bobID}}
	u.deliver(chat.MessageReceived{Message: m})
	segs := messageSegments(m.Text, u.nameOf, u.self.PeerID)
	var shown []string
	for _, s := range segs {
		shown = append(shown, s.Textual())
	}
	if got := strings.Join(shown, ""); got != "ping @Ann and @Bob" {
		t.Errorf("shown %q", got)
	}
	if ts := segs[1].(*widget.TextSegment); !ts.Style.TextStyle.Bold || ts.Style.ColorName != "primary" {
		t.Errorf("the reader's mention is not marked: %+v", ts.Style)
	}
	test.AssertRendersToMarkup(t, "mention_highlight.xml", u.win.Canvas())
}

// A colleague typing shows under the conversation until they send or the
// signal runs out; our message they read says so.
func TestTypingLineAndReadMark(t *testing.T) {
	f := office()
	u := newTestUI(t, f)
	conv := "dm:" + bobID
	u.open(conv)
	mine := chat.Message{ID: "o2", Conversation: conv, From: u.self.PeerID, FromName: "Ann", Kind: "text", Text: "Report attached",
		Time: day0.Add(time.Hour), State: "delivered", Outgoing: true}
	u.deliver(chat.MessageSent{Message: mine})
	u.deliver(chat.MessagesRead{Read: chat.ReadMark{Conversation: conv, UpTo: "o2", At: day0.Add(time.Hour + 2*time.Minute)}})
	if got := deliveryMark(&u.conv.msgs[u.conv.index("o2")]); got != "✓✓ read "+day0.Add(time.Hour+2*time.Minute).Format("15:04") {
		t.Errorf("mark %q", got)
	}
	u.deliver(chat.TypingChanged{Typing: chat.TypingSignal{Conversation: conv, From: bobID, Until: u.now().Add(chat.TypingFor)}})
	if !u.typingLine.Visible() || u.typingLine.Text != "Bob is typing…" {
		t.Fatalf("typing line %q, shown %v", u.typingLine.Text, u.typingLine.Visible())
	}
	test.AssertRendersToMarkup(t, "typing_read.xml", u.win.Canvas())
	u.deliver(chat.MessageReceived{Message: chat.Message{ID: "b9", Conversation: conv, From: bobID, FromName: "Bob", Kind: "text",
		Text: "Thanks", Time: day0.Add(2 * time.Hour), State: "received"}})
	if u.typingLine.Visible() {
		t.Error("the typing line stays after Bob sent")
	}
	// Another conversation's typing does not show here.
	u.deliver(chat.TypingChanged{Typing: chat.TypingSignal{Conversation: "dm:12D3KooWCarol", From: "12D3KooWCarol", Until: u.now().Add(chat.TypingFor)}})
	if u.typingLine.Visible() {
		t.Error("Carol's typing shows in Bob's conversation")
	}
	// Typing in the entry tells the colleague; sending takes it back.
	test.Type(u.compose.entry, "ok")
	u.compose.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if !slices.Contains(f.actions, "typing "+conv+" true") || !slices.Contains(f.actions, "typing "+conv+" false") {
		t.Errorf("actions %q", f.actions)
	}
}

// Opening a conversation with unread messages draws the "New messages"
// line over the first of them and offers to jump there; a draft stays
// with its conversation, across a restart of the window.
func TestNewMessagesLineJumpAndDrafts(t *testing.T) {
	f := office()
	carol := "dm:12D3KooWCarol"
	f.addMessages(carol, "12D3KooWCarol", "Carol", 40)
	u := newTestUI(t, f)
	u.open(carol)
	if want := f.msgs[carol][35].ID; u.conv.firstUnread != want {
		t.Fatalf("first unread %q, want %q (5 unread)", u.conv.firstUnread, want)
	}
	if !u.jump.obj.Visible() || u.jump.first.Text != "First unread (5)" {
		t.Fatalf("jump bar %v %q", u.jump.obj.Visible(), u.jump.first.Text)
	}
	test.Tap(u.jump.first)
	// The line shows over the first unread message, and over no other:
	// each row is bound as the list binds it on screen.
	first := u.conv.firstUnread
	it := newMsgItem(u)
	for i := range u.conv.msgs {
		u.conv.update(i, it)
		if on, id := it.newBox.Visible(), it.shown.ID; on != (id == first) {
			t.Errorf("row %s: line shown %v (first unread %s)", id, on, first)
		}
	}

	test.Type(u.compose.entry, "half a thought")
	u.flushDraft(carol)
	u.open("dm:" + bobID)
	if u.compose.entry.Text != "" {
		t.Errorf("Bob's conversation opens with %q", u.compose.entry.Text)
	}
	if f.drafts[carol] != "half a thought" {
		t.Fatalf("drafts kept %q", f.drafts)
	}
	again := newTestUI(t, f)
	again.open(carol)
	if again.compose.entry.Text != "half a thought" {
		t.Errorf("after a restart Carol's draft is %q", again.compose.entry.Text)
	}
	again.compose.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	again.flushDraft(carol)
	if _, kept := f.drafts[carol]; kept {
		t.Error("the draft outlived its sending")
	}
}
