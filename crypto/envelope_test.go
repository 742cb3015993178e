package crypto

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Known answers computed once with an independent implementation of the
// formats (HChaCha20 written from the XChaCha draft, HKDF from RFC 5869, a
// separate Ed25519); a change here breaks every stored history.
const (
	katAuthorHex   = "00240801122003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
	katEnvelopeHex = "01086b61742d726f6f6d2600240801122003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8" +
		"0000000000000007018bcfe568000003101112131415161718191a1b1c1d1e1f2021222324252627" +
		"2e7d34bd8009a91679a2d2d32baa4089f1967beba42bc3dad73e209d9365534331abd88bbcc122f51e5723eae8322840a04950" +
		"cd3092200b5bc11fc0b00a0f3db52bdb9a2772a84bd6edc1c801979037eef6c5dc4ce41131167c7d9c4a0e0abd9a57aefe9dad5" +
		"7c08c75f1797b3e7105"
	katEnvelopeID = "fadf18bcc59f4dafb87a70ffe6787863"
	katRoom       = "kat-room"
	katSeq        = 7
	katHLC        = 1700000000000<<16 | 3
)

// katRoomKey is the key a0 a1 ... bf.
func katRoomKey() RoomKey {
	var k RoomKey
	for i := range k {
		k[i] = 0xa0 + byte(i)
	}
	return k
}

func katNonce() [24]byte {
	var n [24]byte
	for i := range n {
		n[i] = 0x10 + byte(i)
	}
	return n
}

func katBody() []byte {
	return RoomBody{Kind: BodyText, Name: "Ada", SentAt: 1700000000123, Text: "hello, room ☕"}.Marshal()
}

// testIdentityAt returns the Ed25519 identity whose seed is first,
// first+1, ... first+31.
func testIdentityAt(t testing.TB, first byte) (ic.PrivKey, []byte) {
	t.Helper()
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = first + byte(i)
	}
	priv, err := ic.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(seed))
	if err != nil {
		t.Fatal(err)
	}
	id, err := ed25519PeerID(priv.GetPublic())
	if err != nil {
		t.Fatal(err)
	}
	return priv, id
}

