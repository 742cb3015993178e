package app

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestSearchJumpsToMessage(t *testing.T) {
	f := office()
	f.addMessages("room:"+genID, bobID, "Bob", 1000)
	target := f.msgs["room:"+genID][10]
	f.hits = []chat.SearchHit{{ID: target.ID, Conversation: "#general", ConversationID: genID, ConversationName: "#general",
		Room: true, From: bobID, FromName: "Bob", Time: target.Time, Text: target.Text, Snippet: "«message» 11"}}
	u := newTestUI(t, f)
	s := newSearchView(u)
	u.win.SetContent(s.obj)
	test.Type(s.text, "message")
	s.from.SetSelected("Bob")
	s.run()
	if len(s.hits) != 1 || f.actions[len(f.actions)-1] != "search message from="+bobID+" in=" {
		t.Fatalf("hits %v actions %v", s.hits, f.actions)
	}
	test.AssertRendersToMarkup(t, "search.xml", u.win.Canvas())
	u.win.SetContent(u.main)
	s.list.Select(0)
	if u.current != "room:"+genID {
		t.Fatalf("current %q", u.current)
	}
	i := u.conv.index(target.ID)
	if i < 0 {
		t.Fatal("the result's message is not loaded")
	}
	if len(u.conv.msgs) < 990 {
		t.Fatalf("only %d messages loaded: pages were not read back to the result", len(u.conv.msgs))
	}
}

// A long conversation opens with one page and reads older pages only as
// the user scrolls up.
func TestConversationPagesLazily(t *testing.T) {
	f := office()
	conv := "room:" + genID
	f.addMessages(conv, bobID, "Bob", 50_000)
	u := newTestUI(t, f)
	f.pages = 0
	u.open(conv)
	if len(u.conv.msgs) != pageSize || f.pages != 1 {
		t.Fatalf("opened with %d messages in %d pages", len(u.conv.msgs), f.pages)
	}
	if got := u.conv.msgs[len(u.conv.msgs)-1].Text; got != "message 50000" {
		t.Fatalf("newest shown %q", got)
	}
	u.conv.list.ScrollToTop()
	if len(u.conv.msgs) != 2*pageSize || f.pages != 2 {
		t.Fatalf("after scrolling up: %d messages in %d pages", len(u.conv.msgs), f.pages)
	}
	for i := 1; i < len(u.conv.msgs); i++ {
		if !before(u.conv.msgs[i-1], u.conv.msgs[i]) {
			t.Fatalf("out of order at %d", i)
		}
	}
}

// The bridge carries core events to the widgets through fyne.Do.
func TestBridgeDeliversEvents(t *testing.T) {
	f := office()
	u := newTestUI(t, f)
	got := make(chan chat.Event, 1)
	u.applied = func(e chat.Event) { got <- e }
	f.events <- chat.PeerUpdated{Peer: chat.Colleague{PeerID: bobID, Name: "Bob", Status: "busy", StatusText: "on a call", Online: true}}
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("event not delivered")
	}
	if u.peers[bobID].Status != "busy" {
		t.Fatal("peer not updated")
	}
}

func TestDropSendsFiles(t *testing.T) {
	f := office()
	u := newTestUI(t, f)
	u.dropped([]fyne.URI{storage.NewFileURI("/tmp/a.pdf"), storage.NewFileURI("/tmp/folder")})
	if fmt.Sprint(f.files) != fmt.Sprintf("[dm:%s /tmp/a.pdf dm:%s /tmp/folder]", bobID, bobID) {
		t.Fatalf("files %v", f.files)
	}
}

func TestIdleTrackerGoesAwayAndBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var seen []bool
		changes := func() string { mu.Lock(); defer mu.Unlock(); return fmt.Sprint(seen) }
		tr := newIdleTracker(realClock{}, idleAfter, nil, func(idle bool) { mu.Lock(); seen = append(seen, idle); mu.Unlock() })
		defer tr.close()
		time.Sleep(9 * time.Minute)
		tr.activity()
		time.Sleep(9 * time.Minute)
		synctest.Wait()
		if changes() != "[]" {
			t.Fatalf("idle too early: %v", changes())
		}
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		if changes() != "[true]" {
			t.Fatalf("after 11 quiet minutes: %v", changes())
		}
		tr.activity()
		tr.activity()
		if changes() != "[true false]" {
			t.Fatalf("after activity: %v", changes())
		}
	})
}

func TestAutoAwayOnlyFromAvailable(t *testing.T) {
	f := office()
	u := newTestUI(t, f)
	u.idleChanged(true)
	if f.self.Status != "away" || !u.autoAway {
		t.Fatalf("status %q auto %v", f.self.Status, u.autoAway)
	}
	u.self.Status = "away"
	u.idleChanged(false)
	if f.self.Status != "available" {
		t.Fatalf("not back: %q", f.self.Status)
	}
	u.self.Status = "busy"
	u.idleChanged(true)
	if f.self.Status != "available" {
		t.Fatalf("busy was changed by the idle timer")
	}
}

