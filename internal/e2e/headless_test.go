package e2e

import (
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// TestHeadlessPeer: the build without a window (make daemon) is a full
// peer of the desktop build. A headless daemon and a daemon from the full
// binary find each other on the LAN and exchange DMs both ways, each
// driven by its own binary's CLI.
func TestHeadlessPeer(t *testing.T) {
	lab := netlab.New(t, 2)
	srv := fleet.New(t, lab.Host(1), "Server")
	srv.Bin = fleet.HeadlessBinary(t)
	ann := fleet.New(t, lab.Host(2), "Ann")
	srv.Start()
	ann.Start()
	if v := srv.CLI("version"); !strings.Contains(v, "headless: no window") {
		t.Fatalf("headless version: %q", v)
	}
	srvID, annID := srv.Self().PeerID, ann.Self().PeerID
	ann.WaitFor("Server", 20*time.Second, func() bool { return ann.Sees(srvID, srv.Name) })
	srv.WaitFor("Ann", 20*time.Second, func() bool { return srv.Sees(annID, ann.Name) })

	srv.CLI("send", "Ann", "build 1432 is green", "--wait")
	ann.CLI("send", "Server", "thanks, deploying", "--wait")
	for _, c := range []struct {
		d    *fleet.Daemon
		peer string
	}{{srv, "Ann"}, {ann, "Server"}} {
		msgs := fleet.Decode[[]chat.Message](t, c.d.CLI("history", c.peer, "--json"))
		if len(msgs) != 2 || msgs[0].Text != "build 1432 is green" || msgs[1].Text != "thanks, deploying" {
			t.Fatalf("%s's history with %s: %+v", c.d.Name, c.peer, msgs)
		}
	}
}
