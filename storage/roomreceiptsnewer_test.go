package storage

import (
	"fmt"
	"maps"
	"slices"
	"testing"
)

// A sync answer carries only the receipts its asker lacks: of members it
// does not name, or newer than the clock it names; read one by one for a
// few, by one scan for many, the same either way.
func TestRoomReceiptsNewerSendsOnlyWhatTheAskerLacks(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	var rs []RoomReceipt
	clocks := map[string]int64{}
	for i := range 2 * maxReceiptLookups {
		m := fmt.Sprintf("member-%02d", i)
		rs = append(rs, RoomReceipt{Room: "r1", Member: m, At: int64(10 + i), Raw: []byte("receipt of " + m)})
		clocks[m] = int64(10 + i)
	}
	rs = append(rs, RoomReceipt{Room: "r2", Member: "member-00", At: 99, Raw: []byte("another room")})
	if _, err := s.PutRoomReceipts(ctx, rs); err != nil {
		t.Fatal(err)
	}
	got, err := s.RoomReceiptClocks(ctx, "r1")
	if err != nil || !maps.Equal(got, clocks) {
		t.Fatalf("clocks %v, %v; want %v", got, err, clocks)
	}
	members := func(rs []RoomReceipt) []string {
		var out []string
		for _, r := range rs {
			if r.Room != "r1" || string(r.Raw) != "receipt of "+r.Member || r.At != clocks[r.Member] {
				t.Fatalf("receipt %+v is not the one kept", r)
			}
			out = append(out, r.Member)
		}
		slices.Sort(out)
		return out
	}
	ahead := maps.Clone(clocks)
	ahead["member-00"] = 50 // a receipt kept here was lost, or is on its way
	behind := maps.Clone(clocks)
	behind["member-03"]--
	behind["member-40"] = 0
	delete(behind, "member-63")
	few := map[string]int64{"member-01": 11, "member-02": 1, "member-70": 5}
	var allBut1 []string
	for m := range clocks {
		if m != "member-01" {
			allBut1 = append(allBut1, m)
		}
	}
	slices.Sort(allBut1)
	for _, c := range []struct {
		name string
		held map[string]int64
		want []string
	}{
		{"holding all", clocks, nil},
		{"holding one newer than kept", ahead, nil},
		{"two behind, one missing", behind, []string{"member-03", "member-40", "member-63"}},
		{"holding none", nil, slices.Sorted(maps.Keys(clocks))},
		{"holding a few, one behind and one unknown here", few, allBut1},
	} {
		got, err := s.RoomReceiptsNewer(ctx, "r1", c.held)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if m := members(got); !slices.Equal(m, c.want) {
			t.Errorf("%s: sent %v, want %v", c.name, m, c.want)
		}
	}
	if got, err := s.RoomReceiptsNewer(ctx, "none", nil); err != nil || len(got) != 0 {
		t.Fatalf("a room without receipts: %v, %v", got, err)
	}
}
