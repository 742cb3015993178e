package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Peer is a colleague the node has met. ID is the transport-authenticated
// libp2p peer ID and the only thing that identifies a peer: two peers may
// announce the same Name.
type Peer struct {
	ID         string   // libp2p peer ID string, primary key
	PubKey     []byte   // marshalled libp2p public key; nil until known
	Name       string   // display name the peer announced
	Status     string   // "available", "away", "busy", or "" when unknown
	StatusText string   // free-form status line
	Addrs      []string // last known multiaddrs
	FirstSeen  time.Time
	LastSeen   time.Time
}

// UpsertPeer records what is known about p.ID. A new peer is inserted; for a
// known one FirstSeen is kept, and PubKey, Addrs and Name are kept when the
// new value is empty, because partial announcements (a status change without
// addresses, say) must not erase what an earlier one taught us. Status,
// StatusText and LastSeen are always overwritten.
//
// A zero LastSeen means now; a zero FirstSeen on insert means LastSeen.
//
// The write is Replicated: what it records, the colleague says again on
// every connection, so a power cut that takes back the last one costs
// nothing, while an office arriving at once records each of its
// colleagues, one commit each, and the fsync was a third of that.
func (s *Store) UpsertPeer(ctx context.Context, p Peer) error {
	return s.upsertPeer(ctx, p, Replicated)
}

func (s *Store) upsertPeer(ctx context.Context, p Peer, d Durability) error {
	if p.ID == "" {
		return errors.New("storage: upsert peer: empty peer ID")
	}
	var pubkey []byte
	if len(p.PubKey) > 0 {
		pubkey = p.PubKey
	}
	var addrs sql.NullString
	if len(p.Addrs) > 0 {
		b, err := json.Marshal(p.Addrs)
		if err != nil {
			return fmt.Errorf("storage: upsert peer %s: encode addrs: %w", p.ID, err)
		}
		addrs = sql.NullString{String: string(b), Valid: true}
	}
	last := p.LastSeen
	if last.IsZero() {
		last = now()
	}
	first := p.FirstSeen
	if first.IsZero() {
		first = last
	}
	// And names, if the name is new; and reach, if the addresses are.
	counts := []*writes{&s.people, nil, nil}
	var stored Peer
	at, err := s.inTxAtWith(ctx, d, func(tx *sql.Tx) error {
		var old, oldAddrs string
		switch err := tx.StmtContext(ctx, s.stmts.peerName).QueryRowContext(ctx, p.ID).Scan(&old, &oldAddrs); {
		case errors.Is(err, sql.ErrNoRows):
			counts[1], counts[2] = &s.names, &s.reach
		case err != nil:
			return err
		default:
			if p.Name != "" && p.Name != old {
				counts[1] = &s.names
			}
			if addrs.Valid && addrs.String != oldAddrs {
				counts[2] = &s.reach
			}
		}
		var err error
		stored, err = scanPeer(tx.StmtContext(ctx, s.stmts.upsertPeer).QueryRowContext(ctx,
			p.ID, pubkey, p.Name, p.Status, p.StatusText, addrs, toMillis(first), toMillis(last)))
		return err
	}, counts...)
	if err != nil {
		return fmt.Errorf("storage: upsert peer %s: %w", p.ID, err)
	}
	// The row as this write left it is the colleague's row for as long as
	// no other write to colleagues begins: kept for the reader that
	// announces the change, and the other colleagues' rows cached before
	// it with it (peerCache.wrote).
	if s.people.last(at[0]) {
		s.peers.wrote(stored, at[0])
	}
	// So do the lists of names and of addresses, when it changed them.
	same := func(q Peer) bool { return q.ID == stored.ID }
	if counts[1] != nil && s.names.last(at[1]) {
		s.nameBook.wrote(Peer{ID: stored.ID, Name: stored.Name, FirstSeen: stored.FirstSeen}, at[1], same)
	}
	if counts[2] != nil && s.reach.last(at[2]) {
		s.addrs.wrote(Peer{ID: stored.ID, Addrs: slices.Clone(stored.Addrs)}, at[2], same)
	}
	return nil
}

const upsertPeerSQL = `
	INSERT INTO peers (id, pubkey, name, status, status_text, addrs, first_seen, last_seen)
	VALUES (?1, ?2, ?3, ?4, ?5, COALESCE(?6, '[]'), ?7, ?8)
	ON CONFLICT (id) DO UPDATE SET
		pubkey      = COALESCE(?2, peers.pubkey),
		name        = CASE WHEN ?3 = '' THEN peers.name ELSE ?3 END,
		status      = ?4,
		status_text = ?5,
		addrs       = COALESCE(?6, peers.addrs),
		last_seen   = ?8
	RETURNING ` + peerColumns

const (
	peerColumns = `id, pubkey, name, status, status_text, addrs, first_seen, last_seen`
	peerSQL     = `SELECT ` + peerColumns + ` FROM peers WHERE id = ?`
	peerNameSQL = `SELECT name, addrs FROM peers WHERE id = ?`
)

