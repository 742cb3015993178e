package crypto

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"

	ic "github.com/libp2p/go-libp2p/core/crypto"
)

func receiptKey(t testing.TB) (ic.PrivKey, []byte) {
	t.Helper()
	priv, _, err := ic.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := ed25519PeerID(priv.GetPublic())
	if err != nil {
		t.Fatal(err)
	}
	return priv, id
}

func sampleReceipt(member []byte) Receipt {
	return Receipt{Room: "r0123456789abcdef", Member: member, At: 1700000000000, ReadShared: true,
		Heads: []ReceiptHead{{Author: []byte("a-author"), Held: 7, Read: 5}, {Author: []byte("b-author"), Held: 300}}}
}

// A receipt opens for members only and verifies for its member's key only.
func TestReceiptRoundTrip(t *testing.T) {
	priv, id := receiptKey(t)
	key, _ := NewRoomKey()
	want := sampleReceipt(id)
	raw, err := SealReceipt(key, priv, want)
	if err != nil {
		t.Fatal(err)
	}
	if !IsReceipt(raw) {
		t.Fatal("a receipt frame is not told from an envelope")
	}
	s, err := UnmarshalReceipt(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Verify(priv.GetPublic()); err != nil {
		t.Fatal(err)
	}
	got, err := s.Open(key)
	if err != nil {
		t.Fatal(err)
	}
	if got.Room != want.Room || got.At != want.At || !got.ReadShared || len(got.Heads) != 2 ||
		got.Heads[0].Held != 7 || got.Heads[0].Read != 5 || got.Heads[1].Held != 300 || !bytes.Equal(got.Member, id) {
		t.Fatalf("opened %+v", got)
	}
	other, _ := NewRoomKey()
	if _, err := s.Open(other); err == nil {
		t.Fatal("a receipt opened with another room's key")
	}
	mal, _ := receiptKey(t)
	if err := s.Verify(mal.GetPublic()); err == nil {
		t.Fatal("a receipt verified with another key")
	}
	// Signed by Mallory, claiming the member: refused.
	forged, err := SealReceipt(key, mal, want)
	if err == nil {
		s, err := UnmarshalReceipt(forged)
		if err == nil && s.Verify(priv.GetPublic()) == nil {
			t.Fatal("a forged receipt verified")
		}
	}
	raw[len(raw)-70] ^= 1
	if s, err := UnmarshalReceipt(raw); err == nil && s.Verify(priv.GetPublic()) == nil {
		t.Fatal("a tampered receipt verified")
	}
}

func TestReceiptRejects(t *testing.T) {
	priv, id := receiptKey(t)
	key, _ := NewRoomKey()
	r := sampleReceipt(id)
	r.Heads[0], r.Heads[1] = r.Heads[1], r.Heads[0]
	if _, err := SealReceipt(key, priv, r); err == nil || !strings.Contains(err.Error(), "ascending") {
		t.Fatalf("unordered authors: %v", err)
	}
	r = sampleReceipt(id)
	r.Heads = make([]ReceiptHead, MaxReceiptAuthors+1)
	if _, err := SealReceipt(key, priv, r); err == nil {
		t.Fatal("too many authors sealed")
	}
	for _, b := range [][]byte{nil, {ReceiptMarker}, {1, 2, 3}, make([]byte, MaxReceiptBytes+1)} {
		if _, err := UnmarshalReceipt(b); err == nil {
			t.Fatalf("decoded %x", b)
		}
	}
}

func FuzzUnmarshalReceipt(f *testing.F) {
	priv, id := receiptKey(f)
	var key RoomKey
	raw, err := SealReceipt(key, priv, sampleReceipt(id))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add([]byte{ReceiptMarker})
	f.Add([]byte{})
	f.Add([]byte{1, 2, 1, 'a', 7, 5, 1, 'b', 0x80, 0x01, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		// The sealed content's decoder, as a member that opened it runs it.
		var c Receipt
		if decodeReceiptContent(&wireReader{b: b}, &c) == nil {
			again, err := c.content()
			if err != nil || !bytes.Equal(again, b) {
				t.Fatalf("re-encoding decoded content gives %x, %v", again, err)
			}
		}
		s, err := UnmarshalReceipt(b)
		if err != nil {
			return
		}
		s.Verify(priv.GetPublic())
		if r, err := s.Open(key); err == nil && len(r.Heads) > MaxReceiptAuthors {
			t.Fatal("too many authors")
		}
	})
}
