package p2p

import (
	"sync/atomic"
	"testing"
)

// Goroutines started while the node closes either start before Close
// waits, and end before it returns, or do not start at all. (Under -race,
// a bare WaitGroup given work while another goroutine waits on it is
// reported here.)
func TestCloseWaitsForWhatItStarted(t *testing.T) {
	var n Node
	var started, ended, refused atomic.Int64
	release := make(chan struct{})
	spawned := make(chan struct{})
	go func() {
		defer close(spawned)
		for range 1000 {
			if !n.goTracked(func() {
				started.Add(1)
				<-release
				ended.Add(1)
			}) {
				refused.Add(1)
			}
		}
	}()
	close(release)
	n.closeTracked()
	if s, e := started.Load(), ended.Load(); s != e {
		t.Fatalf("Close returned with %d of %d goroutines still running", s-e, s)
	}
	<-spawned
	if n.goTracked(func() { t.Error("a goroutine started after Close") }) {
		t.Fatal("a closed node started a goroutine")
	}
	if got := ended.Load() + refused.Load(); got != 1000 {
		t.Fatalf("%d of 1000 goroutines accounted for", got)
	}
}