// Peer returns the stored peer with the given ID; ok is false if unknown.
func (s *Store) Peer(ctx context.Context, id string) (Peer, bool, error) {
	version, settled := s.people.settled()
	if p, ok := s.peers.get(id, version); settled && ok {
		return p, true, nil
	}
	if s.unknown(id) {
		return Peer{}, false, nil
	}
	row := s.stmts.peer.QueryRowContext(ctx, id)
	p, err := scanPeer(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Peer{}, false, nil
	}
	if err != nil {
		return Peer{}, false, fmt.Errorf("storage: read peer %s: %w", id, err)
	}
	if settled && s.people.still(version) {
		s.peers.put(p, version)
	}
	return p, true, nil
}

// unknown reports whether id is known to have no row: the list of names
// kept holds every colleague (a colleague new is a change of names) and
// not id. A colleague's first connection is announced before its profile
// arrives, and in an office of 100 arriving that asked the table, for
// nothing, about 99 times per node.
func (s *Store) unknown(id string) bool {
	version, settled := s.names.settled()
	if !settled {
		return false
	}
	found, ok := s.nameBook.has(version, func(p Peer) bool { return p.ID == id })
	return ok && !found
}

// Peers returns every known peer ordered by name (ignoring case), then ID so
// that peers sharing a name keep a stable order.
func (s *Store) Peers(ctx context.Context) ([]Peer, error) {
	version, settled := s.people.settled()
	if peers, ok := s.peers.getList(version); settled && ok {
		return peers, nil
	}
	rows, err := s.reader.QueryContext(ctx,
		`SELECT `+peerColumns+` FROM peers ORDER BY name COLLATE NOCASE, name, id`)
	if err != nil {
		return nil, fmt.Errorf("storage: list peers: %w", err)
	}
	peers, err := scanAll(rows, "list peers", scanPeer)
	if err != nil {
		return nil, err
	}
	if settled && s.people.still(version) {
		s.peers.putList(peers, version)
	}
	return peers, nil
}

// PeerNames returns every known peer's ID, Name and FirstSeen alone, in
// no order: what name warnings compare, read without the addresses and
// keys of each row, which cost several times as much to read. The list is
// kept while no name changes, and follows a colleague new or renamed
// (keptList).
func (s *Store) PeerNames(ctx context.Context) ([]Peer, error) {
	return readKept(ctx, s.reader, &s.names, &s.nameBook, "list peer names",
		`SELECT id, name, first_seen FROM peers`, func(sc scanner) (Peer, error) {
			var p Peer
			var first int64
			err := sc.Scan(&p.ID, &p.Name, &first)
			p.FirstSeen = fromMillis(first)
			return p, err
		})
}

type scanner interface{ Scan(dest ...any) error }

func scanPeer(sc scanner) (Peer, error) {
	var (
		p           Peer
		addrs       string
		first, last int64
	)
	if err := sc.Scan(&p.ID, &p.PubKey, &p.Name, &p.Status, &p.StatusText, &addrs, &first, &last); err != nil {
		return Peer{}, err
	}
	var err error
	if p.Addrs, err = decodeAddrs(p.ID, addrs); err != nil {
		return Peer{}, err
	}
	if len(p.PubKey) == 0 {
		p.PubKey = nil
	}
	p.FirstSeen = fromMillis(first)
	p.LastSeen = fromMillis(last)
	return p, nil
}

// decodeAddrs decodes a colleague's addresses as stored: a JSON list,
// nil when it holds none.
func decodeAddrs(id, raw string) ([]string, error) {
	var addrs []string
	if err := json.Unmarshal([]byte(raw), &addrs); err != nil {
		return nil, fmt.Errorf("decode addrs of %s: %w", id, err)
	}
	if len(addrs) == 0 {
		return nil, nil
	}
	return addrs, nil
}

// AddStaticPeer remembers a multiaddr the user entered by hand. The address
// is stored as given (surrounding space trimmed); checking that it parses is
// the caller's job. added is false if it was already there.
func (s *Store) AddStaticPeer(ctx context.Context, addr string) (added bool, err error) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return false, errors.New("storage: add static peer: empty address")
	}
	res, err := s.writer.ExecContext(ctx,
		`INSERT INTO static_peers (addr, added_at) VALUES (?, ?) ON CONFLICT (addr) DO NOTHING`,
		addr, toMillis(now()))
	if err != nil {
		return false, fmt.Errorf("storage: add static peer %s: %w", addr, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("storage: add static peer %s: %w", addr, err)
	}
	return n == 1, nil
}

// RemoveStaticPeer forgets a hand-entered address; false if it was not there.
func (s *Store) RemoveStaticPeer(ctx context.Context, addr string) (bool, error) {
	addr = strings.TrimSpace(addr)
	res, err := s.writer.ExecContext(ctx, `DELETE FROM static_peers WHERE addr = ?`, addr)
	if err != nil {
		return false, fmt.Errorf("storage: remove static peer %s: %w", addr, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("storage: remove static peer %s: %w", addr, err)
	}
	return n == 1, nil
}

// StaticPeers lists the hand-entered addresses in the order they were added.
func (s *Store) StaticPeers(ctx context.Context) ([]string, error) {
	// rowid breaks ties between addresses added within the same millisecond.
	rows, err := s.reader.QueryContext(ctx, `SELECT addr FROM static_peers ORDER BY added_at, rowid`)
	if err != nil {
		return nil, fmt.Errorf("storage: list static peers: %w", err)
	}
	return scanAll(rows, "list static peers", scanString)
}
