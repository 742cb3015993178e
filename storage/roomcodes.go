package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// RoomCode is what a member knows of one room code: never its token, only
// the token's hash and the id a joiner names it by.
type RoomCode struct {
	Room      string
	Hash      [32]byte
	Lookup    [16]byte
	Issuer    string // peer id of the member that issued it
	IssuedHLC uint64 // the room clock of its issue record
	ExpiresAt time.Time
	MaxUses   int // 0: any number until it expires
	// Revoked and Uses are read, not written: whether the code, or every
	// code of the room issued up to then, was revoked, and how many
	// colleagues (other than the one asking) joined with it.
	Revoked bool
	Uses    int
}

// PutRoomCode records an issued code. The first issue record of a hash
// wins; a revocation that came first is kept.
func (s *Store) PutRoomCode(ctx context.Context, c RoomCode) error {
	if c.Room == "" || c.Issuer == "" {
		return errors.New("storage: put room code: empty room or issuer")
	}
	_, err := s.writer.ExecContext(ctx, `INSERT INTO room_codes
		(room, hash, lookup, issuer, issued_hlc, expires_at, max_uses) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (room, hash) DO UPDATE SET lookup = excluded.lookup, issuer = excluded.issuer,
			issued_hlc = excluded.issued_hlc, expires_at = excluded.expires_at, max_uses = excluded.max_uses
		WHERE room_codes.issuer = ''`,
		c.Room, c.Hash[:], c.Lookup[:], c.Issuer, int64(c.IssuedHLC), toMillis(c.ExpiresAt), c.MaxUses)
	if err != nil {
		return fmt.Errorf("storage: put room code: %w", err)
	}
	return nil
}

// RevokeRoomCode records that a code of room was revoked, whether or not
// its issue record is here yet.
func (s *Store) RevokeRoomCode(ctx context.Context, room string, hash [32]byte) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO room_codes (room, hash, revoked) VALUES (?, ?, 1)
		ON CONFLICT (room, hash) DO UPDATE SET revoked = 1`, room, hash[:])
	if err != nil {
		return fmt.Errorf("storage: revoke room code: %w", err)
	}
	return nil
}

// RevokeRoomCodes records that every code of room issued at or before the
// room clock value hlc was revoked.
func (s *Store) RevokeRoomCodes(ctx context.Context, room string, hlc uint64) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO room_codes_revoked (room, before) VALUES (?, ?)
		ON CONFLICT (room) DO UPDATE SET before = max(before, excluded.before)`, room, int64(hlc))
	if err != nil {
		return fmt.Errorf("storage: revoke room codes: %w", err)
	}
	return nil
}

// AddRoomCodeUse records that joiner joined room with the code of hash;
// a second use by the same joiner counts once.
func (s *Store) AddRoomCodeUse(ctx context.Context, room string, hash [32]byte, joiner string) error {
	_, err := s.writer.ExecContext(ctx, `INSERT OR IGNORE INTO room_code_uses (room, hash, joiner, at) VALUES (?, ?, ?, ?)`,
		room, hash[:], joiner, toMillis(now()))
	if err != nil {
		return fmt.Errorf("storage: add room code use: %w", err)
	}
	return nil
}

// RoomCodeByLookup finds the issued code of room a joiner names by lookup,
// with its uses by colleagues other than except.
func (s *Store) RoomCodeByLookup(ctx context.Context, room string, lookup [16]byte, except string) (RoomCode, bool, error) {
	c := RoomCode{Room: room}
	var hash, look []byte
	var hlc, exp int64
	var revoked int
	err := s.reader.QueryRowContext(ctx, `SELECT c.hash, c.lookup, c.issuer, c.issued_hlc, c.expires_at, c.max_uses,
			c.revoked OR c.issued_hlc <= coalesce((SELECT before FROM room_codes_revoked r WHERE r.room = c.room), 0),
			(SELECT count(*) FROM room_code_uses u WHERE u.room = c.room AND u.hash = c.hash AND u.joiner != ?)
		FROM room_codes c WHERE c.room = ? AND c.lookup = ? AND c.issuer != ''`,
		except, room, lookup[:]).Scan(&hash, &look, &c.Issuer, &hlc, &exp, &c.MaxUses, &revoked, &c.Uses)
	if errors.Is(err, sql.ErrNoRows) {
		return RoomCode{}, false, nil
	}
	if err != nil {
		return RoomCode{}, false, fmt.Errorf("storage: room code: %w", err)
	}
	copy(c.Hash[:], hash)
	copy(c.Lookup[:], look)
	c.IssuedHLC, c.ExpiresAt, c.Revoked = uint64(hlc), fromMillis(exp), revoked != 0
	return c, true, nil
}
