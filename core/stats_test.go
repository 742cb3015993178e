package core

import (
	"testing"
)

func TestStatsCountConnections(t *testing.T) {
	ann := startNode(t, "", "Ann")
	bob := startNode(t, "", "Bob", ann.addr())
	bob.waitOnline(ann, "Ann")
	st := bob.Stats()
	if st.Goroutines <= 0 || st.HeapBytes == 0 || st.SysBytes < st.HeapBytes {
		t.Fatalf("runtime counters %+v", st)
	}
	if st.Conns < 1 || st.Peerstore < 2 {
		t.Fatalf("network counters %+v: want a connection and two peers in the address book", st)
	}
}
