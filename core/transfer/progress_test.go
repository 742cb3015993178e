package transfer

import (
	"testing"
	"testing/synctest"
	"time"
)

// A transfer reporting every millisecond for a second yields at most ten
// progress events a second, and its rate is measured over that time.
func TestProgressIsCoalesced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var p progress
		events := 0
		for i := range 1000 {
			if p.add("x", int64(i+1)<<20) {
				events++
			}
			<-time.After(time.Millisecond)
		}
		if events > 11 {
			t.Fatalf("%d progress events in one second", events)
		}
		done, rate, ok := p.get("x")
		if !ok || done != 1000<<20 {
			t.Fatalf("done %d", done)
		}
		if want := float64(1<<20) * 1000; rate < want*0.9 || rate > want*1.1 {
			t.Fatalf("rate %.0f B/s, want about %.0f", rate, want)
		}
	})
}
