package core

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
)

func TestStatusReachesColleagues(t *testing.T) {
	ann := startNode(t, "", "Ann")
	bob := startNode(t, "", "Bob", ann.addr())
	cat := startNode(t, "", "Cat", ann.addr())
	bob.waitOnline(ann, "Ann")
	cat.waitOnline(ann, "Ann")
	if err := ann.SetStatus(context.Background(), "away", "back at 2"); err != nil {
		t.Fatal(err)
	}
	annID := ann.ID().String()
	for _, n := range []*node{bob, cat} {
		n.waitFor("Ann away", func() bool {
			c, _ := n.colleague(annID)
			return c.Status == "away" && c.StatusText == "back at 2"
		})
	}
	if err := ann.SetStatus(context.Background(), "gone fishing", ""); err == nil {
		t.Fatal("unknown status accepted")
	}
}

func TestCleanQuitShowsOfflineAtOnce(t *testing.T) {
	ann := startNode(t, "", "Ann")
	bob := startNode(t, "", "Bob", ann.addr())
	ann.waitOnline(bob, "Bob")
	bob.stop()
	id := bob.ID().String()
	ann.waitFor("Bob offline", func() bool {
		c, ok := ann.colleague(id)
		return ok && !c.Online && c.Status == chat.StatusOffline
	})
}

func TestSameNameTwoColleagues(t *testing.T) {
	ann := startNode(t, "", "Ann")
	bob1 := startNode(t, "", "Bob", ann.addr())
	bob2 := startNode(t, "", "Bob", ann.addr())
	ann.waitOnline(bob1, "Bob")
	ann.waitOnline(bob2, "Bob")
	peers, _ := ann.Peers(context.Background())
	shared := 0
	for _, c := range peers {
		if c.Name == "Bob" && c.NameShared {
			shared++
		}
	}
	if shared != 2 {
		t.Fatalf("both Bobs must be listed and flagged, got %+v", peers)
	}
	_, err := ann.Send(context.Background(), "bob", "which one?")
	if !errors.Is(err, chat.ErrAmbiguousPeer) {
		t.Fatalf("want ambiguity, got %v", err)
	}
	for _, b := range []*node{bob1, bob2} {
		if !strings.Contains(chat.UserMessage(err), b.ID().String()) {
			t.Fatalf("candidates must be listed: %s", chat.UserMessage(err))
		}
	}
	c2, _ := ann.colleague(bob2.ID().String())
	id, err := ann.Resolve(context.Background(), "Bob#"+hcrypto.ShortFingerprint(c2.Fingerprint))
	if err != nil || id != bob2.ID() {
		t.Fatalf("name#print resolves to %v, %v", id, err)
	}
	if _, err := ann.Resolve(context.Background(), "Zed"); !errors.Is(err, chat.ErrUnknownPeer) {
		t.Fatalf("unknown name: %v", err)
	}
}

func TestPeersIntroduceEachOther(t *testing.T) {
	// Bob and Cat only know Ann's address; Ann tells each about the other.
	ann := startNode(t, "", "Ann")
	bob := startNode(t, "", "Bob", ann.addr())
	bob.waitOnline(ann, "Ann")
	cat := startNode(t, "", "Cat", ann.addr())
	cat.waitOnline(ann, "Ann")
	if err := ann.SetStatus(context.Background(), "busy", ""); err != nil { // a push carries known peers
		t.Fatal(err)
	}
	bob.waitOnline(cat, "Cat")
	cat.waitOnline(bob, "Bob")
}

func TestSecondInstanceRefused(t *testing.T) {
	dir := t.TempDir()
	startNode(t, dir, "Ann")
	_, err := Open(context.Background(), Config{DataDir: dir, NoMDNS: true, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}})
	if !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("want ErrAlreadyRunning, got %v", err)
	}
}

func TestIdentityStableAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	a := startNode(t, dir, "Ann")
	id, _ := a.Self(context.Background())
	a.stop()
	b := startNode(t, dir, "")
	again, _ := b.Self(context.Background())
	if again.PeerID != id.PeerID || again.Fingerprint != id.Fingerprint || again.Name != "Ann" {
		t.Fatalf("identity or name changed: %+v vs %+v", id, again)
	}
}

func TestDifferentWorkspaceNamedOnAdd(t *testing.T) {
	annDir := t.TempDir()
	k, _ := hcrypto.NewWorkspaceKey()
	if err := WriteWorkspaceKey(annDir, k, false); err != nil {
		t.Fatal(err)
	}
	ann := startNode(t, annDir, "Ann")
	bob := startNode(t, "", "Bob")
	res, err := bob.AddPeer(context.Background(), ann.addr())
	if err != nil {
		t.Fatal(err)
	}
	if res.Connected || !strings.Contains(res.Problem, "different workspace") {
		t.Fatalf("want a different-workspace problem, got %+v", res)
	}
	me, _ := ann.Self(context.Background())
	if me.Workspace != WorkspacePrivate || me.WorkspaceTag != k.Tag() {
		t.Fatalf("Ann's workspace: %+v", me)
	}
}

// An event about a colleague shows them as they are when it is published,
// not as its sender read them earlier: a PeerOnline or PeerUpdated read
// before Bob's profile arrived must not show him nameless after the event
// that brought his name (offices of dozens connecting at once did).
func TestPeerEventsShowTheColleagueAsPublished(t *testing.T) {
	ann := startNode(t, "", "Ann")
	bob := startNode(t, "", "Bob", ann.addr())
	ann.waitOnline(bob, "Bob")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	events := ann.Subscribe(ctx)
	id := bob.ID().String()
	(*peoplePorts)(ann.Service).Publish(chat.PeerUpdated{Peer: chat.Colleague{PeerID: id}}) // read before his profile came
	for {
		select {
		case e := <-events:
			if u, ok := e.(chat.PeerUpdated); ok && u.Peer.PeerID == id {
				if u.Peer.Name != "Bob" || !u.Peer.Online {
					t.Fatalf("the event shows Bob as %q, online %v: want him as he is now", u.Peer.Name, u.Peer.Online)
				}
				return
			}
		case <-ctx.Done():
			t.Fatal("no PeerUpdated about Bob")
		}
	}
}
