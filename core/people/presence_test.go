package people

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"hallway/chat"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// someColleagues describes a colleague by what the store holds.
type someColleagues struct{ store *fakeStore }

func (c someColleagues) Colleague(ctx context.Context, id peer.ID) chat.Colleague {
	p, _, _ := c.store.Peer(ctx, id.String())
	return chat.Colleague{PeerID: id.String(), Name: p.Name}
}

type noOthers struct{}

func (noOthers) OtherWorkspaces() int { return 2 }

type presenceRig struct {
	store *fakeStore
	net   *fakeNet
	bus   *fakeBus
	sink  *sightings
	p     *Presence
}

func newPresenceRig(t *testing.T, name string) *presenceRig {
	t.Helper()
	key, _ := newKey(t)
	r := &presenceRig{store: newFakeStore(), net: newFakeNet(t), bus: newFakeBus(), sink: &sightings{}}
	r.p = NewPresence(PresenceConfig{Name: name, Key: key, Workspace: "open", WorkspaceTag: "tag", DataDir: "/d"},
		PresenceDeps{Store: r.store, Net: r.net, Publisher: r.bus, Others: noOthers{},
			Directory: someColleagues{r.store}, Sightings: r.sink})
	return r
}

func (r *presenceRig) updates() []chat.PeerUpdated {
	var out []chat.PeerUpdated
	for _, e := range r.bus.published() {
		if u, ok := e.(chat.PeerUpdated); ok {
			out = append(out, u)
		}
	}
	return out
}

// A push that was delayed on the way never overwrites a newer profile.
func TestDelayedOlderProfileNeverOverwritesNewer(t *testing.T) {
	ctx := context.Background()
	r := newPresenceRig(t, "Ann")
	bob := newID(t)
	r.p.Receive(ctx, bob, p2p.Profile{Name: "Bob", Status: chat.StatusBusy, Version: 20})
	r.p.Receive(ctx, bob, p2p.Profile{Name: "Robert", Status: chat.StatusAvailable, Version: 10})
	r.p.Receive(ctx, bob, p2p.Profile{Name: "Robert", Status: chat.StatusAvailable, Version: 20})

	got, _, _ := r.store.Peer(ctx, bob.String())
	if got.Name != "Bob" || got.Status != chat.StatusBusy {
		t.Fatalf("stored %+v, want the newer profile", got)
	}
	if u := r.updates(); len(u) != 1 || u[0].Peer.Name != "Bob" {
		t.Fatalf("updates %+v, want one for the newer profile", u)
	}
	r.p.Receive(ctx, bob, p2p.Profile{Name: "Rob", Status: chat.StatusAway, Version: 21})
	if got, _, _ := r.store.Peer(ctx, bob.String()); got.Name != "Rob" {
		t.Fatalf("a newer profile was refused: %+v", got)
	}
}

func TestReceivedProfileIntroducesColleagues(t *testing.T) {
	r := newPresenceRig(t, "Ann")
	bob, cat, dan, eve := newID(t), newID(t), newID(t), newID(t)
	r.net.mu.Lock()
	r.net.connected[dan] = true
	r.net.mu.Unlock()
	r.p.Receive(context.Background(), bob, p2p.Profile{Name: "Bob", Version: 1, Known: []p2p.KnownPeer{
		{ID: cat.String(), Addrs: []string{"/ip4/10.0.0.7/tcp/4001", "not an address"}},
		{ID: "not a peer", Addrs: []string{"/ip4/10.0.0.8/tcp/4001"}},
		{ID: dan.String(), Addrs: []string{"/ip4/10.0.0.9/tcp/4001"}},
		// Not connected, and nowhere to dial: no sighting.
		{ID: eve.String(), Addrs: []string{"not an address", "/ip4/10.0.0"}},
	}})
	if len(r.sink.seen) != 2 {
		t.Fatalf("sightings %+v, want Cat and Dan", r.sink.seen)
	}
	sg := r.sink.seen[0]
	if sg.ID != cat || len(sg.Addrs) != 1 || sg.Addrs[0].String() != "/ip4/10.0.0.7/tcp/4001" || sg.Via != "peer" {
		t.Fatalf("sighting %+v", sg)
	}
	// Dan, connected already, is noted as introduced; nothing is read to
	// dial him.
	if sg := r.sink.seen[1]; sg.ID != dan || len(sg.Addrs) != 0 || sg.Via != "peer" {
		t.Fatalf("sighting of a connected colleague %+v", sg)
	}
}

