package chaos

import (
	"context"
	"testing"
	"time"

	hcrypto "hallway/crypto"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
	"hallway/internal/netlab"

	"github.com/libp2p/go-libp2p/core/peer"
)

// hostile starts an adversary on host h (psk nil: open LAN workspace).
func hostile(t *testing.T, h *netlab.Host, psk []byte) *adversary.Peer {
	t.Helper()
	adv, err := adversary.New(adversary.Config{NS: h, IP: h.IP, PSK: psk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { adv.Close() })
	adv.SinkProfiles()
	return adv
}

// infiltrate connects adv to every daemon and waits until each lists it
// online; it returns the daemons' peer ids.
func infiltrate(t *testing.T, adv *adversary.Peer, ds []*fleet.Daemon) []peer.ID {
	t.Helper()
	var ids []peer.ID
	for _, d := range ds {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		id, err := adv.Connect(ctx, d.Self().Addrs[0])
		cancel()
		if err != nil {
			t.Fatalf("adversary cannot reach %s: %v", d.Name, err)
		}
		ids = append(ids, id)
		d.WaitFor("the adversary connected", 20*time.Second, func() bool { return d.Online(adv.ID().String()) })
	}
	return ids
}

// roomSecret is what an insider holds: a room's id and key.
func roomSecret(t *testing.T, d *fleet.Daemon, room string) (string, hcrypto.RoomKey) {
	t.Helper()
	return d.RoomSecret("#" + room)
}
