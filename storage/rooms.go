package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"hallway/chat"
)

// Room is a group conversation this node has joined, now or in the past. Its
// messages live in conversation RoomConv(ID).
type Room struct {
	ID          string
	Name        string
	Key         [32]byte // the room's shared secret
	General     bool     // the office-wide room every node is in
	CreatedAt   time.Time
	JoinedAt    time.Time // when this node last joined
	Left        bool      // this node has left and no longer takes part
	LastReadHLC uint64    // clock of the newest message the user has seen
}

// ErrNoRoom is returned (wrapped) by operations on a room that is not stored.
var ErrNoRoom = errors.New("storage: no such room")

// RoomConv is the conversation id of a room's messages.
func RoomConv(id string) string { return chat.RoomConv(id).String() }

const roomColumns = `id, name, key, general, created_at, joined_at, left_at, last_read_hlc`

// UpsertRoom stores a room this node is joining. A new room is inserted
// (zero CreatedAt or JoinedAt mean now). A known one is rejoined: its key and
// JoinedAt are replaced, its name too unless r.Name is empty, and it is no
// longer left; CreatedAt, General and LastReadHLC stay as stored, so that
// rejoining does not bring back as unread what was read before leaving.
func (s *Store) UpsertRoom(ctx context.Context, r Room) error {
	if r.ID == "" {
		return errors.New("storage: upsert room: empty room id")
	}
	if r.LastReadHLC > math.MaxInt64 {
		return fmt.Errorf("storage: upsert room %s: last read clock out of range", r.ID)
	}
	t := now()
	joined := t
	if !r.JoinedAt.IsZero() {
		joined = r.JoinedAt
	}
	created := joined
	if !r.CreatedAt.IsZero() {
		created = r.CreatedAt
	}
	_, err := s.writer.ExecContext(ctx, `
		INSERT INTO rooms (id, name, key, general, created_at, joined_at, left_at, last_read_hlc)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7)
		ON CONFLICT (id) DO UPDATE SET
			name      = CASE WHEN ?2 = '' THEN rooms.name ELSE ?2 END,
			key       = ?3,
			joined_at = ?6,
			left_at   = 0`,
		r.ID, r.Name, r.Key[:], r.General, toMillis(created), toMillis(joined), int64(r.LastReadHLC))
	if err != nil {
		return fmt.Errorf("storage: upsert room %s: %w", r.ID, err)
	}
	return nil
}

// Room returns the stored room with the given id; ok is false if unknown.
func (s *Store) Room(ctx context.Context, id string) (Room, bool, error) {
	row := s.reader.QueryRowContext(ctx, `SELECT `+roomColumns+` FROM rooms WHERE id = ?`, id)
	r, err := scanRoom(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Room{}, false, nil
	}
	if err != nil {
		return Room{}, false, fmt.Errorf("storage: read room %s: %w", id, err)
	}
	return r, true, nil
}

// Rooms lists the rooms this node is in (and, with includeLeft, those it
// left): the general room first, then by name ignoring case, then by id so
// that rooms sharing a name keep a stable order.
func (s *Store) Rooms(ctx context.Context, includeLeft bool) ([]Room, error) {
	rows, err := s.reader.QueryContext(ctx, `
		SELECT `+roomColumns+` FROM rooms WHERE ?1 OR left_at = 0
		ORDER BY general DESC, name COLLATE NOCASE, name, id`, includeLeft)
	if err != nil {
		return nil, fmt.Errorf("storage: list rooms: %w", err)
	}
	return scanAll(rows, "list rooms", scanRoom)
}

// LeaveRoom records that this node left the room. The room, its key and its
// history stay stored; leaving again keeps the time of the first leave.
func (s *Store) LeaveRoom(ctx context.Context, id string) error {
	res, err := s.writer.ExecContext(ctx,
		`UPDATE rooms SET left_at = CASE WHEN left_at = 0 THEN ? ELSE left_at END WHERE id = ?`,
		toMillis(now()), id)
	if err := updatedOne(res, err, ErrNoRoom); err != nil {
		return fmt.Errorf("storage: leave room %s: %w", id, err)
	}
	return nil
}

