package people

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"hallway/chat"

	"github.com/libp2p/go-libp2p/core/peer"
)

type trustRig struct {
	store *fakeStore
	net   *fakeNet
	bus   *fakeBus
	book  *TrustBook
}

func newTrustRig(t *testing.T) *trustRig {
	t.Helper()
	key, _ := newKey(t)
	r := &trustRig{store: newFakeStore(), net: newFakeNet(t), bus: newFakeBus()}
	dir := NewDirectory(DirectoryDeps{Store: r.store, Links: r.net, Problems: noProblems{}})
	r.book = NewTrustBook(TrustConfig{Key: key}, TrustDeps{Store: r.store, Self: r.net, Resolver: dir,
		Publisher: r.bus, Events: r.bus})
	return r
}

func (r *trustRig) warnings() []chat.NameWarning {
	var out []chat.NameWarning
	for _, e := range r.bus.published() {
		if w, ok := e.(chat.NameWarningRaised); ok {
			out = append(out, w.Warning)
		}
	}
	return out
}

// A newcomer who takes a verified colleague's name is flagged as an
// impersonation; once the verification is taken back the name is only
// "taken".
func TestNameWarningWhenNewcomerTakesVerifiedName(t *testing.T) {
	ctx := context.Background()
	r := newTrustRig(t)
	bob, eve := newID(t), newID(t)
	r.store.meet(bob, "Bob", 1)
	if _, err := r.book.Verify(ctx, "Bob", true); err != nil {
		t.Fatal(err)
	}
	r.store.meet(eve, "ｂｏｂ ", 5) // full-width letters and a trailing space

	all, err := r.book.Trusts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tb := all[bob.String()]; !tb.Verified || tb.VerifiedName != "Bob" || tb.Warning != nil || tb.SafetyNumber == "" {
		t.Fatalf("Bob: %+v", tb)
	}
	w := all[eve.String()].Warning
	if w == nil || w.Kind != chat.WarnImpersonation || w.Of != bob.String() {
		t.Fatalf("impostor: %+v", all[eve.String()])
	}
	if _, err := r.book.Verify(ctx, bob.String(), false); err != nil {
		t.Fatal(err)
	}
	te, err := r.book.TrustOf(ctx, eve.String())
	if err != nil {
		t.Fatal(err)
	}
	if te.Warning == nil || te.Warning.Kind != chat.WarnNameTaken || te.Warning.Of != bob.String() {
		t.Fatalf("after unverify: %+v", te.Warning)
	}
	var changed int
	for _, e := range r.bus.published() {
		if _, ok := e.(chat.TrustChanged); ok {
			changed++
		}
	}
	if changed != 2 {
		t.Fatalf("%d TrustChanged events, want one per verify", changed)
	}
}

// watching starts RunWatch on a rig where Bob is known, its events queued
// up to queued; stop lets the last check due run, ends the watch and
// waits for it. Run inside a synctest bubble.
func watching(t *testing.T, queued int, unsettled bool) (r *trustRig, bob, eve peer.ID, stop func()) {
	t.Helper()
	r = newTrustRig(t)
	r.store.unsettled = unsettled
	bob, eve = newID(t), newID(t)
	r.store.meet(bob, "Bob", 1)
	r.bus.feed = make(chan chat.Event, queued)
	done := make(chan error, 1)
	go func() { done <- r.book.RunWatch(context.Background()) }()
	return r, bob, eve, func() {
		time.Sleep(watchGap) // the bubble's clock: the last check is due
		synctest.Wait()
		close(r.bus.feed)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// The watch raises a warning once, when the collision appears.
func TestWatchRaisesEachWarningOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _, eve, stop := watching(t, 0, false)
		send := func(e chat.Event) {
			select {
			case r.bus.feed <- e:
			case <-time.After(5 * time.Second):
				t.Fatal("the watch does not take events")
			}
		}
		send(chat.PeerUpdated{}) // no collision yet
		r.store.meet(eve, "bob", 4)
		send(chat.PeerUpdated{})
		send(chat.PeerOnline{})
		send(chat.MessageReceived{}) // not about names: ignored
		stop()
		ws := r.warnings()
		if len(ws) != 1 || ws[0].PeerID != eve.String() || ws[0].Kind != chat.WarnNameTaken {
			t.Fatalf("warnings %+v, want one about Eve", ws)
		}
	})
}

// Profiles arriving all the time, as an office of a hundred arrives,
// are checked once a watchGap at most, not after each.
func TestWatchChecksAtMostOnceAGap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// A store always under a write: every check reads.
		r, _, eve, stop := watching(t, 64, true) // queued as the bus queues them
		const every, span = 100 * time.Millisecond, 3 * time.Second
		for range span / every {
			r.bus.feed <- chat.PeerUpdated{}
			time.Sleep(every)
		}
		r.store.meet(eve, "bob", 4)
		r.bus.feed <- chat.PeerOnline{}
		stop()
		r.store.mu.Lock()
		listed := r.store.listed
		r.store.mu.Unlock()
		// At the start, once a second of the three, and after the last.
		if most := 5; listed > most {
			t.Errorf("colleagues read %d times in %v of events every %v, want at most %d", listed, span, every, most)
		}
		if ws := r.warnings(); len(ws) != 1 || ws[0].PeerID != eve.String() {
			t.Fatalf("warnings %+v, want one about Eve, raised after the last event", ws)
		}
	})
}

