package crypto

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

const (
	katDMSignedHash = "01537ed20835e543fcd632abd6ca046e54a5638bf2fe63330ca99c81107b81e2"
	katDMSig        = "84f1f2aee590f775fef1558a12e29ccdd5a52c397d330c287bdacfecdfd89ffa873358c1da9521d24a82a6f71d3df3e77b3a296e01100d970c59180a453d3504"
)

func testDM(t *testing.T) (*DMContent, []byte) {
	t.Helper()
	priv, author := testIdentityAt(t, 0)
	_, recipient := testIdentityAt(t, 1)
	c := &DMContent{ID: "m1", Author: author, Recipient: recipient, SentAt: 1700000000123, Text: "Lunch at noon? ☕"}
	sig, err := SignDM(priv, c)
	if err != nil {
		t.Fatal(err)
	}
	return c, sig
}

func TestDMSignatureRoundTrip(t *testing.T) {
	c, sig := testDM(t)
	if err := VerifyDM(c, sig); err != nil {
		t.Fatal(err)
	}
	// Ed25519 is deterministic: the signed bytes and the signature are
	// pinned, so a change of format, which would make every stored
	// signature fail, is noticed.
	h := sha256.Sum256(c.SignedBytes())
	if got := hex.EncodeToString(h[:]); got != katDMSignedHash {
		t.Errorf("signed bytes sha256 = %s, want %s", got, katDMSignedHash)
	}
	if got := hex.EncodeToString(sig); got != katDMSig {
		t.Errorf("signature = %s, want %s", got, katDMSig)
	}
	if !bytes.HasPrefix(c.SignedBytes(), []byte("hallway-dm-sig-v1\x02m1\x26")) {
		t.Errorf("signed bytes start %q", c.SignedBytes()[:24])
	}
}

func TestDMSignatureCoversEverything(t *testing.T) {
	c, sig := testDM(t)
	_, other := testIdentityAt(t, 2)
	for name, mutate := range map[string]func(c *DMContent){
		"id":        func(c *DMContent) { c.ID = "m2" },
		"recipient": func(c *DMContent) { c.Recipient = other },
		"author":    func(c *DMContent) { c.Author = other },
		"time":      func(c *DMContent) { c.SentAt++ },
		"kind":      func(c *DMContent) { c.Kind = "invite" },
		"text":      func(c *DMContent) { c.Text = strings.Replace(c.Text, "noon", "nOon", 1) },
		"invite":    func(c *DMContent) { c.Invite = &DMInvite{Room: "r"} },
		"file":      func(c *DMContent) { c.File = &DMFile{ID: "f"} },
		"status":    func(c *DMContent) { c.Status = &DMFileStatus{ID: "f"} },
	} {
		d := *c
		mutate(&d)
		if err := VerifyDM(&d, sig); err == nil {
			t.Errorf("changed %s still verifies", name)
		}
	}
	bad := bytes.Clone(sig)
	bad[10] ^= 1
	if err := VerifyDM(c, bad); err == nil {
		t.Error("a damaged signature verifies")
	}
	if err := VerifyDM(c, sig[:63]); err == nil {
		t.Error("a short signature verifies")
	}
}

func TestDMSignatureAttachments(t *testing.T) {
	priv, author := testIdentityAt(t, 0)
	key := randomRoomKey(t)
	for name, c := range map[string]*DMContent{
		"invite": {ID: "i", Author: author, SentAt: 1, Kind: "invite", Text: "invited you to #x",
			Invite: &DMInvite{Room: "r1", Name: "x", KeyHash: RoomKeyHash(key[:])}},
		"file": {ID: "f", Author: author, SentAt: 1, Kind: "file", Text: "sent a.pdf",
			File: &DMFile{ID: "o1", Name: "a.pdf", Size: 10, Files: 1, Hash: strings.Repeat("ab", 32)}},
		"status": {ID: "s", Author: author, SentAt: 1, Kind: "file_status", Text: "declined",
			Status: &DMFileStatus{ID: "o1", State: "declined", Reason: "too big"}},
	} {
		sig, err := SignDM(priv, c)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := VerifyDM(c, sig); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		d := *c
		switch {
		case d.Invite != nil:
			inv := *d.Invite
			inv.KeyHash[0] ^= 1
			d.Invite = &inv
		case d.File != nil:
			f := *d.File
			f.Folder = true
			d.File = &f
		case d.Status != nil:
			st := *d.Status
			st.Reason = "too small"
			d.Status = &st
		}
		if err := VerifyDM(&d, sig); err == nil {
			t.Errorf("%s: a changed attachment verifies", name)
		}
	}
	two := &DMContent{ID: "x", Author: author, File: &DMFile{}, Status: &DMFileStatus{}}
	if _, err := SignDM(priv, two); err == nil {
		t.Error("signed two attachments")
	}
}

func TestSignDMRefusesAnotherAuthor(t *testing.T) {
	priv, _ := testIdentityAt(t, 0)
	_, other := testIdentityAt(t, 1)
	if _, err := SignDM(priv, &DMContent{ID: "m", Author: other}); err == nil {
		t.Error("signed for another author")
	}
}

func TestPublicKeyOfPeerID(t *testing.T) {
	priv, id := testIdentityAt(t, 0)
	pub, err := PublicKeyOfPeerID(id)
	if err != nil || !pub.Equals(priv.GetPublic()) {
		t.Fatalf("%v, %v", pub, err)
	}
	for _, bad := range [][]byte{nil, {0}, {0, 5, 1}, append([]byte{0x12, 0x20}, make([]byte, 32)...), id[:len(id)-1]} {
		if _, err := PublicKeyOfPeerID(bad); err == nil {
			t.Errorf("PublicKeyOfPeerID(%x) accepted", bad)
		}
	}
}

// An envelope's own key opens that envelope and no other.
func TestEnvelopeMessageKey(t *testing.T) {
	key := randomRoomKey(t)
	e, _ := testEnvelope(t, key, katBody())
	mk, err := e.MessageKey(key)
	if err != nil {
		t.Fatal(err)
	}
	body, err := e.OpenWithMessageKey(mk)
	if err != nil || !bytes.Equal(body, katBody()) {
		t.Fatalf("OpenWithMessageKey = %x, %v", body, err)
	}
	f, _ := testEnvelope(t, key, katBody())
	if _, err := f.OpenWithMessageKey(mk); err == nil {
		t.Error("one envelope's key opened another of the same room")
	}
	mk[0] ^= 1
	if _, err := e.OpenWithMessageKey(mk); err == nil {
		t.Error("a wrong key opened the envelope")
	}
	// Pinned against the known-answer envelope.
	pinned, _ := hex.DecodeString(katEnvelopeHex)
	d, err := UnmarshalEnvelope(pinned)
	if err != nil {
		t.Fatal(err)
	}
	kmk, err := d.MessageKey(katRoomKey())
	if err != nil {
		t.Fatal(err)
	}
	if body, err := d.OpenWithMessageKey(kmk); err != nil || !bytes.Equal(body, katBody()) {
		t.Errorf("known answer: %x, %v", body, err)
	}
}
