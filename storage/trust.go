package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Verification is a colleague the user checked in person: the peer, and the
// name and fingerprint they had at that moment.
type Verification struct {
	Peer        string
	Name        string
	Fingerprint string
	At          time.Time
}

// SetVerified records that peer was verified now (or at v.At).
func (s *Store) SetVerified(ctx context.Context, v Verification) error {
	if v.Peer == "" || v.Fingerprint == "" {
		return errors.New("storage: set verified: empty peer or fingerprint")
	}
	at := v.At
	if at.IsZero() {
		at = now()
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO verified_peers (peer, name, fingerprint, verified_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (peer) DO UPDATE SET name = excluded.name, fingerprint = excluded.fingerprint,
				verified_at = excluded.verified_at`, v.Peer, v.Name, v.Fingerprint, toMillis(at))
		return err
	}, &s.people, &s.names, &s.verifs)
	if err != nil {
		return fmt.Errorf("storage: set verified %s: %w", v.Peer, err)
	}
	return nil
}

// ClearVerified forgets a verification; false if there was none.
func (s *Store) ClearVerified(ctx context.Context, peer string) (bool, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM verified_peers WHERE peer = ?`, peer)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	}, &s.people, &s.names, &s.verifs)
	if err != nil {
		return false, fmt.Errorf("storage: clear verified %s: %w", peer, err)
	}
	return n == 1, nil
}

// NamesVersion returns how many writes that change what names colleagues
// ended (a new colleague, a changed name, a verification given or taken
// back; counted in memory only), and whether none is under way. What was
// derived from colleagues' ids, names, first sightings and verifications
// between two calls that both return the same count and true is their
// state at that count, and holds until the count changes; a read that
// overlaps a write may be older or newer than the write, and must not be
// kept.
func (s *Store) NamesVersion() (n uint64, settled bool) { return s.names.settled() }

// Verifications lists every verified colleague. The list is kept until a
// verification is given or taken back: the naming of colleagues reads it
// at every change of a colleague's name, and a verification is rare.
func (s *Store) Verifications(ctx context.Context) ([]Verification, error) {
	return readKept(ctx, s.reader, &s.verifs, &s.verified, "list verified",
		`SELECT peer, name, fingerprint, verified_at FROM verified_peers ORDER BY peer`,
		func(sc scanner) (Verification, error) {
			var v Verification
			var at int64
			err := sc.Scan(&v.Peer, &v.Name, &v.Fingerprint, &at)
			v.At = fromMillis(at)
			return v, err
		})
}

// SetLabel files peer under label; an empty label removes it.
func (s *Store) SetLabel(ctx context.Context, peer, label string) error {
	label = strings.TrimSpace(label)
	var err error
	if label == "" {
		_, err = s.writer.ExecContext(ctx, `DELETE FROM peer_labels WHERE peer = ?`, peer)
	} else {
		_, err = s.writer.ExecContext(ctx, `
			INSERT INTO peer_labels (peer, label) VALUES (?, ?)
			ON CONFLICT (peer) DO UPDATE SET label = excluded.label`, peer, label)
	}
	if err != nil {
		return fmt.Errorf("storage: label %s: %w", peer, err)
	}
	return nil
}

// Labels maps peers to their label.
func (s *Store) Labels(ctx context.Context) (map[string]string, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT peer, label FROM peer_labels`)
	if err != nil {
		return nil, fmt.Errorf("storage: labels: %w", err)
	}
	type pl struct{ peer, label string }
	list, err := scanAll(rows, "labels", func(sc scanner) (pl, error) {
		var v pl
		return v, sc.Scan(&v.peer, &v.label)
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(list))
	for _, v := range list {
		out[v.peer] = v.label
	}
	return out, nil
}

// MarkConvRead moves a direct conversation's read marker up to seq; an
// older marker changes nothing.
func (s *Store) MarkConvRead(ctx context.Context, conv string, seq int64) error {
	_, err := s.writer.ExecContext(ctx, `
		INSERT INTO conv_reads (conv, last_read_seq) VALUES (?1, ?2)
		ON CONFLICT (conv) DO UPDATE SET last_read_seq = max(last_read_seq, ?2)`, conv, seq)
	if err != nil {
		return fmt.Errorf("storage: mark %s read: %w", conv, err)
	}
	return nil
}

// LastSeq is the newest local sequence number of conv, 0 when empty.
func (s *Store) LastSeq(ctx context.Context, conv string) (int64, error) {
	var seq sql.NullInt64
	if err := s.reader.QueryRowContext(ctx, `SELECT max(seq) FROM messages WHERE conv = ?`, conv).Scan(&seq); err != nil {
		return 0, fmt.Errorf("storage: last of %s: %w", conv, err)
	}
	return seq.Int64, nil
}

// DMUnread counts, per direct conversation, the received text, reply and file
// messages after its read marker.
func (s *Store) DMUnread(ctx context.Context) (map[string]int, error) {
	rows, err := s.reader.QueryContext(ctx, `
		SELECT m.conv, count(*) FROM messages m
		LEFT JOIN conv_reads r ON r.conv = m.conv
		WHERE m.conv LIKE 'dm:%' AND m.state = ?1 AND m.kind IN (?2, ?3, 'reply')
		  AND m.seq > coalesce(r.last_read_seq, 0)
		GROUP BY m.conv`, StateReceived, KindText, KindFile)
	if err != nil {
		return nil, fmt.Errorf("storage: unread: %w", err)
	}
	type cn struct {
		conv string
		n    int
	}
	list, err := scanAll(rows, "unread", func(sc scanner) (cn, error) {
		var v cn
		return v, sc.Scan(&v.conv, &v.n)
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(list))
	for _, v := range list {
		out[v.conv] = v.n
	}
	return out, nil
}
