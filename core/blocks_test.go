package core

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"hallway/chat"

	"github.com/multiformats/go-multiaddr"
)

func (n *node) roomTexts(room string) []string {
	n.t.Helper()
	msgs, err := n.RoomHistory(context.Background(), room, nil, 100000)
	if err != nil {
		n.t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		out = append(out, m.Text)
	}
	return out
}

func (n *node) holds(room, text string) bool { return slices.Contains(n.roomTexts(room), text) }

// A block takes effect at once and after a restart: the blocked colleague
// is disconnected and refused, nothing it sends is kept or shown, even
// when another member forwards its room posts or serves them through
// catch-up sync, and nothing is sent to it. Unblocking restores it all.
func TestBlockRefusesEverythingAndSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	annDir := t.TempDir()
	ann := startNode(t, annDir, "Ann")
	bob := startNode(t, "", "Bob", ann.addr())
	cat := startNode(t, "", "Cat", ann.addr(), bob.addr())
	ann.waitOnline(bob, "Bob")
	ann.waitOnline(cat, "Cat")
	bob.waitOnline(cat, "Cat")
	r, err := ann.CreateRoom(ctx, "proj")
	if err != nil {
		t.Fatal(err)
	}
	code, err := ann.RoomInviteCode(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []*node{bob, cat} {
		if _, err := n.JoinRoomCode(ctx, code); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []*node{ann, bob, cat} {
		n.waitFor("3 members", func() bool {
			ms, _ := n.RoomMembers(ctx, r.ID)
			return len(ms) == 3
		})
	}
	bobID, annID := bob.ID().String(), ann.ID().String()

	events := ann.Subscribe(ctx)
	b, err := ann.Block(ctx, "Bob", "keeps writing at night")
	if err != nil {
		t.Fatal(err)
	}
	if b.PeerID != bobID || b.Name != "Bob" || b.Reason != "keeps writing at night" {
		t.Fatalf("block %+v", b)
	}
	ann.waitFor("Bob blocked and offline", func() bool {
		c, _ := ann.colleague(bobID)
		return c.Blocked && !c.Online
	})
	bob.waitFor("Ann gone", func() bool { c, _ := bob.colleague(annID); return !c.Online })
	for e := range events {
		if u, ok := e.(chat.PeerUpdated); ok && u.Peer.PeerID == bobID && u.Peer.Blocked {
			break
		}
	}

	// Bob keeps writing: a direct message, a room post (which Cat
	// forwards), a file offer.
	dm, err := bob.Send(ctx, "Ann", "are you ignoring me?")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.SendRoom(ctx, r.ID, "blocked post"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "x.txt")
	os.WriteFile(file, []byte("x"), 0o600)
	if _, err := bob.SendFile(ctx, "Ann", file, 0); err != nil {
		t.Fatal(err)
	}
	cat.waitFor("Bob's post at Cat", func() bool { return cat.holds(r.ID, "blocked post") })
	if _, err := cat.SendRoom(ctx, r.ID, "after Bob's post"); err != nil {
		t.Fatal(err)
	}
	ann.waitFor("Cat's post", func() bool { return ann.holds(r.ID, "after Bob's post") })
	// Ann writing to Bob is refused too.
	if _, err := ann.Send(ctx, "Bob", "go away"); err == nil {
		t.Fatal("Ann wrote to a colleague she blocked")
	}
	if _, err := ann.SendFile(ctx, "Bob", file, 0); err == nil {
		t.Fatal("Ann offered a file to a colleague she blocked")
	}

	// Ann restarts; meanwhile Bob and Cat post. Ann catches up from Cat
	// alone (Bob is refused), and Cat's catch-up must not bring Bob's posts.
	annListen := ann.node.Addrs()[0].Decapsulate(multiaddr.StringCast("/p2p/" + annID)).String()
	ann.stop()
	if _, err := bob.SendRoom(ctx, r.ID, "blocked while Ann was away"); err != nil {
		t.Fatal(err)
	}
	cat.waitFor("Bob's second post at Cat", func() bool { return cat.holds(r.ID, "blocked while Ann was away") })
	if _, err := cat.SendRoom(ctx, r.ID, "Cat while Ann was away"); err != nil {
		t.Fatal(err)
	}
	// The same port, as a restarted Hallway takes: colleagues know it.
	ann = startNodeWith(t, Config{DataDir: annDir, Name: "Ann", ListenAddrs: []string{annListen}})
	ann.waitFor("Cat's post through sync", func() bool { return ann.holds(r.ID, "Cat while Ann was away") })
	if c, ok := ann.colleague(bobID); !ok || !c.Blocked || c.Online {
		t.Fatalf("after the restart Bob is %+v", c)
	}
	// Bob dials Ann's new address himself: refused once his key is known.
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	bob.node.Connect(dctx, ann.ID(), ann.node.Addrs())
	cancel()
	if ann.node.IsConnected(bob.ID()) {
		t.Fatal("a blocked colleague connected after the restart")
	}
	for _, text := range []string{"blocked post", "blocked while Ann was away"} {
		if ann.holds(r.ID, text) {
			t.Fatalf("Ann stored Bob's post %q while he was blocked", text)
		}
	}
	if h := ann.history(bobID); len(h) != 0 {
		t.Fatalf("Ann stored %d direct messages or offers from a blocked colleague", len(h))
	}
	if tr, _ := ann.Transfers(ctx); len(tr) != 0 {
		t.Fatalf("Ann holds %d transfers from a blocked colleague", len(tr))
	}
	list, err := ann.Blocked(ctx)
	if err != nil || len(list) != 1 || list[0].PeerID != bobID {
		t.Fatalf("block list after the restart: %+v %v", list, err)
	}

	// Unblocked: Bob is back, what his Hallway kept queued arrives, and
	// the room catches up on his posts.
	if _, err := ann.Unblock(ctx, "Bob"); err != nil {
		t.Fatal(err)
	}
	ann.waitFor("Bob online after the unblock", func() bool { c, _ := ann.colleague(bobID); return c.Online && !c.Blocked })
	ann.waitFor("Bob's direct message", func() bool {
		for _, m := range ann.history(bobID) {
			if m.ID == dm.ID {
				return true
			}
		}
		return false
	})
	ann.waitFor("Bob's room posts", func() bool {
		return ann.holds(r.ID, "blocked post") && ann.holds(r.ID, "blocked while Ann was away")
	})
	if _, err := ann.Send(ctx, "Bob", "sorry"); err != nil {
		t.Fatal(err)
	}
}
