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
		e, err := SealEnvelope(key, 0, priv, katRoom, author, uint64(n), uint64(n), body)
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

// BenchmarkSealOpenV1 and BenchmarkSealOpenV2 compare the per-message
// cost of the format before epochs with the current one.
func BenchmarkSealOpenV1(b *testing.B) { benchSealOpen(b, true) }

// BenchmarkSealOpenV2: see BenchmarkSealOpenV1.
func BenchmarkSealOpenV2(b *testing.B) { benchSealOpen(b, false) }

func benchSealOpen(b *testing.B, v1 bool) {
	key := randomRoomKey(b)
	priv, author := testIdentityAt(b, 0)
	pub := priv.GetPublic()
	body := bytes.Repeat([]byte{'x'}, 256)
	n := 0
	for b.Loop() {
		n++
		var e *Envelope
		var err error
		if v1 {
			e, err = SealEnvelopeV1(key, priv, katRoom, author, uint64(n), uint64(n), body)
		} else {
			e, err = SealEnvelope(key, 3, priv, katRoom, author, uint64(n), uint64(n), body)
		}
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