func TestFirstRunCreatesWorkspace(t *testing.T) {
	f := office()
	f.prefs.SetupDone = false
	u := newTestUI(t, f)
	fr := newFirstRun(u)
	u.win.SetContent(fr.obj)
	fr.name.SetText("Ann Smith")
	fr.choice.SetSelected(choiceCreate)
	test.Tap(fr.done)
	if f.self.Name != "Ann Smith" || !f.prefs.SetupDone || f.workspace == "" || f.restarts != 1 {
		t.Fatalf("name %q setup %v workspace %q restarts %d", f.self.Name, f.prefs.SetupDone, f.workspace, f.restarts)
	}
	if len(fr.invite.Objects) == 0 {
		t.Fatal("the invite code is not shown")
	}
	test.AssertRendersToMarkup(t, "firstrun_invite.xml", u.win.Canvas())
	test.Tap(fr.done)
	if u.win.Content() != u.main {
		t.Fatal("not in the main view")
	}
}

func TestLinksOnlyWebAndMail(t *testing.T) {
	segs := textSegments("see https://a.example/x, file:///etc/passwd and www.b.example.")
	var links []string
	for _, s := range segs {
		if l, ok := s.(*widget.HyperlinkSegment); ok {
			links = append(links, l.URL.String())
		}
	}
	if fmt.Sprint(links) != "[https://a.example/x https://www.b.example]" {
		t.Fatalf("links %v", links)
	}
}

// A window whose events were dropped (the core says Lagged) reads its view
// again: the colleagues, rooms and badges it missed show in the sidebar,
// and the open conversation shows the message it missed.
func TestLaggedReloadsTheView(t *testing.T) {
	f := office()
	u := newTestUI(t, f)
	conv := "dm:" + bobID
	if u.current != conv || len(u.conv.msgs) != 3 {
		t.Fatalf("opened %q with %d messages", u.current, len(u.conv.msgs))
	}
	f.mu.Lock()
	reads, pages := f.viewReads, f.pages
	const erinID, designID = "12D3KooWErin", "design0001"
	// What happened while the window's events were dropped.
	f.addPeer(erinID, "Erin", "available", true)
	f.rooms = append(f.rooms, chat.Room{ID: designID, Name: "design", Members: 2})
	f.unread["room:"+designID] = 4
	f.addMessages(conv, bobID, "Bob", 1)
	missed := f.msgs[conv][len(f.msgs[conv])-1]
	f.mu.Unlock()

	got := make(chan chat.Event, 1)
	u.applied = func(e chat.Event) { got <- e }
	f.events <- chat.Lagged{Missed: 7}
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the lag event was not delivered")
	}
	f.mu.Lock()
	reread, paged := f.viewReads-reads, f.pages-pages
	f.mu.Unlock()
	if reread != 3 || paged != 1 {
		t.Fatalf("after the lag: %d reads of peers, rooms and unread counts, %d pages", reread, paged)
	}
	if _, ok := u.peers[erinID]; !ok || len(u.rooms) != 2 || u.unread["room:"+designID] != 4 {
		t.Fatalf("state not read again: peers %v rooms %v unread %v", u.peers, u.rooms, u.unread)
	}
	rows := map[string]sideRow{}
	for _, r := range u.sidebar.rows {
		rows[r.conv] = r
	}
	if _, ok := rows["dm:"+erinID]; !ok || rows["room:"+designID].badge != 4 {
		t.Fatalf("sidebar rows %+v", u.sidebar.rows)
	}
	if u.current != conv || len(u.conv.msgs) != 4 || u.conv.msgs[3].ID != missed.ID {
		t.Fatalf("conversation %q shows %d messages", u.current, len(u.conv.msgs))
	}
}

// A colleague is blocked from their conversation's header, after a
// question, and unblocked from the same button; the sidebar says so.
func TestBlockFromTheHeader(t *testing.T) {
	f := office()
	u := newTestUI(t, f)
	u.open("dm:" + bobID)
	if !u.header.block.Visible() || u.header.block.Text != "Block" {
		t.Fatalf("header block button: visible %v, %q", u.header.block.Visible(), u.header.block.Text)
	}
	test.Tap(u.header.block)
	if len(f.actions) != 0 {
		t.Fatalf("blocked without asking: %v", f.actions)
	}
	if u.win.Canvas().Overlays().Top() == nil {
		t.Fatal("no question before blocking")
	}
	_, block := u.blockDialog(bobID)
	block("sends abuse")
	if len(f.actions) != 1 || f.actions[0] != `block 12D3KooWBob "sends abuse"` {
		t.Fatalf("actions %v", f.actions)
	}
	if u.header.block.Text != "Unblock" || !strings.Contains(u.header.sub.Text, "blocked") {
		t.Fatalf("header after the block: %q, %q", u.header.block.Text, u.header.sub.Text)
	}
	found := false
	for _, r := range u.sidebar.rows {
		if r.conv == "dm:"+bobID {
			found = r.sub == "blocked"
		}
	}
	if !found {
		t.Fatal("the sidebar does not show Bob blocked")
	}
	test.Tap(u.header.block)
	if len(f.actions) != 2 || f.actions[1] != "unblock "+bobID || u.header.block.Text != "Block" {
		t.Fatalf("unblock: %v, button %q", f.actions, u.header.block.Text)
	}
	// Rooms have no block button.
	u.open("room:" + genID)
	if u.header.block.Visible() {
		t.Fatal("a room offers to block")
	}
}
