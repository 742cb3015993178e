package crypto

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"
)

// envelopeParts builds an encoding field by field, so each rejection case
// changes exactly one thing about an otherwise valid envelope.
type envelopeParts struct {
	version, room, author, seq, hlc, nonce, sealed, sig, trailer []byte
}

func validEnvelopeParts() envelopeParts {
	author, _ := hex.DecodeString(katAuthorHex)
	nonce := katNonce()
	return envelopeParts{
		version: []byte{envelopeV1},
		room:    appendPrefixed(nil, []byte(katRoom)),
		author:  appendPrefixed(nil, author),
		seq:     binary.BigEndian.AppendUint64(nil, katSeq),
		hlc:     binary.BigEndian.AppendUint64(nil, katHLC),
		nonce:   nonce[:],
		sealed:  appendPrefixed(nil, make([]byte, 40)),
		sig:     appendPrefixed(nil, make([]byte, 64)),
	}
}

func (p envelopeParts) bytes() []byte {
	return bytes.Join([][]byte{p.version, p.room, p.author, p.seq, p.hlc, p.nonce, p.sealed, p.sig, p.trailer}, nil)
}

func TestUnmarshalEnvelopeRejects(t *testing.T) {
	pfx := func(n int) []byte { return appendPrefixed(nil, bytes.Repeat([]byte{'a'}, n)) }
	tests := []struct {
		name      string
		edit      func(p *envelopeParts)
		wantError string
	}{
		{name: "valid form", wantError: ""},
		{name: "empty input", edit: func(p *envelopeParts) { *p = envelopeParts{} }, wantError: "version: truncated"},
		{name: "unknown version", edit: func(p *envelopeParts) { p.version = []byte{3} }, wantError: "version 3"},
		{name: "v2 valid form", edit: func(p *envelopeParts) { p.version = []byte{envelopeVersion}; p.hlc = append(p.hlc, make([]byte, 8)...) }, wantError: ""},
		{name: "v2 epoch over the cap", edit: func(p *envelopeParts) {
			p.version = []byte{envelopeVersion}
			p.hlc = binary.BigEndian.AppendUint64(p.hlc, MaxEpoch+1)
		}, wantError: "epoch: "},
		{name: "v2 without its epoch", edit: func(p *envelopeParts) {
			p.version = []byte{envelopeVersion}
			p.nonce = p.nonce[:8]
			p.sealed, p.sig = nil, nil
		}, wantError: "epoch"},
		{name: "empty room", edit: func(p *envelopeParts) { p.room = pfx(0) }, wantError: "room: length 0"},
		{name: "room too long", edit: func(p *envelopeParts) { p.room = pfx(65) }, wantError: "room: length 65"},
		{name: "room upper case", edit: func(p *envelopeParts) { p.room = appendPrefixed(nil, []byte("Kat")) }, wantError: "invalid room id"},
		{name: "room with zero byte", edit: func(p *envelopeParts) { p.room = appendPrefixed(nil, []byte("a\x00b")) }, wantError: "invalid room id"},
		{name: "empty author", edit: func(p *envelopeParts) { p.author = pfx(0) }, wantError: "author: length 0"},
		{name: "author too long", edit: func(p *envelopeParts) { p.author = pfx(65) }, wantError: "author: length 65"},
		{name: "seq zero", edit: func(p *envelopeParts) { p.seq = make([]byte, 8) }, wantError: "seq: must be"},
		{name: "hlc zero", edit: func(p *envelopeParts) { p.hlc = make([]byte, 8) }, wantError: "hlc: must be"},
		{name: "short nonce", edit: func(p *envelopeParts) { p.nonce = p.nonce[:23]; p.sealed, p.sig = nil, nil }, wantError: "nonce: truncated"},
		{name: "sealed shorter than a tag", edit: func(p *envelopeParts) { p.sealed = pfx(15) }, wantError: "length 15"},
		{name: "sealed over the cap", edit: func(p *envelopeParts) { p.sealed = binary.AppendUvarint(nil, maxSealedLen+1) }, wantError: "sealed body: length"},
		{name: "sealed length past the end", edit: func(p *envelopeParts) { p.sealed = binary.AppendUvarint(nil, 1000); p.sig = nil }, wantError: "sealed body: truncated"},
		{name: "short signature", edit: func(p *envelopeParts) { p.sig = pfx(63) }, wantError: "signature: length 63"},
		{name: "long signature", edit: func(p *envelopeParts) { p.sig = pfx(65) }, wantError: "signature: length 65"},
		{name: "missing signature", edit: func(p *envelopeParts) { p.sig = nil }, wantError: "signature length: truncated"},
		{name: "trailing byte", edit: func(p *envelopeParts) { p.trailer = []byte{0} }, wantError: "1 trailing bytes"},
		{name: "non-minimal length", edit: func(p *envelopeParts) { p.room = append([]byte{0x88, 0x00}, katRoom...) }, wantError: "not minimally encoded"},
		{name: "length overflows", edit: func(p *envelopeParts) { p.room = bytes.Repeat([]byte{0xff}, 11) }, wantError: "overflows"},
		{name: "whole envelope too long", edit: func(p *envelopeParts) { p.trailer = make([]byte, MaxEnvelopeBytes) }, wantError: "exceeds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := validEnvelopeParts()
			if tc.edit != nil {
				tc.edit(&p)
			}
			_, err := UnmarshalEnvelope(p.bytes())
			if tc.wantError == "" {
				if err != nil {
					t.Fatalf("UnmarshalEnvelope = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantError) {
				t.Errorf("UnmarshalEnvelope error = %v, want one containing %q", err, tc.wantError)
			}
		})
	}
}

// TestUnmarshalEnvelopeCopies makes sure a decoded envelope does not
// change when the caller reuses its read buffer.
func TestUnmarshalEnvelopeCopies(t *testing.T) {
	wire, _ := hex.DecodeString(katEnvelopeHex)
	e, err := UnmarshalEnvelope(wire)
	if err != nil {
		t.Fatal(err)
	}
	clear(wire)
	if got := hex.EncodeToString(e.Marshal()); got != katEnvelopeHex {
		t.Error("envelope changed with the input buffer")
	}
}

func FuzzUnmarshalEnvelope(f *testing.F) {
	kat, _ := hex.DecodeString(katEnvelopeHex)
	f.Add(kat)
	f.Add(validEnvelopeParts().bytes())
	f.Add(kat[:len(kat)-1])
	f.Add([]byte{envelopeVersion})
	f.Add([]byte{})
	f.Add(append([]byte{envelopeVersion}, bytes.Repeat([]byte{0xff}, 12)...))
	v2 := validEnvelopeParts()
	v2.version, v2.hlc = []byte{envelopeVersion}, binary.BigEndian.AppendUint64(v2.hlc, 3)
	f.Add(v2.bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := UnmarshalEnvelope(b)
		if err != nil {
			return
		}
		if e.Epoch > MaxEpoch || (e.Version() == 1 && e.Epoch != 0) {
			t.Fatalf("epoch %d accepted in a version %d envelope", e.Epoch, e.Version())
		}
		if !bytes.Equal(e.Marshal(), b) {
			t.Fatal("re-encoding a decoded envelope changes its bytes")
		}
		if len(e.ID()) != 2*envelopeIDBytes {
			t.Fatalf("ID %q has the wrong length", e.ID())
		}
	})
}
