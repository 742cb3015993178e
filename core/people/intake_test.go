package people

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

func newIntakeRig(t *testing.T, cfg IntakeConfig) (*Intake, *fakeStore, *fakeNet) {
	t.Helper()
	store, net := newFakeStore(), newFakeNet(t)
	cfg.NoMDNS = true // no multicast on the host network
	return NewIntake(cfg, IntakeDeps{Store: store, Net: net, Sink: &sightings{}}), store, net
}

func TestAddPeer(t *testing.T) {
	ctx := context.Background()
	in, store, net := newIntakeRig(t, IntakeConfig{})
	bob := newID(t)
	good := "/ip4/10.0.0.2/tcp/4001/p2p/" + bob.String()

	for _, bad := range []string{"10.0.0.2:4001", "/ip4/10.0.0.2/tcp/4001", "/ip4/10.0.0.3/tcp/4001/p2p/" + net.self.String()} {
		if _, err := in.AddPeer(ctx, bad); err == nil {
			t.Errorf("AddPeer(%q) accepted", bad)
		}
	}
	if len(store.static) != 0 {
		t.Fatalf("saved %v from refused addresses", store.static)
	}

	net.connect = func(context.Context, peer.ID, []ma.Multiaddr) error { return errors.New("different workspace") }
	res, err := in.AddPeer(ctx, good)
	if err != nil || !res.Saved || res.Connected || res.Problem != "different workspace" || res.PeerID != bob.String() {
		t.Fatalf("AddPeer = %+v, %v", res, err)
	}
	net.connect = func(_ context.Context, id peer.ID, addrs []ma.Multiaddr) error {
		if id != bob || len(addrs) != 1 || addrs[0].String() != "/ip4/10.0.0.2/tcp/4001" {
			t.Errorf("dialled %v at %v", id, addrs)
		}
		return nil
	}
	if res, err = in.AddPeer(ctx, good); err != nil || !res.Connected {
		t.Fatalf("AddPeer = %+v, %v", res, err)
	}
	if len(store.static) != 1 || store.static[0] != good {
		t.Fatalf("saved %v", store.static)
	}
	store.broken = true
	if _, err := in.AddPeer(ctx, good); !errors.Is(err, errBroken) {
		t.Fatalf("want the store's error, got %v", err)
	}
}

func TestStartReadsConfiguredAndSavedAddresses(t *testing.T) {
	ctx := context.Background()
	bob := newID(t)
	in, store, _ := newIntakeRig(t, IntakeConfig{StaticPeers: []string{"/ip4/10.0.0.2/tcp/4001/p2p/" + bob.String()}})
	store.static = []string{"/ip4/10.0.0.3/tcp/4001/p2p/" + newID(t).String()}
	loops, err := in.Start(ctx)
	if err != nil || len(loops) != 1 {
		t.Fatalf("Start = %d loops, %v; want the static loop only", len(loops), err)
	}
	if in.OtherWorkspaces() != 0 {
		t.Fatal("other workspaces without mDNS")
	}

	bad, _, _ := newIntakeRig(t, IntakeConfig{StaticPeers: []string{"not-an-address"}})
	if _, err := bad.Start(ctx); err == nil || !strings.Contains(err.Error(), "not a multiaddr") {
		t.Fatalf("want a bad address refused, got %v", err)
	}
	broken, store, _ := newIntakeRig(t, IntakeConfig{})
	store.broken = true
	if _, err := broken.Start(ctx); !errors.Is(err, errBroken) {
		t.Fatalf("want the store's error, got %v", err)
	}
}
