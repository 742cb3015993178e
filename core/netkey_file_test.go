package core

import (
	"bytes"
	"testing"
	"time"

	hcrypto "hallway/crypto"
)

func TestNetworkKeyFileRoundTripsAndMovesOn(t *testing.T) {
	dir := t.TempDir()
	if k, err := ReadNetworkKey(dir); err != nil || k != nil {
		t.Fatalf("a folder without a rotation: %v, %v", k, err)
	}
	ws := hcrypto.WorkspaceKey{1}
	now := time.Unix(1_800_000_000, 0)
	first := hcrypto.NetworkKey{Key: hcrypto.WorkspaceKey{2}, Epoch: 3}
	n := networkKeys{}.moved(first, ws, now)
	if err := writeNetworkKeys(dir, n); err != nil {
		t.Fatal(err)
	}
	got, ok, err := readNetworkKeys(dir)
	if err != nil || !ok || got.Current != first || len(got.Past) != 1 || got.Past[0].Key != ws || !got.Past[0].Until.Equal(now.Add(networkGrace)) {
		t.Fatalf("read back %+v, %v, %v", got, ok, err)
	}
	// Grace ends: the old key is no longer used to hand over.
	if len(got.inGrace(now)) != 1 || len(got.inGrace(now.Add(networkGrace))) != 0 {
		t.Fatal("the grace does not end when it says")
	}
	// A code of an older rotation keeps the newer key; a newer one moves.
	if err := WriteNetworkKey(dir, &hcrypto.NetworkKey{Key: hcrypto.WorkspaceKey{9}, Epoch: 2}); err != nil {
		t.Fatal(err)
	}
	if k, _ := ReadNetworkKey(dir); *k != first {
		t.Fatalf("an older code's key replaced the newer: %+v", k)
	}
	second := hcrypto.NetworkKey{Key: hcrypto.WorkspaceKey{4}, Epoch: 5}
	if err := WriteNetworkKey(dir, &second); err != nil {
		t.Fatal(err)
	}
	got, _, _ = readNetworkKeys(dir)
	if got.Current != second || len(got.Past) != 2 || got.Past[0].Key != first.Key || got.Past[1].Key != ws {
		t.Fatalf("after a newer code: %+v", got)
	}
	if err := WriteNetworkKey(dir, nil); err != nil {
		t.Fatal(err)
	}
	if k, err := ReadNetworkKey(dir); err != nil || k != nil {
		t.Fatalf("after forgetting: %v, %v", k, err)
	}
	// At most maxPastNetworkKeys old keys are kept.
	n = networkKeys{}
	for i := range 10 {
		n = n.moved(hcrypto.NetworkKey{Key: hcrypto.WorkspaceKey{byte(10 + i)}, Epoch: uint64(i + 1)}, hcrypto.WorkspaceKey{byte(i)}, now)
	}
	if len(n.Past) != maxPastNetworkKeys {
		t.Fatalf("%d past keys kept", len(n.Past))
	}
	if _, err := parseNetworkKeys(n.marshal()); err != nil {
		t.Fatal(err)
	}
}

func FuzzParseNetworkKeys(f *testing.F) {
	n := networkKeys{}.moved(hcrypto.NetworkKey{Key: hcrypto.WorkspaceKey{2}, Epoch: 3}, hcrypto.WorkspaceKey{1}, time.Unix(1_800_000_000, 0))
	f.Add(n.marshal())
	f.Add([]byte(networkKeyHeader + "\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := parseNetworkKeys(b)
		if err != nil {
			return
		}
		again, err := parseNetworkKeys(n.marshal())
		if err != nil || !bytes.Equal(again.marshal(), n.marshal()) {
			t.Fatalf("a parsed network key file does not read back: %v", err)
		}
	})
}
