package crypto

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"testing"
	"time"
)

// TestBenchChain measures, in one run, what the chain adds per message:
// sealing and opening a post (sign, seal, verify, open, decode) with a
// version 1 body, and the same with a version 2 body plus the sender's
// hash of its previous envelope and the receiver's hash of the held one
// and comparison; and the size of a room receipt for a 10-member room,
// with the bytes a minute it costs at most. Run by make bench.
func TestBenchChain(t *testing.T) {
	if os.Getenv("HALLWAY_BENCH") == "" {
		t.Skip("benchmark: set HALLWAY_BENCH=1 (make bench)")
	}
	key := randomRoomKey(t)
	priv, author := testIdentityAt(t, 0)
	pub := priv.GetPublic()
	text := string(bytes.Repeat([]byte{'x'}, 200))
	const n = 3000
	run := func(chained bool) float64 {
		var prev []byte
		start := time.Now()
		for i := 1; i <= n; i++ {
			body := RoomBody{Kind: BodyText, Name: "Ann", SentAt: 1, Text: text, Chained: chained}
			if chained && prev != nil {
				body.Prev = ChainHash(prev) // the sender names its previous envelope
			}
			e, err := SealEnvelope(key, 0, priv, katRoom, author, uint64(i), uint64(i), body.Marshal())
			if err != nil {
				t.Fatal(err)
			}
			raw := e.Marshal()
			d, err := UnmarshalEnvelope(raw)
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Verify(pub); err != nil {
				t.Fatal(err)
			}
			plain, err := d.Open(key)
			if err != nil {
				t.Fatal(err)
			}
			got, err := UnmarshalRoomBody(plain)
			if err != nil {
				t.Fatal(err)
			}
			if chained && prev != nil && got.Prev != ChainHash(prev) { // the member checks the link
				t.Fatal("chain broken")
			}
			prev = raw
		}
		return float64(n) / time.Since(start).Seconds()
	}
	run(false) // warm up
	var plain, chained []float64
	for range 5 {
		plain = append(plain, run(false))
		chained = append(chained, run(true))
	}
	p, c := median(plain), median(chained)
	fmt.Printf("BENCH chain: seal+verify+open of a 200-byte post: %.0f posts/s with a version 1 body, %.0f posts/s chained (version 2 body, hash of the previous envelope on both sides, link compared): ratio %.3f\n",
		p, c, c/p)

	members := make([]ReceiptHead, 10)
	for i := range members {
		_, id := testIdentityAt(t, byte(10+i))
		members[i] = ReceiptHead{Author: id, Held: 1<<20 + uint64(i), Read: 1<<20 - 5}
	}
	sort.Slice(members, func(i, j int) bool { return bytes.Compare(members[i].Author, members[j].Author) < 0 })
	raw, err := SealReceipt(key, priv, Receipt{Room: katRoom, Member: author, At: time.Now().UnixMilli(), ReadShared: true, Heads: members})
	if err != nil {
		t.Fatal(err)
	}
	size := len(raw)
	// Each member sends at most one receipt every 3 s while the room is
	// busy (20 a minute), gossiped to the other 9; each member asks each
	// peer for the 10 receipts it keeps at most every 30 s.
	gossip := 10 * 20 * size * 9
	syncs := 10 * 9 * 2 * 10 * size
	fmt.Printf("BENCH receipts: one receipt of a 10-member room (10 authors, read positions on) is %d bytes; at most %d KiB a minute sent by all 10 members by gossip (one receipt per member every 3 s, to 9 peers) and %d KiB a minute in sync answers (10 receipts per peer pair every 30 s); a quiet room sends none by gossip\n",
		size, gossip>>10, syncs>>10)
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}
