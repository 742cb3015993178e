package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// MaxEpochKeys caps the keys kept for one epoch of a room: concurrent
// re-keys by honest members are few, and a member handing out keys in a
// loop fills no disk.
const MaxEpochKeys = 4

// EpochKey is one key of a room's epoch after the first (epoch 0 is
// Room.Key).
type EpochKey struct {
	Room    string
	Epoch   uint64
	Commit  [32]byte // crypto.RoomKey.Commitment of Key
	Key     [32]byte
	Sender  string   // the member who handed it to us; ourselves for ours
	Removed []string // peers the re-key left out
	AddedAt time.Time
}

// AddRoomEpochKey keeps k. added is false when it is kept already or the
// epoch has MaxEpochKeys keys: a kept key is never replaced.
func (s *Store) AddRoomEpochKey(ctx context.Context, k EpochKey) (added bool, err error) {
	if k.Room == "" || k.Epoch == 0 || k.Epoch > math.MaxInt64 {
		return false, errors.New("storage: add room epoch key: bad room or epoch")
	}
	removed, err := json.Marshal(append([]string{}, k.Removed...))
	if err != nil {
		return false, fmt.Errorf("storage: add room epoch key: %w", err)
	}
	at := k.AddedAt
	if at.IsZero() {
		at = now()
	}
	res, err := s.writer.ExecContext(ctx, `
		INSERT OR IGNORE INTO room_epochs (room, epoch, commit_, key, sender, removed, added_at)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
		WHERE (SELECT count(*) FROM room_epochs WHERE room = ?1 AND epoch = ?2) < ?8`,
		k.Room, int64(k.Epoch), k.Commit[:], k.Key[:], k.Sender, string(removed), toMillis(at), MaxEpochKeys)
	if err != nil {
		return false, fmt.Errorf("storage: add room epoch key: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("storage: add room epoch key: %w", err)
	}
	return n == 1, nil
}

// RoomEpochKeys lists a room's epoch keys by epoch, then commitment.
func (s *Store) RoomEpochKeys(ctx context.Context, room string) ([]EpochKey, error) {
	rows, err := s.reader.QueryContext(ctx, `
		SELECT epoch, commit_, key, sender, removed, added_at FROM room_epochs
		WHERE room = ? ORDER BY epoch, commit_`, room)
	if err != nil {
		return nil, fmt.Errorf("storage: room epoch keys: %w", err)
	}
	defer rows.Close()
	var out []EpochKey
	for rows.Next() {
		var (
			epoch, at   int64
			commit, key []byte
			removed     string
			k           = EpochKey{Room: room}
		)
		if err := rows.Scan(&epoch, &commit, &key, &k.Sender, &removed, &at); err != nil {
			return nil, fmt.Errorf("storage: room epoch keys: %w", err)
		}
		if len(commit) != 32 || len(key) != 32 || epoch <= 0 {
			return nil, fmt.Errorf("storage: room epoch keys: a malformed row for room %s", room)
		}
		k.Epoch, k.AddedAt = uint64(epoch), time.UnixMilli(at)
		copy(k.Commit[:], commit)
		copy(k.Key[:], key)
		_ = json.Unmarshal([]byte(removed), &k.Removed)
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: room epoch keys: %w", err)
	}
	return out, nil
}