func randomRoomKey(t testing.TB) RoomKey {
	t.Helper()
	k, err := NewRoomKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testEnvelope(t testing.TB, key RoomKey, body []byte) (*Envelope, ic.PrivKey) {
	t.Helper()
	priv, author := testIdentityAt(t, 0)
	e, err := SealEnvelope(key, 0, priv, katRoom, author, katSeq, katHLC, body)
	if err != nil {
		t.Fatalf("SealEnvelope: %v", err)
	}
	return e, priv
}

func TestEnvelopeKnownAnswer(t *testing.T) {
	priv, author := testIdentityAt(t, 0)
	if got := hex.EncodeToString(author); got != katAuthorHex {
		t.Fatalf("author = %s, want %s", got, katAuthorHex)
	}
	e, err := sealEnvelopeWithNonce(katRoomKey(), 0, true, priv, katRoom, author, katSeq, katHLC, katBody(), katNonce())
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(e.Marshal()); got != katEnvelopeHex {
		t.Errorf("Marshal =\n%s\nwant\n%s", got, katEnvelopeHex)
	}
	if got := e.ID(); got != katEnvelopeID {
		t.Errorf("ID = %s, want %s", got, katEnvelopeID)
	}
	pinned, _ := hex.DecodeString(katEnvelopeHex)
	d, err := UnmarshalEnvelope(pinned)
	if err != nil {
		t.Fatalf("UnmarshalEnvelope(pinned) = %v", err)
	}
	if err := d.Verify(priv.GetPublic()); err != nil {
		t.Errorf("Verify(pinned) = %v", err)
	}
	body, err := d.Open(katRoomKey())
	if err != nil || !bytes.Equal(body, katBody()) {
		t.Errorf("Open(pinned) = %x, %v; want %x", body, err, katBody())
	}
}

// TestPeerIDMatchesLibp2p guards the hand-written peer ID derivation that
// binds signatures to authors.
func TestPeerIDMatchesLibp2p(t *testing.T) {
	for _, first := range []byte{0, 0x20, 0x80, 0xe0} {
		priv, id := testIdentityAt(t, first)
		want, err := peer.IDFromPublicKey(priv.GetPublic())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(id, []byte(want)) {
			t.Errorf("seed from %#x: peer ID %x, libp2p says %x", first, id, []byte(want))
		}
	}
	_, ecdsaPub, err := ic.GenerateECDSAKeyPair(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ed25519PeerID(ecdsaPub); err == nil {
		t.Error("ed25519PeerID accepted an ECDSA key")
	}
}

func TestEnvelopeRoundTrip(t *testing.T) {
	key := randomRoomKey(t)
	tests := []struct {
		name string
		body []byte
	}{
		{name: "room body", body: katBody()},
		{name: "empty", body: nil},
		{name: "largest", body: bytes.Repeat([]byte{'x'}, MaxBodyBytes)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, priv := testEnvelope(t, key, tc.body)
			wire := e.Marshal()
			if len(wire) > MaxEnvelopeBytes {
				t.Fatalf("envelope of %d bytes exceeds MaxEnvelopeBytes", len(wire))
			}
			d, err := UnmarshalEnvelope(wire)
			if err != nil {
				t.Fatalf("UnmarshalEnvelope: %v", err)
			}
			if err := d.Verify(priv.GetPublic()); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			body, err := d.Open(key)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(body, tc.body) {
				t.Fatal("Open returned a different body")
			}
			if d.ID() != e.ID() || len(d.ID()) != 32 {
				t.Errorf("ID = %q after round trip, was %q", d.ID(), e.ID())
			}
			if _, err := d.Open(randomRoomKey(t)); err == nil {
				t.Error("Open with another room key succeeded")
			}
		})
	}
}

func TestEnvelopeRelabelled(t *testing.T) {
	key := randomRoomKey(t)
	_, otherAuthor := testIdentityAt(t, 0x20)
	tests := []struct {
		name    string
		relabel func(e *Envelope)
	}{
		{name: "other room", relabel: func(e *Envelope) { e.Room = "other-room" }},
		{name: "other author", relabel: func(e *Envelope) { e.Author = otherAuthor }},
		{name: "other seq", relabel: func(e *Envelope) { e.Seq++ }},
		{name: "other hlc", relabel: func(e *Envelope) { e.HLC++ }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, priv := testEnvelope(t, key, katBody())
			tc.relabel(e)
			if _, err := e.Open(key); err == nil {
				t.Error("Open succeeded")
			}
			if err := e.Verify(priv.GetPublic()); err == nil {
				t.Error("Verify succeeded")
			}
			// Even re-encoded, the label change must not survive.
			d, err := UnmarshalEnvelope(e.Marshal())
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Verify(priv.GetPublic()); err == nil {
				t.Error("Verify after re-encoding succeeded")
			}
		})
	}
}

func TestEnvelopeVerifyRejects(t *testing.T) {
	key := randomRoomKey(t)
	otherPriv, otherAuthor := testIdentityAt(t, 0x20)
	_, ecdsaPub, err := ic.GenerateECDSAKeyPair(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate func(e *Envelope)
		pub    func(own ic.PubKey) ic.PubKey
	}{
		{name: "other author's key", pub: func(ic.PubKey) ic.PubKey { return otherPriv.GetPublic() }},
		{name: "author claims the other key", mutate: func(e *Envelope) { e.Author = otherAuthor },
			pub: func(ic.PubKey) ic.PubKey { return otherPriv.GetPublic() }},
		{name: "nil key", pub: func(ic.PubKey) ic.PubKey { return nil }},
		{name: "not Ed25519", pub: func(ic.PubKey) ic.PubKey { return ecdsaPub }},
		{name: "short signature", mutate: func(e *Envelope) { e.Sig = e.Sig[:63] }},
		{name: "long signature", mutate: func(e *Envelope) { e.Sig = append(e.Sig, 0) }},
		{name: "no signature", mutate: func(e *Envelope) { e.Sig = nil }},
		{name: "other nonce", mutate: func(e *Envelope) { e.Nonce[0] ^= 1 }},
		{name: "other ciphertext", mutate: func(e *Envelope) { e.Sealed[0] ^= 1 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, priv := testEnvelope(t, key, katBody())
			pub := priv.GetPublic()
			if tc.mutate != nil {
				tc.mutate(e)
			}
			if tc.pub != nil {
				pub = tc.pub(pub)
			}
			if err := e.Verify(pub); err == nil {
				t.Error("Verify succeeded")
			}
		})
	}
}

