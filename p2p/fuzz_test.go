package p2p

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecodeFileOffer(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	cases := []struct {
		name string
		in   string
		ok   bool
	}{
		{"good", `{"id":"f1","name":"report.pdf","size":10,"files":1,"hash":"` + hash + `"}`, true},
		{"negative size", `{"id":"f1","name":"a","size":-1,"files":1,"hash":"` + hash + `"}`, false},
		{"short hash", `{"id":"f1","name":"a","size":1,"files":1,"hash":"ab"}`, false},
		{"bad id", `{"id":"../x","name":"a","size":1,"files":1,"hash":"` + hash + `"}`, false},
		{"empty name", `{"id":"f1","name":"","size":1,"files":1,"hash":"` + hash + `"}`, false},
		{"too many files", `{"id":"f1","name":"a","size":1,"files":10001,"hash":"` + hash + `"}`, false},
		{"not json", `report.pdf`, false},
		{"oversize", `{"id":"f1","name":"` + strings.Repeat("a", maxFileOfferBytes) + `"}`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := DecodeFileOffer([]byte(tc.in)); (err == nil) != tc.ok {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func FuzzDecodeFileOffer(f *testing.F) {
	hash := strings.Repeat("ab", 32)
	f.Add([]byte(`{"id":"f1","name":"report.pdf","size":10,"files":1,"hash":"` + hash + `"}`))
	f.Add([]byte(`{"id":"f1","name":"../../etc/passwd","size":9223372036854775807,"files":10000,"folder":true,"hash":"` + hash + `"}`))
	f.Add([]byte(`{"id":"f1","name":"\u202etxt.exe","size":-1,"hash":""}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := DecodeFileOffer(b)
		if err != nil {
			return
		}
		if !ValidID(o.ID) || len(o.Hash) != 64 || o.Size < 0 || o.Files < 0 || o.Files > 10000 ||
			o.Name == "" || len(o.Name) > 4096 || !utf8.ValidString(o.Name) {
			t.Fatalf("accepted invalid offer %+v", o)
		}
	})
}

// FuzzChunkFrameLength feeds hostile chunk streams to the length reader
// of the file protocol: no length above the cap may pass.
func FuzzChunkFrameLength(f *testing.F) {
	f.Add(binary.AppendUvarint(nil, chunkHeader+maxChunkBytes))
	f.Add(binary.AppendUvarint(nil, chunkHeader+maxChunkBytes+1))
	f.Add(binary.AppendUvarint(nil, 1<<63))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bufio.NewReader(bytes.NewReader(b))
		for range 4 {
			n, err := binaryFrameLen(r, chunkHeader+maxChunkBytes)
			if err != nil {
				return
			}
			if n < 0 || n > chunkHeader+maxChunkBytes {
				t.Fatalf("length %d passed the cap", n)
			}
		}
	})
}
