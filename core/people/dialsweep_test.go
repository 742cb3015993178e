package people

import (
	"testing"

	"hallway/storage"
)

// A sweep decodes and parses a colleague's row once, again only when its
// addresses change, and forgets colleagues no longer listed.
func TestSweepParsesOnlyWhatChanged(t *testing.T) {
	bob, eve := newID(t), newID(t)
	a1, a2 := "/ip4/127.0.0.1/tcp/4001", "/ip4/127.0.0.2/tcp/4002"
	var m sweepMemo
	got := m.sweep([]storage.Peer{{ID: bob.String(), Addrs: []string{a1}}, {ID: "not an id"}, {ID: eve.String()}})
	if len(got) != 2 || got[0].id != bob || got[1].id != eve || len(got[0].addrs) != 1 || got[0].addrs[0].String() != a1 || got[1].addrs != nil {
		t.Fatalf("first sweep %+v, want Bob with his address and Eve with none, the row that is no id left out", got)
	}
	parsed := &got[0].addrs[0]
	again := m.sweep([]storage.Peer{{ID: bob.String(), Addrs: []string{a1}}, {ID: eve.String(), Addrs: []string{a2}}})
	if len(again) != 2 || &again[0].addrs[0] != parsed {
		t.Fatalf("Bob's unchanged address parsed again: %+v", again)
	}
	if len(again[1].addrs) != 1 || again[1].addrs[0].String() != a2 {
		t.Fatalf("Eve's new address not parsed: %+v", again[1])
	}
	moved := m.sweep([]storage.Peer{{ID: bob.String(), Addrs: []string{a2, a1}}})
	if len(moved) != 1 || len(moved[0].addrs) != 2 || moved[0].addrs[0].String() != a2 {
		t.Fatalf("Bob's changed addresses: %+v", moved)
	}
	if _, kept := m.rows[eve.String()]; kept || len(m.rows) != 1 {
		t.Fatalf("memo holds %d rows after Eve left the list, want Bob's alone", len(m.rows))
	}
	if c := cap(moved[0].addrs); c != len(moved[0].addrs) {
		t.Fatalf("addresses handed out with room to append in place (cap %d, len %d)", c, len(moved[0].addrs))
	}
}
