package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"hallway/chat"
)

// An admin makes a pass from the settings: the window asks the core for
// one and shows its code; a member gets no such button.
func TestAdminMakesAPass(t *testing.T) {
	f := office()
	u := newTestUI(t, f)
	if u.isAdmin() {
		t.Fatal("a member is taken for an admin")
	}
	u.policy = &chat.Policy{Admins: []chat.Colleague{{PeerID: u.self.PeerID, Name: u.self.Name}}}
	if !u.isAdmin() {
		t.Fatal("an admin is not taken for one")
	}
	u.openPass("x", "7")
	if len(f.actions) != 0 {
		t.Fatalf("a pass made from a bad number: %v", f.actions)
	}
	u.openPass("2", "7")
	if len(f.actions) != 1 || f.actions[0] != "pass 2 168h0m0s" {
		t.Fatalf("actions %v", f.actions)
	}
	top := u.win.Canvas().Overlays().Top()
	if top == nil || !showsText(top, "HW3-PASS") {
		t.Fatal("the pass's code is not shown")
	}
}

// showsText reports whether an entry under o holds text.
func showsText(o fyne.CanvasObject, text string) bool {
	switch x := o.(type) {
	case *widget.Entry:
		return x.Text == text
	case fyne.Widget:
		r := x.CreateRenderer()
		for _, c := range r.Objects() {
			if showsText(c, text) {
				return true
			}
		}
	case *fyne.Container:
		for _, c := range x.Objects {
			if showsText(c, text) {
				return true
			}
		}
	}
	return false
}
