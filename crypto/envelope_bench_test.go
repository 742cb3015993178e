package crypto

import (
	"bytes"
	"testing"
)

func BenchmarkSealVerifyOpen(b *testing.B) {
	key := randomRoomKey(b)
	priv, author := testIdentityAt(b, 0)
	pub := priv.GetPublic()
	body := bytes.Repeat([]byte{'x'}, 1<<10)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		e, err := SealEnvelope(key, priv, katRoom, author, uint64(n), uint64(n), body)
		if err != nil {
			b.Fatal(err)
		}
		d, err := UnmarshalEnvelope(e.Marshal())
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Verify(pub); err != nil {
			b.Fatal(err)
		}
		if _, err := d.Open(key); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "envelopes/s")
}
