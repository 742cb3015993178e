package chaos

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	hcrypto "hallway/crypto"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// floodRSSCap is the resident memory a flooded daemon must stay under.
const floodRSSCap = 512 << 20

// S6: another host floods a colleague with connections from fresh
// identities, silent TCP connections, streams held open on every
// protocol, and requests without pause: DM batches, profiles naming
// hundreds of made-up colleagues, sync requests for a whole room, file
// requests. Meanwhile an honest colleague keeps writing to the victim.
func TestS6Floods(t *testing.T) {
	r := scenario(t, "S6", "connection and stream floods from another host", "honest latency p99 < 1 s, memory bounded")
	dur := pick(15*time.Second, 120*time.Second)
	l := lab(t, 4)
	ds := fleet.Office(t, l, []string{"Ann", "Bob", "Cat"})
	ann, bob, cat := ds[0], ds[1], ds[2]
	catStr := cat.ID()
	bobTr := track(t, bob, "#general")
	base := baselineStats(t, ds[1:2])
	baseRSS := bob.RSS()

	adv := hostile(t, l.Host(4), nil)
	victims := infiltrate(t, adv, ds[1:2])
	bobID := victims[0]
	general, key := hcrypto.GeneralRoom(nil)
	proof := func(to peer.ID) []byte {
		p := key.SyncProof(general, []byte(adv.ID()), []byte(to))
		return p[:]
	}
	bobAddr := bob.Self().Addrs[0]

	ctx, stop := context.WithTimeout(context.Background(), dur)
	defer stop()
	counts := map[string]*adversary.FloodCount{}
	count := func(name string) *adversary.FloodCount {
		c := &adversary.FloodCount{}
		counts[name] = c
		return c
	}
	var floods []*sync.WaitGroup
	floods = append(floods,
		adversary.Identities(ctx, l.Host(4), nil, bobAddr, 16, 200*time.Millisecond, count("connections from fresh identities")),
		adversary.HoldTCP(ctx, l.Host(4), tcpAddr(t, bobAddr), 500, count("silent TCP connections")),
	)
	for _, proto := range []string{p2p.ProtoDM, p2p.ProtoProfile, p2p.ProtoSync, p2p.ProtoFile, p2p.ProtoProve} {
		floods = append(floods, adv.HoldStreams(ctx, bobID, proto, 64, count("streams held open on "+proto)))
	}
	subnet := l.Subnet.Addr().String()
	subnet = subnet[:strings.LastIndex(subnet, ".")]
	floods = append(floods,
		adv.Requests(ctx, bobID, p2p.ProtoDM, 4, count("batches of 256 DMs"), adversary.DMBatch),
		adv.Requests(ctx, bobID, p2p.ProtoProfile, 4, count("profiles naming 64 made-up colleagues"), adversary.ProfileWithHints(subnet)),
		adv.Requests(ctx, bobID, p2p.ProtoSync, 8, count("sync requests for all of #general"), adversary.SyncFor(proof, general, bobID)),
		adv.Requests(ctx, bobID, p2p.ProtoFile, 8, count("file requests"), adversary.FileAsk),
	)

	// The honest colleague: a direct message and a room post, alternately,
	// every 100 ms; the victim's memory sampled meanwhile.
	type probe struct {
		id   string
		sent time.Time
	}
	var probes []probe
	maxRSS := int64(0)
	// Halfway through, a colleague restarts and must get back in.
	var rejoined time.Duration
	var rwg sync.WaitGroup
	rwg.Go(func() {
		<-time.After(dur / 2)
		cat.Stop()
		start := time.Now()
		cat.Start()
		t.Logf("Cat started after %s", time.Since(start))
		if os.Getenv("HALLWAY_CHAOS_DUMP") != "" {
			defer func() {
				os.WriteFile("/tmp/chaos-s6-cat.log", cat.Log(), 0o644)
				os.WriteFile("/tmp/chaos-s6-bob.log", bob.Log(), 0o644)
			}()
		}
		if _, err := bob.WaitForErr("Cat back", 60*time.Second, func() bool { return bob.Online(catStr) }); err != nil {
			t.Error(err)
		}
		rejoined = time.Since(start)
	})
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	bobStr := bob.ID()
	for i := 0; ctx.Err() == nil; i++ {
		select {
		case <-ctx.Done():
			continue
		case <-tick.C:
		}
		sent := time.Now()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var id string
		if i%2 == 0 {
			m, err := ann.Client().Send(sctx, bobStr, fmt.Sprintf("honest %d", i))
			if err != nil {
				t.Fatal(err)
			}
			id = m.ID
		} else {
			m, err := ann.Client().SendRoom(sctx, "#general", fmt.Sprintf("honest %d", i))
			if err != nil {
				t.Fatal(err)
			}
			id = m.ID
		}
		cancel()
		probes = append(probes, probe{id, sent})
		maxRSS = max(maxRSS, bob.RSS())
	}
	for _, f := range floods {
		f.Wait()
	}
	rwg.Wait()
	var ids []string
	for _, p := range probes {
		ids = append(ids, p.id)
	}
	if err := bobTr.waitAll(ids, 120*time.Second); err != nil {
		t.Fatal(err)
	}
	var lat []time.Duration
	for _, p := range probes {
		at, _ := bobTr.at(p.id)
		lat = append(lat, at.Sub(p.sent))
	}
	st := summarize(lat)
	var floodLines []string
	for name, c := range counts {
		floodLines = append(floodLines, fmt.Sprintf("%s: %s", name, c))
	}
	slices.Sort(floodLines)
	r.measure(t, "for %s: %s", dur, strings.Join(floodLines, "; "))
	r.measure(t, "honest messages (DM and room, 10/s): %d of %d arrived; latency send → stored at the victim p50 %s, p99 %s, max %s",
		len(probes), len(probes), st.p50.Round(time.Millisecond), st.p99.Round(time.Millisecond), st.max.Round(time.Millisecond))
	r.measure(t, "a colleague restarting during the flood was connected to the victim again %.1f s after its start", rejoined.Seconds())
	if !bob.Running() {
		t.Fatal("the victim died under the flood")
	}
	if maxRSS > floodRSSCap {
		t.Fatalf("the victim's memory grew to %d MiB under the flood (cap %d MiB)", maxRSS>>20, floodRSSCap>>20)
	}
	after := settledStats(t, ds[1:2], base)
	r.measure(t, "victim memory: RSS %d MiB before, at most %d MiB during the flood; goroutines %d → %d after it",
		baseRSS>>20, maxRSS>>20, base[0].Goroutines, after[0].Goroutines)
	annStr := ann.ID()
	snaps := checkStores(t, ds, annStr, adv.ID().String())
	stored := map[string]bool{}
	for _, m := range snaps[1].DMs[annStr] {
		stored[m.ID] = true
	}
	for _, m := range snaps[1].Rooms[general].Messages {
		stored[m.ID] = true
	}
	for _, id := range ids {
		if !stored[id] {
			t.Fatalf("the victim's database lacks the honest message %s", id)
		}
	}
	r.measure(t, "victim's database: integrity_check ok, every honest message stored once; %d flood DMs stored (the flooder's own, within its pace)",
		len(snaps[1].DMs[adv.ID().String()]))
}

type latencies struct{ p50, p99, max time.Duration }

func summarize(ds []time.Duration) latencies {
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(q float64) time.Duration { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return latencies{p50: at(0.50), p99: at(0.99), max: s[len(s)-1]}
}