// A profile that changes no name, most of what an office sends, is not
// worth reading every colleague again; a new colleague, a new name and
// lost events are.
func TestWatchSkipsProfilesThatChangeNoName(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, bob, eve, stop := watching(t, 64, true)
		reads := func() int {
			synctest.Wait()
			r.store.mu.Lock()
			defer r.store.mu.Unlock()
			return r.store.listed
		}
		for range 20 {
			r.bus.feed <- chat.PeerUpdated{Peer: chat.Colleague{PeerID: bob.String(), Name: "Bob"}}
			time.Sleep(watchGap / 4)
		}
		if n := reads(); n != 1 {
			t.Fatalf("colleagues read %d times for 20 profiles of Bob's under his name, want 1 (at the start)", n)
		}
		r.bus.feed <- chat.PeerUpdated{Peer: chat.Colleague{PeerID: bob.String(), Name: "Robert"}}
		time.Sleep(watchGap)
		if n := reads(); n != 2 {
			t.Fatalf("colleagues read %d times after Bob's new name, want 2", n)
		}
		r.bus.feed <- chat.Lagged{Missed: 3}
		time.Sleep(watchGap)
		if n := reads(); n != 3 {
			t.Fatalf("colleagues read %d times after lost events, want 3", n)
		}
		r.store.meet(eve, "bob", 4)
		r.bus.feed <- chat.PeerOnline{Peer: chat.Colleague{PeerID: eve.String(), Name: "bob"}}
		stop()
		if ws := r.warnings(); len(ws) != 1 || ws[0].PeerID != eve.String() {
			t.Fatalf("warnings %+v, want one about Eve", ws)
		}
	})
}

// A burst of arrivals already queued is checked once, not once per
// event: each check reads every colleague, which in an office of a
// hundred arriving together cost more than the arrivals themselves.
func TestWatchChecksABurstOnce(t *testing.T) {
	synctest.Test(t, testWatchChecksABurstOnce)
}

func testWatchChecksABurstOnce(t *testing.T) {
	r := newTrustRig(t)
	r.store.unsettled = true // every check reads
	bob, eve := newID(t), newID(t)
	r.store.meet(bob, "Bob", 1)
	r.store.meet(eve, "bob", 4)
	const burst = 50
	r.bus.feed = make(chan chat.Event, burst)
	for range burst {
		r.bus.feed <- chat.PeerOnline{}
	}
	close(r.bus.feed)
	if err := r.book.RunWatch(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.store.mu.Lock()
	listed := r.store.listed
	r.store.mu.Unlock()
	if listed != 2 { // once at the start, once for the burst
		t.Errorf("colleagues read %d times for a burst of %d arrivals, want 2", listed, burst)
	}
	if ws := r.warnings(); len(ws) != 1 || ws[0].PeerID != eve.String() {
		t.Fatalf("warnings %+v, want one about Eve", ws)
	}
}

func TestTrustRefusals(t *testing.T) {
	ctx := context.Background()
	r := newTrustRig(t)
	if _, err := r.book.TrustOf(ctx, r.net.self.String()); err == nil {
		t.Error("a safety number with oneself")
	}
	noKey, err := peer.Decode("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N") // carries no key
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.book.Verify(ctx, noKey.String(), true); err == nil {
		t.Error("verified a colleague whose key is unknown")
	}
	r.store.broken = true
	if _, err := r.book.Trusts(ctx); !errors.Is(err, errBroken) {
		t.Errorf("want the store's error, got %v", err)
	}
}

func TestLabels(t *testing.T) {
	ctx := context.Background()
	r := newTrustRig(t)
	bob, cat := newID(t), newID(t)
	r.store.meet(bob, "Bob", 1)
	r.store.meet(cat, "Cat", 2)
	tr, err := r.book.SetLabel(ctx, "Bob", "  Accounting  team ")
	if err != nil || tr.Label != "Accounting team" {
		t.Fatalf("label %+v, %v", tr, err)
	}
	if _, err := r.book.SetLabel(ctx, "Cat", "accounting"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"bad\x07", "rtl\u202e", string(make([]rune, MaxLabelLen+1))} {
		if _, err := r.book.SetLabel(ctx, "Bob", bad); err == nil {
			t.Errorf("label %q accepted", bad)
		}
	}
	if _, err := r.book.SetLabel(ctx, r.net.self.String(), "Me"); err == nil {
		t.Error("labelled oneself")
	}
	ls, err := r.book.Labels(ctx)
	if err != nil || len(ls) != 2 || ls[0] != "accounting" || ls[1] != "Accounting team" {
		t.Fatalf("labels %q, %v", ls, err)
	}
}
