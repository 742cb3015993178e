package people

import (
	"slices"

	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// sweepMemo keeps, from one sweep of known colleagues to the next, each
// colleague's decoded id and parsed addresses: the dialer sweeps every
// colleague every few seconds, and in an office arriving, with a hundred
// colleagues not connected yet, decoding and parsing the same rows again
// was most of what each sweep cost. Only the colleagues of the last
// sweep are kept. It belongs to the goroutine that sweeps.
type sweepMemo struct {
	rows map[string]sweptPeer
}

type sweptPeer struct {
	id    peer.ID
	src   []string // the addresses as stored, which addrs were parsed from
	addrs []ma.Multiaddr
}

// sweep returns the memo's entries for rows, in their order, decoding and
// parsing only what is new or changed; rows whose id does not decode are
// left out.
func (m *sweepMemo) sweep(rows []storage.Peer) []sweptPeer {
	next := make(map[string]sweptPeer, len(rows))
	out := make([]sweptPeer, 0, len(rows))
	for _, p := range rows {
		s, ok := m.rows[p.ID]
		if !ok {
			id, err := peer.Decode(p.ID)
			if err != nil {
				continue
			}
			s = sweptPeer{id: id}
		}
		if !ok || !slices.Equal(s.src, p.Addrs) {
			// Clipped: whoever appends to them copies them.
			s.src, s.addrs = p.Addrs, slices.Clip(p2p.ParseAddrs(p.Addrs))
		}
		next[p.ID] = s
		out = append(out, s)
	}
	m.rows = next
	return out
}