func TestProfileThatCannotBeRecordedIsNotAnnounced(t *testing.T) {
	r := newPresenceRig(t, "Ann")
	r.store.broken = true
	r.p.Receive(context.Background(), newID(t), p2p.Profile{Name: "Bob", Version: 1})
	if u := r.updates(); len(u) != 0 {
		t.Fatalf("announced %+v although history refused it", u)
	}
}

func TestOwnProfileLoadsChangesAndReachesColleagues(t *testing.T) {
	ctx := context.Background()
	r := newPresenceRig(t, "Ann")
	r.store.settings[settingStatus] = chat.StatusAway
	r.store.settings[settingVersion] = "99999999999999" // a clock ahead of ours
	if err := r.p.Load(ctx); err != nil {
		t.Fatal(err)
	}
	first := r.p.Current()
	if first.Name != "Ann" || first.Status != chat.StatusAway || first.Version != 100000000000000 {
		t.Fatalf("loaded %+v", first)
	}
	bob, cat := newID(t), newID(t)
	r.net.link(bob, addr(t, "/ip4/10.0.0.2/tcp/4001"))
	r.net.link(cat, addr(t, "/ip4/10.0.0.3/tcp/4001"))

	if err := r.p.SetStatus(ctx, "gone fishing", ""); err == nil {
		t.Fatal("unknown status accepted")
	}
	if len(r.net.pushed) != 0 || len(r.bus.published()) != 0 {
		t.Fatal("a refused change was told")
	}
	if err := r.p.SetStatus(ctx, chat.StatusBusy, "in a meeting"); err != nil {
		t.Fatal(err)
	}
	now := r.p.Current()
	if now.Status != chat.StatusBusy || now.StatusText != "in a meeting" || now.Version <= first.Version {
		t.Fatalf("after SetStatus %+v", now)
	}
	if r.store.settings[settingStatusText] != "in a meeting" {
		t.Fatalf("not remembered: %v", r.store.settings)
	}
	toBob := r.net.pushed[bob]
	if toBob.Status != chat.StatusBusy || len(toBob.Known) != 1 || toBob.Known[0].ID != cat.String() {
		t.Fatalf("pushed to Bob %+v, want the status and Cat introduced", toBob)
	}
	if _, ok := r.net.pushed[cat]; !ok {
		t.Fatal("Cat was not told")
	}
	ev := r.bus.published()
	pc, ok := ev[len(ev)-1].(chat.ProfileChanged)
	if !ok || pc.Self.Status != chat.StatusBusy || pc.Self.Workspace != "open" || pc.Self.OtherWorkspaces != 2 ||
		pc.Self.PeerID != r.net.self.String() || pc.Self.Fingerprint == "" {
		t.Fatalf("event %+v", ev)
	}
}

func TestLoadRefusesAnUnusableName(t *testing.T) {
	r := newPresenceRig(t, "")
	r.store.settings[settingName] = "bad\x07name"
	err := r.p.Load(context.Background())
	var ue *chat.UserError
	if !errors.As(err, &ue) {
		t.Fatalf("want a user error, got %v", err)
	}
}

func TestLoadReportsAStoreFailure(t *testing.T) {
	r := newPresenceRig(t, "Ann")
	r.store.broken = true
	if err := r.p.Load(context.Background()); !errors.Is(err, errBroken) {
		t.Fatalf("want the store's error, got %v", err)
	}
}

// A profile push that fails while the colleague stays connected is tried
// again, for minutes, and not once they are gone: the profile goes out
// once per connection, and whoever misses it does not list us online.
func TestFailedPushTriedAgainWhileConnected(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		r := newPresenceRig(t, "Ann")
		if err := r.p.Load(ctx); err != nil {
			t.Fatal(err)
		}
		bob, cat, dan, eve := newID(t), newID(t), newID(t), newID(t)
		r.net.link(bob)
		r.net.link(cat)
		r.net.link(dan)
		r.net.link(eve)
		var mu sync.Mutex
		tries := map[peer.ID]int{}
		r.net.push = func(to peer.ID) error {
			mu.Lock()
			defer mu.Unlock()
			tries[to]++
			switch {
			case to == bob && tries[to] < 3, to == dan && tries[to] < 8, to == eve:
				return errors.New("stream reset")
			}
			if to == cat {
				r.net.Disconnect(cat) // gone while we pushed
				return errors.New("connection closed")
			}
			return nil
		}
		start := time.Now()
		r.p.Push(ctx, bob)
		if _, ok := r.net.pushed[bob]; !ok || tries[bob] != 3 {
			t.Fatalf("Bob got the profile: %v after %d tries, want it on the third", ok, tries[bob])
		}
		if waited := time.Since(start); waited != 3*time.Second {
			t.Fatalf("the tries took %v, want 1 s and 2 s between them", waited)
		}
		r.p.Push(ctx, cat)
		if tries[cat] != 1 {
			t.Fatalf("Cat, gone, was pushed to %d times", tries[cat])
		}
		// A busy colleague's machine: the eighth try, two minutes on.
		r.p.Push(ctx, dan)
		if _, ok := r.net.pushed[dan]; !ok || tries[dan] != 8 {
			t.Fatalf("Dan got the profile: %v after %d tries, want it on the eighth", ok, tries[dan])
		}
		// One that never takes it: the tries end, within pushPersist.
		start = time.Now()
		r.p.Push(ctx, eve)
		if _, ok := r.net.pushed[eve]; ok || tries[eve] < 10 || time.Since(start) > pushPersist {
			t.Fatalf("Eve: pushed %v after %d tries over %v", ok, tries[eve], time.Since(start))
		}
	})
}