// TestEnvelopeBitFlips flips every bit of an encoded envelope: each
// change must be caught by decoding, by the signature or by the cipher.
func TestEnvelopeBitFlips(t *testing.T) {
	key := randomRoomKey(t)
	e, priv := testEnvelope(t, key, katBody())
	wire := e.Marshal()
	for i := range wire {
		for bit := 0; bit < 8; bit++ {
			flipped := bytes.Clone(wire)
			flipped[i] ^= 1 << bit
			d, err := UnmarshalEnvelope(flipped)
			if err != nil {
				continue
			}
			verr := d.Verify(priv.GetPublic())
			_, oerr := d.Open(key)
			if verr == nil && oerr == nil {
				t.Fatalf("flipping bit %d of byte %d went unnoticed", bit, i)
			}
		}
	}
}

func TestSealEnvelopeRejects(t *testing.T) {
	key := randomRoomKey(t)
	priv, author := testIdentityAt(t, 0)
	_, otherAuthor := testIdentityAt(t, 0x20)
	tests := []struct {
		name      string
		priv      ic.PrivKey
		room      string
		author    []byte
		seq, hlc  uint64
		body      []byte
		wantError string
	}{
		{name: "invalid room", priv: priv, room: "Kat Room", author: author, seq: 1, hlc: 1, wantError: "invalid room id"},
		{name: "seq zero", priv: priv, room: katRoom, author: author, seq: 0, hlc: 1, wantError: "seq"},
		{name: "hlc zero", priv: priv, room: katRoom, author: author, seq: 1, hlc: 0, wantError: "hlc"},
		{name: "body too long", priv: priv, room: katRoom, author: author, seq: 1, hlc: 1,
			body: make([]byte, MaxBodyBytes+1), wantError: "exceeds"},
		{name: "no key", room: katRoom, author: author, seq: 1, hlc: 1, wantError: "no signing key"},
		{name: "author of another key", priv: priv, room: katRoom, author: otherAuthor, seq: 1, hlc: 1,
			wantError: "not the peer ID"},
		{name: "no author", priv: priv, room: katRoom, seq: 1, hlc: 1, wantError: "not the peer ID"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SealEnvelope(key, 0, tc.priv, tc.room, tc.author, tc.seq, tc.hlc, tc.body)
			if err == nil || !strings.Contains(err.Error(), tc.wantError) {
				t.Errorf("SealEnvelope error = %v, want one containing %q", err, tc.wantError)
			}
		})
	}
}

