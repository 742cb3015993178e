package crypto

import (
	"bytes"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
)

func testPeer(t testing.TB) peer.ID {
	t.Helper()
	_, id := testIdentityAt(t, 0)
	pid, err := peer.IDFromBytes(id)
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

func TestRefBodyRoundTrip(t *testing.T) {
	author := testPeer(t)
	for _, tc := range []struct {
		kind BodyKind
		text string
	}{{BodyReply, "yes, noon"}, {BodyEdit, "fixed typo"}, {BodyDelete, ""}, {BodyReact, "👍"}, {BodyUnreact, "🎉"}} {
		r := RefBody{Author: author, ID: "0a1b2c", Text: tc.text}
		body := RoomBody{Kind: tc.kind, Name: "Ada", SentAt: 1, Text: string(r.Marshal()), Chained: true}
		got, err := UnmarshalRoomBody(body.Marshal())
		if err != nil {
			t.Fatalf("kind %d: %v", tc.kind, err)
		}
		ref, err := UnmarshalRefBody(got.Kind, []byte(got.Text))
		if err != nil || ref != r {
			t.Fatalf("kind %d: ref %+v, %v; want %+v", tc.kind, ref, err, r)
		}
	}
}

func TestRefBodyRefusesWhatItsKindMayNotCarry(t *testing.T) {
	author := testPeer(t)
	for _, tc := range []struct {
		name string
		kind BodyKind
		ref  RefBody
	}{
		{"text in a delete", BodyDelete, RefBody{Author: author, ID: "a", Text: "gone"}},
		{"words as a reaction", BodyReact, RefBody{Author: author, ID: "a", Text: "I agree"}},
		{"empty reply", BodyReply, RefBody{Author: author, ID: "a"}},
		{"empty edit", BodyEdit, RefBody{Author: author, ID: "a", Text: " "}},
		{"no id", BodyReply, RefBody{Author: author, Text: "x"}},
		{"id with spaces", BodyReply, RefBody{Author: author, ID: "a b", Text: "x"}},
		{"long id", BodyReply, RefBody{Author: author, ID: strings.Repeat("a", 65), Text: "x"}},
		{"no author", BodyReply, RefBody{ID: "a", Text: "x"}},
		{"not a peer id", BodyReply, RefBody{Author: peer.ID("nonsense"), ID: "a", Text: "x"}},
		{"text kind", BodyText, RefBody{Author: author, ID: "a", Text: "x"}},
	} {
		if _, err := UnmarshalRefBody(tc.kind, tc.ref.Marshal()); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
		body := RoomBody{Kind: tc.kind, SentAt: 1, Text: string(tc.ref.Marshal())}
		if tc.kind != BodyText && body.Validate() == nil {
			t.Errorf("%s: the room body validates", tc.name)
		}
	}
	good := RefBody{Author: author, ID: "a", Text: "x"}.Marshal()
	if _, err := UnmarshalRefBody(BodyReply, append(good, 0)); err == nil {
		t.Error("trailing byte accepted")
	}
	if _, err := UnmarshalRefBody(BodyReply, append([]byte{2}, good[1:]...)); err == nil {
		t.Error("unknown version accepted")
	}
}

func TestDMSignatureCoversTheRef(t *testing.T) {
	priv, author := testIdentityAt(t, 0)
	_, recipient := testIdentityAt(t, 1)
	c := &DMContent{ID: "m2", Author: author, Recipient: recipient, SentAt: 1, Kind: "edit", Text: "noon",
		Ref: &DMRef{Author: author, ID: "m1"}}
	sig, err := SignDM(priv, c)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyDM(c, sig); err != nil {
		t.Fatal(err)
	}
	moved := *c
	moved.Ref = &DMRef{Author: author, ID: "m0"}
	if VerifyDM(&moved, sig) == nil {
		t.Error("the signature holds for another message's ref")
	}
	other := *c
	other.Ref = &DMRef{Author: recipient, ID: "m1"}
	if VerifyDM(&other, sig) == nil {
		t.Error("the signature holds for another author's message")
	}
	bare := *c
	bare.Ref = nil
	if VerifyDM(&bare, sig) == nil {
		t.Error("the signature holds without the ref")
	}
	two := *c
	two.File = &DMFile{ID: "f"}
	if _, err := SignDM(priv, &two); err == nil {
		t.Error("a ref with a file attachment was signed")
	}
}

func FuzzUnmarshalRefBody(f *testing.F) {
	author := testPeer(f)
	f.Add(byte(BodyReply), RefBody{Author: author, ID: "0a1b", Text: "yes"}.Marshal())
	f.Add(byte(BodyDelete), RefBody{Author: author, ID: "0a1b"}.Marshal())
	f.Add(byte(BodyReact), RefBody{Author: author, ID: "0a1b", Text: "👍"}.Marshal())
	f.Add(byte(BodyEdit), []byte{1, 0x80, 0x80, 0x04})
	f.Add(byte(BodyText), []byte{})
	f.Fuzz(func(t *testing.T, kind byte, p []byte) {
		r, err := UnmarshalRefBody(BodyKind(kind), p)
		if err != nil {
			return
		}
		if !bytes.Equal(r.Marshal(), p) {
			t.Fatal("re-encoding a decoded ref body changes its bytes")
		}
		if !IsRefKind(BodyKind(kind)) {
			t.Fatalf("kind %d decoded a ref", kind)
		}
	})
}