// MarkRoomRead moves the room's read marker forward to hlc; a marker older
// than the stored one changes nothing.
func (s *Store) MarkRoomRead(ctx context.Context, id string, hlc uint64) error {
	if hlc > math.MaxInt64 {
		return fmt.Errorf("storage: mark room %s read: clock out of range", id)
	}
	res, err := s.writer.ExecContext(ctx,
		`UPDATE rooms SET last_read_hlc = max(last_read_hlc, ?) WHERE id = ?`, int64(hlc), id)
	if err := updatedOne(res, err, ErrNoRoom); err != nil {
		return fmt.Errorf("storage: mark room %s read: %w", id, err)
	}
	return nil
}

const unreadCountSQL = `
	SELECT count(*) FROM rooms r
	JOIN messages m ON m.conv = ?2 AND m.hlc > r.last_read_hlc
	WHERE r.id = ?1 AND m.kind IN (?3, 'reply') AND m.author <> ?4`

// UnreadCount counts the text messages (and replies) of the room newer than its read
// marker that were written by someone other than self. Joins, leaves and
// invites are announcements, not conversation, so they never count. An
// unknown room has none.
func (s *Store) UnreadCount(ctx context.Context, id, self string) (int, error) {
	var n int
	err := s.stmts.unreadCount.QueryRowContext(ctx, id, RoomConv(id), KindText, self).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("storage: unread count of room %s: %w", id, err)
	}
	return n, nil
}

// Member is a peer currently in a room, as the room's log last announced it.
type Member struct {
	Peer string
	Name string
	HLC  uint64 // clock of the join that made it a member
}

const roomMembersSQL = `
	SELECT peer, name, hlc FROM room_members WHERE room = ? AND member = 1
	ORDER BY name COLLATE NOCASE, name, peer`

// RoomMembers lists the room's current members by name, ignoring case, then
// peer ID, as the joins and leaves stored so far have it.
func (s *Store) RoomMembers(ctx context.Context, room string) ([]Member, error) {
	rows, err := s.stmts.roomMembers.QueryContext(ctx, room)
	if err != nil {
		return nil, fmt.Errorf("storage: members of room %s: %w", room, err)
	}
	return scanAll(rows, "members of room "+room, func(sc scanner) (Member, error) {
		var m Member
		var hlc int64
		err := sc.Scan(&m.Peer, &m.Name, &hlc)
		m.HLC = uint64(hlc)
		return m, err
	})
}

const roomMemberCountSQL = `SELECT count(*) FROM room_members WHERE room = ? AND member = 1`

// RoomMemberCount is how many members RoomMembers lists, counted without
// reading and ordering them: a room's summary, given again at every change
// of its membership, needs no more.
func (s *Store) RoomMemberCount(ctx context.Context, room string) (int, error) {
	var n int
	if err := s.stmts.roomMemberCount.QueryRowContext(ctx, room).Scan(&n); err != nil {
		return 0, fmt.Errorf("storage: count members of room %s: %w", room, err)
	}
	return n, nil
}

func scanRoom(sc scanner) (Room, error) {
	var (
		r                     Room
		key                   []byte
		created, joined, left int64
		lastRead              int64
	)
	if err := sc.Scan(&r.ID, &r.Name, &key, &r.General, &created, &joined, &left, &lastRead); err != nil {
		return Room{}, err
	}
	if len(key) != len(r.Key) {
		return Room{}, fmt.Errorf("room %s: stored key is %d bytes, want %d", r.ID, len(key), len(r.Key))
	}
	copy(r.Key[:], key)
	r.CreatedAt = fromMillis(created)
	r.JoinedAt = fromMillis(joined)
	r.Left = left != 0
	r.LastReadHLC = uint64(lastRead)
	return r, nil
}
