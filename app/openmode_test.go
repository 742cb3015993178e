package app

import (
	"context"
	"strings"
	"testing"

	"hallway/chat"

	"fyne.io/fyne/v2/test"
)

// deliverNow applies an event as the bridge would.
func deliverNow(u *UI, e chat.Event) { u.deliver(e) }

func TestFirstRunShowsPrivateWorkspacesNearby(t *testing.T) {
	f := office()
	f.prefs.SetupDone = false
	f.nearby = []chat.NearbyWorkspace{{Tag: "3f9a", Colleagues: 3}, {Tag: "77ab", Colleagues: 2}}
	u := newTestUI(t, f)
	fr := u.firstRun
	if fr == nil {
		t.Fatal("no first-run screen")
	}
	if got := fr.nearby.Text; !strings.Contains(got, "2 private workspaces on this network (5 colleagues)") ||
		!strings.Contains(got, "a workspace of 3 colleagues") || !strings.Contains(got, "a workspace of 2 colleagues") {
		t.Fatalf("nearby says %q", got)
	}
	if fr.choice.Selected != choiceJoin || fr.choice.Options[0] != choiceJoin || fr.choice.Options[1] != choiceCreate {
		t.Fatalf("choices %q, selected %q: joining must come first and be picked", fr.choice.Options, fr.choice.Selected)
	}
	if last := fr.choice.Options[2]; !strings.Contains(last, "open mode") || !strings.Contains(last, "visible to every network this computer joins") {
		t.Fatalf("open mode is not labelled with what it costs: %q", last)
	}
	if !fr.code.Visible() {
		t.Fatal("the code entry is hidden while joining is picked")
	}
	test.AssertRendersToMarkup(t, "firstrun_nearby.xml", u.win.Canvas())

	// The workspaces go quiet: creating one becomes the path.
	deliverNow(u, chat.NearbyChanged{})
	if !strings.Contains(fr.nearby.Text, "No private workspace") || fr.choice.Selected != choiceCreate {
		t.Fatalf("after they left: %q, selected %q", fr.nearby.Text, fr.choice.Selected)
	}
	// Once the user picks, what comes and goes no longer moves the choice.
	test.Tap(fr.done) // nothing typed: not yet
	fr.choice.SetSelected(choiceOpen)
	deliverNow(u, chat.NearbyChanged{Workspaces: []chat.NearbyWorkspace{{Tag: "3f9a", Colleagues: 1}}})
	if fr.choice.Selected != choiceOpen || !strings.Contains(fr.nearby.Text, "1 private workspace on this network (1 colleague)") {
		t.Fatalf("after the user picked open mode: %q, selected %q", fr.nearby.Text, fr.choice.Selected)
	}
}

func TestOpenModePanel(t *testing.T) {
	f := office()
	f.nearby = []chat.NearbyWorkspace{{Tag: "3f9a", Colleagues: 4}, {Tag: "open", Colleagues: 2, Open: true}}
	u := newTestUI(t, f)
	p := u.openPanel
	if !p.obj.Visible() {
		t.Fatal("no open-mode panel in the open LAN workspace")
	}
	if got := p.nearby.Text(); !strings.Contains(got, "1 private workspace on this network (4 colleagues)") {
		t.Fatalf("panel says %q", got)
	}
	test.AssertRendersToMarkup(t, "openmode.xml", u.win.Canvas())
	deliverNow(u, chat.NearbyChanged{Workspaces: []chat.NearbyWorkspace{{Tag: "3f9a", Colleagues: 5}, {Tag: "c0de", Colleagues: 1}}})
	if got := p.nearby.Text(); !strings.Contains(got, "2 private workspaces on this network (6 colleagues)") {
		t.Fatalf("after a change the panel says %q", got)
	}

	private := office()
	private.self.Workspace = chat.WorkspacePrivate
	private.nearby = f.nearby
	if u := newTestUI(t, private); u.openPanel.obj.Visible() {
		t.Fatal("the open-mode panel shows in a private workspace")
	}
}

// TestNearbyEventDuringReloadWins: a nearby_changed event applied while a
// reload was reading the node keeps its newer list; the reload's older
// read must not hide the workspaces until the next change.
func TestNearbyEventDuringReloadWins(t *testing.T) {
	f := office()
	u := newTestUI(t, f)
	var finish func()
	inline := u.async
	u.async = func(work func(ctx context.Context) func()) {
		finish = work(context.Background()) // read now, apply later
	}
	u.reload(false)
	u.async = inline
	deliverNow(u, chat.NearbyChanged{Workspaces: []chat.NearbyWorkspace{{Tag: "3f9a", Colleagues: 2}}})
	finish()
	if got := u.openPanel.nearby.Text(); !strings.Contains(got, "1 private workspace on this network (2 colleagues)") {
		t.Fatalf("after the reload the panel says %q", got)
	}
}