// An introduction gives a colleague's own address even when the address
// book holds more circuits through relays than an introduction carries,
// and holds them first.
func TestIntroductionKeepsTheColleaguesOwnAddress(t *testing.T) {
	r := newPresenceRig(t, "Ann")
	bob, cat := newID(t), newID(t)
	own := addr(t, "/ip4/10.0.0.3/tcp/4001")
	var book []ma.Multiaddr
	for i := range 2 * maxIntroducedAddrs {
		book = append(book, addr(t, fmt.Sprintf("/ip4/10.0.1.%d/tcp/4001/p2p/%s/p2p-circuit", i+1, newID(t))))
	}
	r.net.link(bob, addr(t, "/ip4/10.0.0.2/tcp/4001"))
	r.net.link(cat, append(book, own)...)
	known := r.p.knownPeersFor(bob)
	if len(known) != 1 || known[0].ID != cat.String() {
		t.Fatalf("introduced to Bob: %+v, want Cat", known)
	}
	if got := known[0].Addrs; len(got) != maxIntroducedAddrs || got[0] != own.String() {
		t.Fatalf("Cat introduced at %d addresses, first %q; want %d, her own first", len(got), got[0], maxIntroducedAddrs)
	}
}

// A push introduces at most maxIntroduced colleagues, never the one it
// goes to, picked at random so that the pushes of a colleague with many
// connections introduce each of them in turn.
func TestIntroductionsArePickedAtRandom(t *testing.T) {
	r := newPresenceRig(t, "Ann")
	bob := newID(t)
	r.net.link(bob, addr(t, "/ip4/10.0.0.2/tcp/4001"))
	for i := range 39 {
		r.net.link(newID(t), addr(t, fmt.Sprintf("/ip4/10.0.1.%d/tcp/4001", i+1)))
	}
	seen := map[string]bool{}
	for range 50 {
		known := r.p.knownPeersFor(bob)
		if len(known) != maxIntroduced {
			t.Fatalf("a push introduced %d of 39 colleagues, want %d", len(known), maxIntroduced)
		}
		for _, k := range known {
			if k.ID == bob.String() {
				t.Fatal("Bob was introduced to himself")
			}
			seen[k.ID] = true
		}
	}
	if len(seen) != 39 {
		t.Fatalf("50 pushes to Bob introduced %d of the 39 others", len(seen))
	}
}

// A colleague's addresses are stored in one order whatever order the
// address book gives them in, so that a profile bringing the same
// addresses is not taken for one bringing new ones.
func TestProfileAddressesStoredInOrder(t *testing.T) {
	ctx := context.Background()
	r := newPresenceRig(t, "Ann")
	bob := newID(t)
	a1, a2, a3 := "/ip4/10.0.0.2/tcp/4001", "/ip4/10.0.0.3/tcp/4001", "/ip6/fd00::2/tcp/4001"
	for i, order := range [][]string{{a3, a1, a2}, {a2, a3, a1}} {
		var addrs []ma.Multiaddr
		for _, a := range order {
			addrs = append(addrs, addr(t, a))
		}
		r.net.link(bob, addrs...)
		r.p.Receive(ctx, bob, p2p.Profile{Name: "Bob", Version: int64(i + 1)})
		got, _, _ := r.store.Peer(ctx, bob.String())
		if !slices.Equal(got.Addrs, []string{a1, a2, a3}) {
			t.Fatalf("profile %d: stored addresses %v, want them in order", i+1, got.Addrs)
		}
	}
}
