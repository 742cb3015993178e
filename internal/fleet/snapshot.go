package fleet

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"hallway/chat"
	"hallway/storage"
)

// Snapshot is what one daemon's database holds, read after the daemon
// stopped: the file's integrity, every room's log and the DM conversations
// asked for.
type Snapshot struct {
	Name      string
	Integrity error
	Rooms     map[string]RoomLog           // by room id
	RoomNames map[string]string            // room name → id
	DMs       map[string][]storage.Message // by peer id
}

// RoomLog is one room as stored: message rows in display order and the
// number of envelopes kept to serve others.
type RoomLog struct {
	Messages  []storage.Message
	Envelopes int
}

// DBPath is the daemon's history database.
func (d *Daemon) DBPath() string { return filepath.Join(d.Dir, "hallway.db") }

// IntegrityCheck opens the stopped daemon's database and runs SQLite's
// integrity_check on it.
func (d *Daemon) IntegrityCheck(ctx context.Context) error {
	st, err := storage.Open(ctx, d.DBPath())
	if err != nil {
		return err
	}
	defer st.Close()
	return st.IntegrityCheck(ctx)
}

// Snapshot reads the stopped daemon's database: every room it was ever in,
// and the DM conversations with peers.
func (d *Daemon) Snapshot(ctx context.Context, peers ...string) (Snapshot, error) {
	if d.Running() {
		return Snapshot{}, fmt.Errorf("%s: stop the daemon before reading its database", d.Name)
	}
	st, err := storage.Open(ctx, d.DBPath())
	if err != nil {
		return Snapshot{}, err
	}
	defer st.Close()
	snap := Snapshot{Name: d.Name, Integrity: st.IntegrityCheck(ctx),
		Rooms: map[string]RoomLog{}, RoomNames: map[string]string{}, DMs: map[string][]storage.Message{}}
	rooms, err := st.Rooms(ctx, true)
	if err != nil {
		return snap, err
	}
	for _, r := range rooms {
		msgs, err := st.RoomHistory(ctx, r.ID, nil, 0)
		if err != nil {
			return snap, err
		}
		n, err := st.CountRoomEnvelopes(ctx, r.ID)
		if err != nil {
			return snap, err
		}
		snap.Rooms[r.ID] = RoomLog{Messages: msgs, Envelopes: n}
		snap.RoomNames[r.Name] = r.ID
	}
	for _, p := range slices.Compact(slices.Sorted(slices.Values(peers))) {
		msgs, err := st.History(ctx, chat.DMConv(p).String(), 0, 0)
		if err != nil {
			return snap, err
		}
		snap.DMs[p] = msgs
	}
	return snap, nil
}

// SnapshotAll stops every daemon and reads its database.
func SnapshotAll(ctx context.Context, ds []*Daemon, peers ...string) ([]Snapshot, error) {
	var out []Snapshot
	for _, d := range ds {
		d.Stop()
		s, err := d.Snapshot(ctx, peers...)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.Name, err)
		}
		out = append(out, s)
	}
	return out, nil
}