func TestEnvelopeEpochBound(t *testing.T) {
	key := randomRoomKey(t)
	priv, author := testIdentityAt(t, 0)
	e, err := SealEnvelope(key, 7, priv, katRoom, author, katSeq, katHLC, katBody())
	if err != nil {
		t.Fatal(err)
	}
	d, err := UnmarshalEnvelope(e.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if d.Epoch != 7 || d.Version() != 2 {
		t.Fatalf("decoded epoch %d version %d, want 7 and 2", d.Epoch, d.Version())
	}
	if err := d.Verify(priv.GetPublic()); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Open(key); err != nil {
		t.Fatal(err)
	}
	// The same bytes claimed for another epoch neither verify nor open.
	d.Epoch = 6
	if err := d.Verify(priv.GetPublic()); err == nil {
		t.Error("an envelope moved to another epoch still verifies")
	}
	if _, err := d.Open(key); err == nil {
		t.Error("an envelope moved to another epoch still opens")
	}
	// A v1 envelope decodes as epoch 0 and re-encodes to its own bytes.
	v1, err := SealEnvelopeV1(key, priv, katRoom, author, katSeq, katHLC, katBody())
	if err != nil {
		t.Fatal(err)
	}
	raw := v1.Marshal()
	d1, err := UnmarshalEnvelope(raw)
	if err != nil || d1.Epoch != 0 || d1.Version() != 1 || !bytes.Equal(d1.Marshal(), raw) {
		t.Fatalf("v1 decode: %v, epoch %d, version %d", err, d1.Epoch, d1.Version())
	}
	if err := d1.Verify(priv.GetPublic()); err != nil {
		t.Error(err)
	}
}

func TestEpochProofBindings(t *testing.T) {
	k := randomRoomKey(t)
	ch := bytes.Repeat([]byte{1}, EpochChallengeBytes)
	p := k.EpochProof("r", 3, []byte("a"), []byte("b"), ch)
	if !k.CheckEpochProof("r", 3, []byte("a"), []byte("b"), ch, p[:]) {
		t.Fatal("proof does not check")
	}
	other := bytes.Repeat([]byte{2}, EpochChallengeBytes)
	for name, ok := range map[string]bool{
		"epoch":     k.CheckEpochProof("r", 2, []byte("a"), []byte("b"), ch, p[:]),
		"requester": k.CheckEpochProof("r", 3, []byte("c"), []byte("b"), ch, p[:]),
		"responder": k.CheckEpochProof("r", 3, []byte("a"), []byte("c"), ch, p[:]),
		"challenge": k.CheckEpochProof("r", 3, []byte("a"), []byte("b"), other, p[:]),
		"key":       randomRoomKey(t).CheckEpochProof("r", 3, []byte("a"), []byte("b"), ch, p[:]),
	} {
		if ok {
			t.Errorf("a proof checks with another %s", name)
		}
	}
	if k.EpochTopic("r", 1) == k.EpochTopic("r", 2) || k.EpochTopic("r", 1) == randomRoomKey(t).EpochTopic("r", 1) ||
		k.EpochTopic("r", 1) == k.EpochTopic("s", 1) {
		t.Error("topics of different epochs or keys collide")
	}
}

// A topic proof binds what a sync proof binds, and neither passes for the
// other.
func TestTopicProofBindings(t *testing.T) {
	k := randomRoomKey(t)
	ch := bytes.Repeat([]byte{1}, EpochChallengeBytes)
	p := k.TopicProof("r", 3, []byte("a"), []byte("b"), ch)
	if !k.CheckTopicProof("r", 3, []byte("a"), []byte("b"), ch, p[:]) {
		t.Fatal("proof does not check")
	}
	other := bytes.Repeat([]byte{2}, EpochChallengeBytes)
	for name, ok := range map[string]bool{
		"room":       k.CheckTopicProof("s", 3, []byte("a"), []byte("b"), ch, p[:]),
		"epoch":      k.CheckTopicProof("r", 2, []byte("a"), []byte("b"), ch, p[:]),
		"prover":     k.CheckTopicProof("r", 3, []byte("c"), []byte("b"), ch, p[:]),
		"verifier":   k.CheckTopicProof("r", 3, []byte("a"), []byte("c"), ch, p[:]),
		"challenge":  k.CheckTopicProof("r", 3, []byte("a"), []byte("b"), other, p[:]),
		"key":        randomRoomKey(t).CheckTopicProof("r", 3, []byte("a"), []byte("b"), ch, p[:]),
		"sync proof": k.CheckEpochProof("r", 3, []byte("a"), []byte("b"), ch, p[:]),
	} {
		if ok {
			t.Errorf("a topic proof checks with another %s", name)
		}
	}
	sp := k.EpochProof("r", 3, []byte("a"), []byte("b"), ch)
	if k.CheckTopicProof("r", 3, []byte("a"), []byte("b"), ch, sp[:]) {
		t.Error("a sync proof passes as a topic proof")
	}
}
