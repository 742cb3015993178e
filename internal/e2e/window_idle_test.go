package e2e

import (
	"io"
	"log"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/fleet"
	"hallway/internal/netlab"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"
)

// TestWindowAwayWhenScreenLocks: the real window reads the X desktop's
// screen saver. When the session's locker turns it on the user shows as
// away at once (long before ten idle minutes), and input after the
// unlock brings them back, as every colleague and `hallway status` see.
func TestWindowAwayWhenScreenLocks(t *testing.T) {
	lab := netlab.New(t, 1)
	fleet.NeedX(t)
	x := fleet.StartX(t, lab.Host(1))
	win := startWindow(t, x, "Ann", nil)
	status := func() string { return fleet.Decode[chat.Self](t, win.CLI("id", "--json")).Status }
	if s := status(); s != "available" {
		t.Fatalf("status at start: %q", s)
	}

	// A second X client plays the screen locker and the user.
	xgb.Logger = log.New(io.Discard, "", 0)
	c, err := xgb.NewConnDisplay(x.Display)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := xtest.Init(c); err != nil {
		t.Skipf("Xvfb has no XTEST: %v", err)
	}
	root := xproto.Setup(c).DefaultScreen(c).Root
	if err := xproto.ForceScreenSaverChecked(c, xproto.ScreenSaverActive).Check(); err != nil {
		t.Fatal(err)
	}
	took := win.WaitFor("away on lock", 30*time.Second, func() bool { return status() == "away" })
	t.Logf("away %s after the lock", took.Round(time.Millisecond))

	if err := xproto.ForceScreenSaverChecked(c, xproto.ScreenSaverReset).Check(); err != nil {
		t.Fatal(err)
	}
	if err := xtest.FakeInputChecked(c, xproto.MotionNotify, 0, 0, root, 10, 10, 0).Check(); err != nil {
		t.Fatal(err)
	}
	took = win.WaitFor("back on input", 30*time.Second, func() bool { return status() == "available" })
	t.Logf("available %s after the input", took.Round(time.Millisecond))
}
