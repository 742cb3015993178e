package e2e

import (
	"fmt"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// route is how d lists the colleague id: online, and via what.
func route(d *fleet.Daemon, id string) (online bool, via, relay string) {
	for _, c := range d.Peers() {
		if c.PeerID == id {
			return c.Online, c.Via, c.Relay
		}
	}
	return false, "", ""
}

// TestRelayThroughAColleague: Cat and Cid sit on a Wi-Fi that isolates its
// clients, so neither reaches the other; both reach Ann and Abe on the
// wired subnet, whose Hallways relay for them. When the relaying
// colleague quits, the other takes over.
func TestRelayThroughAColleague(t *testing.T) {
	lab := netlab.NewRouted(t, netlab.Subnet{Hosts: 2}, netlab.Subnet{Hosts: 2, Isolated: true})
	ds, _, took := officeStart(t, lab, []string{"Ann", "Abe", "Cat", "Cid"}, 30*time.Second)
	ann, abe, cat, cid := ds[0], ds[1], ds[2], ds[3]
	t.Logf("all 4 listed each other %s after start", took.Round(time.Millisecond))
	catID, cidID := cat.ID(), cid.ID()

	online, via, relay := route(cat, cidID)
	if !online || via != "relay" || (relay != ann.ID() && relay != abe.ID()) {
		t.Fatalf("Cat lists Cid online %v via %q through %q; want a relay through Ann or Abe", online, via, relay)
	}
	if _, v, _ := route(cat, ann.ID()); v != "direct" {
		t.Fatalf("Cat reaches Ann via %q, want direct", v)
	}
	t.Logf("Cat and Cid talk through %s", map[string]string{ann.ID(): "Ann", abe.ID(): "Abe"}[relay])

	t.Run("messages, rooms, presence and a small file go relayed", func(t *testing.T) {
		cat.CLI("send", "Cid", "over the relay", "--wait")
		cid.CLI("send", "Cat", "and back", "--wait")
		fleet.Room(t, []*fleet.Daemon{cat, cid}, "wifi")
		cat.CLI("room", "send", "#wifi", "room post over the relay")
		cid.WaitFor("the room post", 20*time.Second, func() bool { return len(cid.History("#wifi")) >= 1 })
		cat.CLI("status", "away", "lunch")
		cid.WaitFor("Cat away", 20*time.Second, func() bool {
			for _, c := range cid.Peers() {
				if c.PeerID == catID {
					return c.Status == "away"
				}
			}
			return false
		})
		for _, size := range []int64{2 << 20, 20 << 20} { // small, and large: no direct path either
			src, hash := fleet.RandomFile(t, t.TempDir(), fmt.Sprintf("memo-%d.pdf", size), size)
			id := offer(t, cat, cid, "Cid", src)
			start := time.Now()
			got := fleet.Decode[chat.Transfer](t, cid.CLI("file", "accept", id, "--wait", "--json"))
			if got.State != "done" || fleet.FileHash(t, got.FinalPath) != hash || !got.Relayed {
				t.Fatalf("relayed file of %d bytes: %+v", size, got)
			}
			t.Logf("%d MiB relayed in %s (%.0f MB/s)", size>>20, time.Since(start).Round(time.Millisecond), float64(size)/1e6/time.Since(start).Seconds())
		}
	})

	t.Run("the other colleague takes over when the relay quits", func(t *testing.T) {
		_, _, relay := route(cat, cidID)
		quitter, other := ann, abe
		if relay == abe.ID() {
			quitter, other = abe, ann
		}
		quitter.Stop()
		cat.WaitFor("Cid again through "+other.Name, 60*time.Second, func() bool {
			online, via, r := route(cat, cidID)
			return online && via == "relay" && r == other.ID()
		})
		cat.CLI("send", "Cid", "through the other relay", "--wait")
		if _, v, _ := route(cid, catID); v != "relay" {
			t.Fatalf("Cid reaches Cat via %q", v)
		}
	})
}
