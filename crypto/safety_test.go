package crypto

import (
	"crypto/rand"
	"strings"
	"testing"

	ic "github.com/libp2p/go-libp2p/core/crypto"
)

func newPub(t *testing.T) ic.PubKey {
	t.Helper()
	_, pub, err := ic.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

func TestSafetyNumberSymmetricAndDistinct(t *testing.T) {
	a, b, c := newPub(t), newPub(t), newPub(t)
	ab, err := SafetyNumber(a, b)
	if err != nil {
		t.Fatal(err)
	}
	ba, _ := SafetyNumber(b, a)
	if ab != ba {
		t.Fatalf("not symmetric: %q vs %q", ab, ba)
	}
	ac, _ := SafetyNumber(a, c)
	if ab == ac {
		t.Fatal("two pairs share a safety number")
	}
	groups := strings.Fields(ab)
	if len(groups) != 12 {
		t.Fatalf("%d groups in %q", len(groups), ab)
	}
	for i, g := range groups {
		if len(g) != 5 || dammInterim(g) != 0 {
			t.Errorf("group %d %q does not check", i+1, g)
		}
	}
	if _, err := SafetyNumber(nil, b); err == nil {
		t.Error("nil key accepted")
	}
}

func TestSafetyNumberKnownAnswer(t *testing.T) {
	got := SafetyNumberBytes([]byte("key one"), []byte("key two"))
	if again := SafetyNumberBytes([]byte("key two"), []byte("key one")); got != again {
		t.Fatalf("order matters: %q vs %q", got, again)
	}
	// Pinned so a change of derivation cannot go unnoticed: both sides of
	// a conversation must compute the same digits.
	const want = "37241 90110 63757 36842 51568 08897 05762 41676 57240 04311 56034 14828"
	if got != want {
		t.Fatalf("got %q", got)
	}
}
