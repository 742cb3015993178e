package app

import (
	"context"
	"testing"
	"time"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

const (
	bobID = "12D3KooWBob"
	eveID = "12D3KooWEve"
	genID = "general0001"
)

// newTestUI shows the window on a test app with f attached. Work that the
// real window runs off the UI goroutine runs in line, so tests are
// deterministic and race-free.
func newTestUI(t *testing.T, f *fakeCore) *UI {
	t.Helper()
	a := test.NewTempApp(t)
	w := a.NewWindow("Hallway")
	u := newUI(a, w)
	u.now = func() time.Time { return day0.Add(3 * 24 * time.Hour) }
	u.async = func(work func(context.Context) func()) {
		if then := work(u.ctx); then != nil {
			then()
		}
	}
	t.Cleanup(func() { u.idle.close(); u.cancel() })
	w.Resize(fyne.NewSize(900, 600))
	u.attach(f)
	return u
}

// office is a fake core with #general, Bob (labelled) and some history.
func office() *fakeCore {
	f := newFakeCore()
	f.rooms = []chat.Room{{ID: genID, Name: "general", General: true, Members: 3}}
	f.addPeer(bobID, "Bob", "available", true)
	f.addPeer("12D3KooWCarol", "Carol", "away", true)
	f.addPeer("12D3KooWDan", "Dan", "offline", false)
	t := f.trusts[bobID]
	t.Label = "Accounting"
	f.trusts[bobID] = t
	f.addMessages("dm:"+bobID, bobID, "Bob", 3)
	f.unread["room:"+genID] = 2
	f.unread["dm:12D3KooWCarol"] = 5
	f.prefs.LastConversation = "dm:" + bobID
	return f
}
