package chaos

import (
	"context"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	hcrypto "hallway/crypto"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
	"hallway/internal/netlab"

	"github.com/libp2p/go-libp2p/core/peer"
)

// floodMemCap is the resident memory a daemon must stay under while an
// announcement flood goes on.
const floodMemCap = 512 << 20

// S4: mDNS spoofing and flooding. Another host announces a real
// colleague's peer id at its own address and at an empty one, plus 10,000
// announcements a second of made-up peers. Dials to the spoofed addresses
// fail authentication; a colleague who restarts and a newcomer are still
// found; memory stays bounded.
func TestS4MDNSSpoofFlood(t *testing.T) {
	r := scenario(t, "S4", "mDNS spoofing (a real peer id at a wrong address) and a flood of 10,000 announcements/s",
		"dials fail authentication, real peers still found ≤ 10 s, memory bounded")
	dur := pick(15*time.Second, 120*time.Second)
	const rate = 10000
	l := lab(t, 4)
	ds := fleet.Office(t, l, []string{"Ann", "Bob"})
	ann, bob := ds[0], ds[1]
	bobStr := bob.ID()
	bobID, err := peer.Decode(bobStr)
	if err != nil {
		t.Fatal(err)
	}
	baseRSS := ann.RSS()

	// The spoofer listens with its own identity where it claims Bob is.
	adv := hostile(t, l.Host(3), nil)
	spoofAt := netip.MustParseAddrPort(tcpAddr(t, adv.Addrs()[0].String()))
	empty := l.Subnet.Addr().As4()
	empty[3] = 250
	tag := hcrypto.OpenWorkspaceTag
	spoofs := []adversary.Announcement{
		{ID: bobID, Tag: tag, IP: spoofAt.Addr(), Port: int(spoofAt.Port())},
		{ID: bobID, Tag: tag, IP: netip.AddrFrom4(empty), Port: int(spoofAt.Port())},
	}
	fakes := adversary.RandomPeers(5000)
	mdns, err := adversary.NewMDNS(l.Host(3), netlab.Link)
	if err != nil {
		t.Fatal(err)
	}
	defer mdns.Close()

	ctx, stop := context.WithTimeout(context.Background(), dur)
	defer stop()
	var sent int
	var wg sync.WaitGroup
	wg.Go(func() {
		sent = mdns.Flood(ctx, rate, func(i int) adversary.Announcement {
			if i%100 == 0 {
				return spoofs[(i/100)%len(spoofs)]
			}
			ip := l.Subnet.Addr().As4()
			ip[3] = byte(100 + i%100) // empty addresses and the hosts of the lab
			if i%3 == 0 {
				return adversary.Announcement{ID: fakes[i%len(fakes)], Tag: tag, IP: spoofAt.Addr(), Port: int(spoofAt.Port())}
			}
			return adversary.Announcement{ID: fakes[i%len(fakes)], Tag: tag, IP: netip.AddrFrom4(ip), Port: 4001}
		})
	})
	maxRSS := int64(0)
	sample := func() { maxRSS = max(maxRSS, ann.RSS()) }
	<-time.After(2 * time.Second) // the flood is on

	// A colleague restarts under the flood.
	bob.Stop()
	ann.WaitFor("Bob offline", 20*time.Second, func() bool { return !ann.Online(bobStr) })
	bob.Start()
	restarted := time.Now()
	ann.WaitFor("Bob back", 60*time.Second, func() bool { sample(); return ann.Sees(bobStr, "Bob") })
	back := time.Since(restarted)

	// A newcomer starts under the flood.
	cat := fleet.New(t, l.Host(4), "Cat")
	cat.Start()
	started := time.Now()
	catID := cat.ID()
	ann.WaitFor("the newcomer found", 120*time.Second, func() bool { sample(); return ann.Sees(catID, "Cat") })
	found := time.Since(started)

	<-ctx.Done()
	wg.Wait()
	sample()
	st := ann.Stats()
	if os.Getenv("HALLWAY_CHAOS_DUMP") != "" {
		os.WriteFile("/tmp/chaos-s4-ann.log", ann.Log(), 0o644)
	}
	// Spoofed addresses never became Bob's: every connection to Bob is to
	// his own address.
	for _, c := range ann.Peers() {
		if c.PeerID == bobStr {
			for _, a := range c.Addrs {
				if a == spoofs[0].String() {
					t.Fatalf("a spoofed address became Bob's: %v", c.Addrs)
				}
			}
		}
	}
	if !ann.Online(bobStr) || !ann.Sees(bobStr, "Bob") {
		t.Fatal("Bob is not online at Ann after the flood")
	}
	r.measure(t, "%d announcements in %s (%.0f/s), 1 %% of them Bob's id at the spoofer's address or an empty one", sent, dur, float64(sent)/dur.Seconds())
	r.measure(t, "a colleague restarted under the flood was back %.1f s after its start; a newcomer was found after %.1f s", back.Seconds(), found.Seconds())
	r.measure(t, "memory: RSS %d MiB before, at most %d MiB during; address book %d peers, %d goroutines at the end", baseRSS>>20, maxRSS>>20, st.Peerstore, st.Goroutines)
	if maxRSS > floodMemCap {
		t.Fatalf("Ann's memory grew to %d MiB under the flood", maxRSS>>20)
	}
	checkStores(t, []*fleet.Daemon{ann, bob, cat})
}
