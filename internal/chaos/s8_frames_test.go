package chaos

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	hcrypto "hallway/crypto"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// hostileFrames are the frames S8 sends on every protocol.
func hostileFrames() []struct {
	name  string
	bytes []byte
} {
	return []struct {
		name  string
		bytes []byte
	}{
		{"length 2^63", adversary.Declare(1<<63, []byte("x"))},
		{"length 2^64-1 (a negative int64)", append(adversary.MinusOne(), 'x')},
		{"length varint of 11 bytes", adversary.OverlongVarint()},
		{"zero length", adversary.Frame(nil)},
		{"2 MiB frame", adversary.Frame(bytes.Repeat([]byte("{"), 2<<20))},
		{"truncated frame", adversary.Declare(100, []byte(`{"id":"x"`))},
		{"not JSON", adversary.Frame([]byte("\xff\xfe{not json"))},
	}
}

// S8: oversize, truncated, impossible and empty frames on every protocol,
// in both directions (as requests to a victim and as answers to the
// victim's own requests), and a 2 MiB room message. Each is refused with a
// reset stream; the victim never panics and goes on serving colleagues.
func TestS8HostileFrames(t *testing.T) {
	r := scenario(t, "S8", "2 MiB room message; frame declaring length 2^63; zero/negative lengths",
		"rejected, no panic, stream reset")
	l := lab(t, 3)
	ds := fleet.Office(t, l, []string{"Ann", "Bob"})
	ann, bob := ds[0], ds[1]
	// A room besides #general, which in the open workspace is live only:
	// its catch-up is what Bob asks the adversary for on every reconnect.
	fleet.Room(t, ds, "proj")
	bobTr := track(t, bob, "#general")
	adv := hostile(t, l.Host(3), nil)

	frames := hostileFrames()
	var syncCase, fileCase atomic.Int64
	syncServed := adv.ServeSync(func(peer.ID, p2p.SyncRequest) [][]byte {
		return [][]byte{frames[int(syncCase.Add(1)-1)%len(frames)].bytes}
	})
	fileAnswers := [][]byte{
		adversary.Declare(1<<63, nil),
		append(adversary.FileOK(), adversary.Declare(1<<63, nil)...),
		append(adversary.FileOK(), adversary.OverlongVarint()...),
		append(adversary.FileOK(), adversary.Declare(4096, []byte("short"))...),
		append(adversary.FileOK(), adversary.Frame(bytes.Repeat([]byte{0xff}, 5<<20))...),
	}
	adv.ServeFiles(func(peer.ID, p2p.FileRequest) []byte {
		return fileAnswers[int(fileCase.Add(1)-1)%len(fileAnswers)]
	})
	victims := infiltrate(t, adv, ds)
	bobID := victims[1]
	ctx, cancel := context.WithTimeout(context.Background(), deadline(3*time.Minute, 20*time.Minute))
	defer cancel()

	// Requests to the victim.
	sent := 0
	for _, proto := range []string{p2p.ProtoDM, p2p.ProtoProfile, p2p.ProtoSync, p2p.ProtoFile, p2p.ProtoProve} {
		for _, f := range frames {
			out := adv.Send(ctx, bobID, proto, f.bytes, 20*time.Second)
			if !out.Reset || bytes.Contains(out.Reply, []byte(`"ok":true`)) {
				t.Fatalf("%s, %s: %s, want the stream reset", proto, f.name, out)
			}
			sent++
		}
	}
	r.measure(t, "%d hostile frames on the dm, profile, sync, file and prove protocols (2^63, 2^64-1, an 11-byte varint, zero length, 2 MiB, truncated, not JSON): every stream reset", sent)

	// Answers to the victim's own sync requests: every reconnect makes
	// Bob ask the adversary for a sync. Each reconnect waits for its
	// request, since a reconnect while Bob's previous sync with the
	// adversary still runs is folded into one rerun.
	for i := range frames {
		adv.Host.Network().ClosePeer(bobID)
		bob.WaitFor("the adversary gone", 20*time.Second, func() bool { return !bob.Online(adv.ID().String()) })
		infiltrate(t, adv, ds[1:])
		bob.WaitFor(fmt.Sprintf("hostile sync answer %d tried", i+1), 60*time.Second, func() bool { return syncServed.Load() > int64(i) })
	}
	// Answers to the victim's own file requests: offers it accepts.
	refused := 0
	for i := range fileAnswers {
		o := p2p.FileOffer{ID: fmt.Sprintf("hostile-file-%d", i), Name: "report.pdf", Size: 1 << 20, Files: 1, Hash: strings.Repeat("ab", 32)}
		if err := adv.OfferFile(ctx, bobID, o); err != nil {
			t.Fatal(err)
		}
		bob.WaitFor("the hostile offer", 20*time.Second, func() bool { _, ok := bob.Transfer(o.ID); return ok })
		if _, err := bob.CLIErr("file", "accept", o.ID); err == nil {
			tr, _ := bob.Transfer(o.ID)
			if tr.State == "done" {
				t.Fatalf("a hostile file answer completed a transfer: %+v", tr)
			}
		}
		refused++
	}
	r.measure(t, "%d hostile answers to the victim's own sync requests and %d to its file requests (impossible lengths, truncated, 5 MiB manifest): refused", syncServed.Load(), refused)

	// Gossip: a 2 MiB message, a 100 KiB non-envelope, a raw gossip frame
	// declaring 2^63 bytes.
	general, key := hcrypto.GeneralRoom(nil)
	if err := adv.Join(general, key); err != nil {
		t.Fatal(err)
	}
	if err := adv.WaitTopicPeers(ctx, general, victims...); err != nil {
		t.Fatal(err)
	}
	adv.Publish(ctx, general, bytes.Repeat([]byte("x"), 2<<20))
	adv.Publish(ctx, general, bytes.Repeat([]byte("y"), 100<<10))
	adv2 := hostile(t, l.Host(3), nil)
	infiltrate(t, adv2, ds[1:])
	if out := adv2.Send(ctx, bobID, "/meshsub/1.1.0", adversary.Declare(1<<63, []byte("x")), 20*time.Second); !out.Reset {
		t.Fatalf("gossip frame declaring 2^63 bytes: %s, want the stream reset", out)
	}
	// A gossip stream reset by its receiver leaves libp2p's gossip on
	// the sending side believing nobody is subscribed: reconnect the
	// adversary before its canary.
	for _, v := range victims {
		adv.Host.Network().ClosePeer(v)
	}
	for _, d := range ds {
		d.WaitFor("the adversary gone", 20*time.Second, func() bool { return !d.Online(adv.ID().String()) })
	}
	infiltrate(t, adv, ds)
	if err := adv.WaitTopicPeers(ctx, general, victims...); err != nil {
		t.Fatal(err)
	}
	canary, err := adv.Post(key, general, 1, "canary")
	if err != nil {
		t.Fatal(err)
	}
	if err := adv.Publish(ctx, general, canary.Marshal()); err != nil {
		t.Fatal(err)
	}
	if err := bobTr.waitAll([]string{canary.ID()}, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{strings.Repeat("x", 10), strings.Repeat("y", 10)} {
		for seen := range bobTr.texts {
			if strings.HasPrefix(seen, text) {
				t.Fatal("an oversize room message was shown")
			}
		}
	}
	r.measure(t, "2 MiB gossip message: the gossip stream reset, never delivered; 100 KiB non-envelope rejected; gossip frame declaring 2^63 bytes: reset")

	// The victim is alive and still serves colleagues.
	m := fleet.Decode[struct{ State string }](t, ann.CLI("send", bob.ID(), "still there?", "--wait", "--json"))
	if m.State != "delivered" {
		t.Fatalf("an honest message after the hostile frames: %s", m.State)
	}
	if !bob.Running() || bytes.Contains(bob.Log(), []byte("panic")) {
		t.Fatalf("the victim died or panicked:\n%s", bob.Log())
	}
	r.measure(t, "no panic; an honest message delivered right after")
	snaps := checkStores(t, ds, adv.ID().String(), adv2.ID().String())
	if n := len(snaps[1].DMs[adv.ID().String()]); n > len(fileAnswers) {
		t.Fatalf("the victim stored %d messages from the adversary; only its %d file offers were well-formed", n, len(fileAnswers))
	}
	r.measure(t, "databases: integrity_check ok; of the adversary's messages only its %d well-formed file offers stored", len(fileAnswers))
}
