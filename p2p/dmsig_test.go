package p2p

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestDecodeDMSignature(t *testing.T) {
	sig := func(n int) string { return base64.StdEncoding.EncodeToString([]byte(strings.Repeat("s", n))) }
	for _, tc := range []struct {
		name string
		in   string
		ok   bool
	}{
		{"none", `{"id":"a","text":"hi","sent_at":5}`, true},
		{"signed", `{"id":"a","text":"hi","sent_at":5,"sig":"` + sig(64) + `"}`, true},
		{"short", `{"id":"a","text":"hi","sent_at":5,"sig":"` + sig(63) + `"}`, false},
		{"long", `{"id":"a","text":"hi","sent_at":5,"sig":"` + sig(65) + `"}`, false},
		{"not base64", `{"id":"a","text":"hi","sent_at":5,"sig":"!!"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := DecodeDM([]byte(tc.in))
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && len(m.Sig) != 0 && len(m.Sig) != 64 {
				t.Fatalf("sig of %d bytes", len(m.Sig))
			}
		})
	}
}
