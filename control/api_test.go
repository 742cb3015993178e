package control

import (
	"testing"
)

func TestDecodeStrict(t *testing.T) {
	cases := []struct {
		name string
		in   string
		ok   bool
	}{
		{"good", `{"peer":"Bob","text":"hi"}`, true},
		{"unknown field", `{"peer":"Bob","txt":"hi"}`, false},
		{"trailing data", `{"peer":"Bob"} {"x":1}`, false},
		{"wrong type", `{"peer":5}`, false},
		{"not json", `peer=Bob`, false},
		{"empty", ``, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var req sendRequest
			if err := decodeStrict([]byte(tc.in), &req); (err == nil) != tc.ok {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func FuzzDecodeRequest(f *testing.F) {
	f.Add([]byte(`{"peer":"Bob","text":"hi"}`))
	f.Add([]byte(`{"status":"away","text":"lunch"}`))
	f.Add([]byte(`{"addr":"/ip4/10.0.0.1/tcp/1/p2p/x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s sendRequest
		decodeStrict(b, &s)
		var st statusRequest
		decodeStrict(b, &st)
		var a addPeerRequest
		decodeStrict(b, &a)
	})
}
