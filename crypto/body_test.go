package crypto

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"
)

// katBodyHex is katBody() as the independent implementation encodes it.
const katBodyHex = "01010000018bcfe5687b034164610f68656c6c6f2c20726f6f6d20e29895"

func TestRoomBodyKnownAnswer(t *testing.T) {
	if got := hex.EncodeToString(katBody()); got != katBodyHex {
		t.Errorf("Marshal = %s, want %s", got, katBodyHex)
	}
	pinned, _ := hex.DecodeString(katBodyHex)
	b, err := UnmarshalRoomBody(pinned)
	if err != nil {
		t.Fatal(err)
	}
	want := RoomBody{Kind: BodyText, Name: "Ada", SentAt: 1700000000123, Text: "hello, room ☕"}
	if b != want {
		t.Errorf("UnmarshalRoomBody = %+v, want %+v", b, want)
	}
}

func TestRoomBodyRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		body RoomBody
	}{
		{name: "text", body: RoomBody{Kind: BodyText, Name: "Grace", SentAt: 1, Text: "hi"}},
		{name: "join", body: RoomBody{Kind: BodyJoin, Name: "Grace", SentAt: 1700000000000}},
		{name: "leave", body: RoomBody{Kind: BodyLeave, Name: "Grace", SentAt: 1700000000000}},
		{name: "no name", body: RoomBody{Kind: BodyText, SentAt: 5, Text: "anonymous"}},
		{name: "longest name and text", body: RoomBody{Kind: BodyText, Name: strings.Repeat("n", MaxNameBytes),
			SentAt: 1<<63 - 1, Text: strings.Repeat("é", MaxTextBytes/2)}},
		{name: "control characters survive", body: RoomBody{Kind: BodyText, Name: "a\tb", SentAt: 9, Text: "line\nbreak\x00"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.body.Validate(); err != nil {
				t.Fatalf("Validate = %v", err)
			}
			wire := tc.body.Marshal()
			if len(wire) > MaxBodyBytes {
				t.Fatalf("body of %d bytes exceeds MaxBodyBytes", len(wire))
			}
			got, err := UnmarshalRoomBody(wire)
			if err != nil {
				t.Fatalf("UnmarshalRoomBody = %v", err)
			}
			if got != tc.body {
				t.Errorf("round trip gave %+v", got)
			}
		})
	}
}

func TestUnmarshalRoomBodyRejects(t *testing.T) {
	valid := RoomBody{Kind: BodyText, Name: "Ada", SentAt: 1, Text: "hi"}
	marshal := func(edit func(b *RoomBody)) []byte {
		b := valid
		edit(&b)
		return b.Marshal()
	}
	tests := []struct {
		name      string
		input     []byte
		wantError string
	}{
		{name: "empty", input: nil, wantError: "version: truncated"},
		{name: "unknown version", input: append([]byte{2}, valid.Marshal()[1:]...), wantError: "version 2"},
		{name: "kind zero", input: marshal(func(b *RoomBody) { b.Kind = 0 }), wantError: "unknown kind 0"},
		{name: "unknown kind", input: marshal(func(b *RoomBody) { b.Kind = 5 }), wantError: "unknown kind 5"},
		{name: "empty text", input: marshal(func(b *RoomBody) { b.Text = "" }), wantError: "text of 0 bytes"},
		{name: "text too long", input: marshal(func(b *RoomBody) { b.Text = strings.Repeat("x", MaxTextBytes+1) }), wantError: "text: length 65537"},
		{name: "join with text", input: marshal(func(b *RoomBody) { b.Kind = BodyJoin }), wantError: "join: 1 fields"},
		{name: "leave with text", input: marshal(func(b *RoomBody) { b.Kind = BodyLeave }), wantError: "carries no text"},
		{name: "text not UTF-8", input: marshal(func(b *RoomBody) { b.Text = "a\xffb" }), wantError: "text is not valid UTF-8"},
		{name: "name not UTF-8", input: marshal(func(b *RoomBody) { b.Name = "\xc3" }), wantError: "name is not valid UTF-8"},
		{name: "name too long", input: marshal(func(b *RoomBody) { b.Name = strings.Repeat("n", MaxNameBytes+1) }), wantError: "name: length 257"},
		{name: "sent-at zero", input: marshal(func(b *RoomBody) { b.SentAt = 0 }), wantError: "sent-at 0"},
		{name: "sent-at negative", input: marshal(func(b *RoomBody) { b.SentAt = -1 }), wantError: "sent-at -1"},
		{name: "trailing byte", input: append(valid.Marshal(), 0), wantError: "1 trailing bytes"},
		{name: "truncated text", input: valid.Marshal()[:len(valid.Marshal())-1], wantError: "text: truncated"},
		{name: "non-minimal length", input: append(append([]byte{1, 1}, binary.BigEndian.AppendUint64(nil, 1)...), 0x80, 0x00, 0x01, 'x'), wantError: "not minimally encoded"},
		{name: "too long", input: make([]byte, MaxBodyBytes+1), wantError: "exceeds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := UnmarshalRoomBody(tc.input)
			if err == nil || !strings.Contains(err.Error(), tc.wantError) {
				t.Errorf("UnmarshalRoomBody = %+v, %v; want error containing %q", b, err, tc.wantError)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "unmarshal room body: ") {
				t.Errorf("error %q lacks context", err)
			}
		})
	}
}

func FuzzUnmarshalRoomBody(f *testing.F) {
	f.Add(katBody())
	f.Add(RoomBody{Kind: BodyJoin, Name: "Grace", SentAt: 1}.Marshal())
	f.Add(RoomBody{Kind: BodyLeave, SentAt: 1}.Marshal())
	f.Add(RoomBody{Kind: 9, Name: "\xff", SentAt: -1, Text: "x"}.Marshal())
	f.Add([]byte{})
	f.Add([]byte{1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x80, 0x80, 0x04})
	f.Fuzz(func(t *testing.T, p []byte) {
		b, err := UnmarshalRoomBody(p)
		if err != nil {
			return
		}
		if !bytes.Equal(b.Marshal(), p) {
			t.Fatal("re-encoding a decoded body changes its bytes")
		}
		if err := b.Validate(); err != nil {
			t.Fatalf("decoded body does not validate: %v", err)
		}
	})
}
