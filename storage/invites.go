package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// RoomInvite is a colleague's invitation to a room, waiting until the
// user accepts or declines it.
type RoomInvite struct {
	ID      string
	Room    string
	Inviter string // the inviter's peer ID
	Name    string // the room's name as the inviter gave it
	Key     [32]byte
	At      time.Time // when it arrived (or was last renewed)
	// AddOp is the hash of the inviter's add operation, which the join
	// names; nil for an invitation from before operations.
	AddOp []byte
}

// InviteLimits caps the invitations kept pending.
type InviteLimits struct {
	Total      int // all inviters together
	PerInviter int // one inviter
}

// Why PutRoomInvite keeps no more invitations.
var (
	ErrTooManyInvites     = errors.New("storage: too many pending invitations")
	ErrTooManyInvitesFrom = errors.New("storage: too many pending invitations from this colleague")
)

const roomInviteColumns = `id, room, inviter, name, key, received_at, add_op`

// PutRoomInvite keeps an invitation pending. A repeat for the same room and
// inviter replaces the earlier one (name, key and time) and is always kept;
// a new one beyond lim fails with ErrTooManyInvitesFrom or
// ErrTooManyInvites. The count and the insert are one transaction, so
// invitations arriving at once cannot overshoot.
func (s *Store) PutRoomInvite(ctx context.Context, inv RoomInvite, lim InviteLimits) (replaced bool, err error) {
	if inv.ID == "" || inv.Room == "" || inv.Inviter == "" {
		return false, errors.New("storage: put room invite: empty id, room or inviter")
	}
	at := inv.At
	if at.IsZero() {
		at = now()
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE room_invites SET name = ?, key = ?, received_at = ?, add_op = ?
			WHERE room = ? AND inviter = ?`, inv.Name, inv.Key[:], toMillis(at), inv.AddOp, inv.Room, inv.Inviter)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			replaced = n > 0
			return err
		}
		var total, from int
		if err := tx.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE inviter = ?) FROM room_invites`,
			inv.Inviter).Scan(&total, &from); err != nil {
			return err
		}
		switch {
		case from >= lim.PerInviter:
			return fmt.Errorf("%w (%d)", ErrTooManyInvitesFrom, from)
		case total >= lim.Total:
			return fmt.Errorf("%w (%d)", ErrTooManyInvites, total)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO room_invites (`+roomInviteColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			inv.ID, inv.Room, inv.Inviter, inv.Name, inv.Key[:], toMillis(at), inv.AddOp)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("storage: put room invite %s: %w", inv.ID, err)
	}
	return replaced, nil
}

// RoomInvites lists the pending invitations, oldest first.
func (s *Store) RoomInvites(ctx context.Context) ([]RoomInvite, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+roomInviteColumns+` FROM room_invites ORDER BY received_at, id`)
	if err != nil {
		return nil, fmt.Errorf("storage: list room invites: %w", err)
	}
	return scanAll(rows, "list room invites", scanRoomInvite)
}

// RoomInvite returns a pending invitation by id; ok is false if none.
func (s *Store) RoomInvite(ctx context.Context, id string) (RoomInvite, bool, error) {
	inv, err := scanRoomInvite(s.reader.QueryRowContext(ctx, `SELECT `+roomInviteColumns+` FROM room_invites WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return RoomInvite{}, false, nil
	}
	if err != nil {
		return RoomInvite{}, false, fmt.Errorf("storage: read room invite %s: %w", id, err)
	}
	return inv, true, nil
}

// DeleteRoomInvite drops a pending invitation and its key; false if there
// was none.
func (s *Store) DeleteRoomInvite(ctx context.Context, id string) (bool, error) {
	res, err := s.writer.ExecContext(ctx, `DELETE FROM room_invites WHERE id = ?`, id)
	if err != nil {
		return false, fmt.Errorf("storage: delete room invite %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// DeleteRoomInvitesFor drops every pending invitation to a room (it was
// joined) and returns them.
func (s *Store) DeleteRoomInvitesFor(ctx context.Context, room string) ([]RoomInvite, error) {
	rows, err := s.writer.QueryContext(ctx, `DELETE FROM room_invites WHERE room = ? RETURNING `+roomInviteColumns, room)
	if err != nil {
		return nil, fmt.Errorf("storage: delete room invites of %s: %w", room, err)
	}
	return scanAll(rows, "delete room invites of "+room, scanRoomInvite)
}

func scanRoomInvite(sc scanner) (RoomInvite, error) {
	var (
		inv RoomInvite
		key []byte
		at  int64
	)
	if err := sc.Scan(&inv.ID, &inv.Room, &inv.Inviter, &inv.Name, &key, &at, &inv.AddOp); err != nil {
		return RoomInvite{}, err
	}
	if len(key) != len(inv.Key) {
		return RoomInvite{}, fmt.Errorf("room invite %s: stored key is %d bytes, want %d", inv.ID, len(key), len(inv.Key))
	}
	copy(inv.Key[:], key)
	inv.At = fromMillis(at)
	return inv, nil
}
