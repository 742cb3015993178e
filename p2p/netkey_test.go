package p2p

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

type netKeyFunc func(from peer.ID, h NetKeyHandover) error

func (f netKeyFunc) NetKeyHandedOver(_ context.Context, from peer.ID, h NetKeyHandover) error {
	return f(from, h)
}

func testHandover(t *testing.T) NetKeyHandover {
	t.Helper()
	priv, _, err := ic.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := peer.IDFromPrivateKey(priv)
	return NetKeyHandover{Room: testRedeemRoom, Epoch: 3, Key: make([]byte, 32), By: id.String(), Sig: []byte{1}}
}

// A colleague on a newer network key reaches a member still on the old
// one from a host of its own on that key; the member's gater and the
// key it runs on keep everyone else out.
func TestNetKeyHandoverOnTheOldKey(t *testing.T) {
	old := make([]byte, 32)
	old[0] = 1
	var refused blockSet
	member, _ := newTestNodeWith(t, Config{PSK: old, Admission: refused.as(Refused)})
	var mu sync.Mutex
	var got []peer.ID
	member.SetNetKeyServer(netKeyFunc(func(from peer.ID, h NetKeyHandover) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, from)
		if h.Epoch != 3 {
			return errors.New("not the epoch sent")
		}
		if len(got) > 1 {
			return errors.New("epoch held already")
		}
		return nil
	}))
	to := peer.AddrInfo{ID: member.ID(), Addrs: member.host.Addrs()}
	colleague, _, err := ic.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h := testHandover(t)
	if err := HandOverNetKey(ctx, colleague, old, to, h); err != nil {
		t.Fatalf("handover on the old key: %v", err)
	}
	if err := HandOverNetKey(ctx, colleague, old, to, h); err == nil || !strings.Contains(err.Error(), "epoch held already") {
		t.Fatalf("a refusal reads %v", err)
	}
	other := make([]byte, 32)
	if err := HandOverNetKey(ctx, colleague, other, to, h); err == nil {
		t.Fatal("a handover on another network key got through")
	}
	rogue, _, _ := ic.GenerateEd25519Key(rand.Reader)
	rid, _ := peer.IDFromPrivateKey(rogue)
	refused.set(rid, true)
	if err := HandOverNetKey(ctx, rogue, old, to, h); err == nil {
		t.Fatal("a handover from a refused key got through")
	}
	mu.Lock()
	defer mu.Unlock()
	cid, _ := peer.IDFromPrivateKey(colleague)
	if len(got) != 2 || got[0] != cid || got[1] != cid {
		t.Fatalf("the member took handovers from %v", got)
	}
}

func TestNetKeyHandoverWire(t *testing.T) {
	good := testHandover(t)
	b, _ := json.Marshal(good)
	if _, err := DecodeNetKeyHandover(b); err != nil {
		t.Fatal(err)
	}
	for name, mut := range map[string]func(*NetKeyHandover){
		"no room":    func(h *NetKeyHandover) { h.Room = "" },
		"#general":   func(h *NetKeyHandover) { h.Room = "general" },
		"epoch zero": func(h *NetKeyHandover) { h.Epoch = 0 },
		"short key":  func(h *NetKeyHandover) { h.Key = h.Key[:31] },
		"no sig":     func(h *NetKeyHandover) { h.Sig = nil },
		"long sig":   func(h *NetKeyHandover) { h.Sig = make([]byte, maxNetKeySig+1) },
		"no signer":  func(h *NetKeyHandover) { h.By = "nobody" },
	} {
		h := good
		mut(&h)
		b, _ := json.Marshal(h)
		if _, err := DecodeNetKeyHandover(b); err == nil {
			t.Errorf("a handover with %s decoded", name)
		}
	}
	if _, err := DecodeNetKeyHandover(make([]byte, maxNetKeyHandover+1)); err == nil {
		t.Error("an oversized handover decoded")
	}
}

func FuzzDecodeNetKeyHandover(f *testing.F) {
	f.Add([]byte(`{"room":"04ab3xyzkmnpqrstvw0123456w","epoch":3,"key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","by":"12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA","sig":"AQ=="}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := DecodeNetKeyHandover(b)
		if err != nil {
			return
		}
		again, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeNetKeyHandover(again); err != nil {
			t.Fatalf("a decoded handover does not decode again: %v", err)
		}
	})
}
