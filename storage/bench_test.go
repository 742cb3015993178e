package storage

import (
	"strconv"
	"testing"
)

// BenchmarkInsertIncoming measures committed incoming messages per second;
// each one is its own durable (synchronous=FULL) transaction, as in use.
func BenchmarkInsertIncoming(b *testing.B) {
	s := newTestStore(b)
	ctx := b.Context()
	i := 0
	for b.Loop() {
		m := Message{ID: strconv.Itoa(i), Conv: "dm:" + bob, Author: bob, Text: "benchmark message of ordinary length"}
		if _, _, err := s.InsertIncoming(ctx, m); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "msgs/s")
}
