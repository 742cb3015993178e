package storage

import "context"

// PeerAddrs returns every known colleague's ID and Addrs alone, in no
// order: what the dialer's sweep of colleagues not connected reads every
// few seconds. While an office arrives, colleagues' rows change several
// times a second (a status, the last sighting), which leaves the whole
// list that Peers caches nearly always to read again, but their
// addresses seldom: this list is kept until a colleague is new or has new
// addresses, and such a write of one colleague's row, when the list was
// kept up to it, updates it rather than have it read again. The lists
// returned share their addresses: read them, never change them.
func (s *Store) PeerAddrs(ctx context.Context) ([]Peer, error) {
	return readKept(ctx, s.reader, &s.reach, &s.addrs, "list peer addresses",
		`SELECT id, addrs FROM peers`, func(sc scanner) (Peer, error) {
			var p Peer
			var addrs string
			if err := sc.Scan(&p.ID, &addrs); err != nil {
				return Peer{}, err
			}
			var err error
			p.Addrs, err = decodeAddrs(p.ID, addrs)
			return p, err
		})
}
