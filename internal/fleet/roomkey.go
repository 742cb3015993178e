package fleet

import (
	"context"
	"strings"

	hcrypto "hallway/crypto"
	"hallway/storage"
)

// RoomSecret is what an insider holds of d's room ref (#name or room:ID):
// its id and key, read from d's database, which SQLite shares with the
// running daemon. Room codes carry no key to read it from.
func (d *Daemon) RoomSecret(ref string) (string, hcrypto.RoomKey) {
	d.T.Helper()
	ctx, st, done := d.openStore()
	defer done()
	rooms, err := st.Rooms(ctx, false)
	if err != nil {
		d.T.Fatalf("%s: rooms: %v", d.Name, err)
	}
	for _, r := range rooms {
		if "#"+r.Name == ref || "room:"+r.ID == ref || r.ID == ref {
			return r.ID, hcrypto.RoomKey(r.Key)
		}
	}
	d.T.Fatalf("%s: no room %s", d.Name, strings.TrimSpace(ref))
	return "", hcrypto.RoomKey{}
}

// EpochKeys are the keys d holds for one epoch of a room (room id), read
// from its database: what an insider of that epoch holds.
func (d *Daemon) EpochKeys(room string, epoch uint64) []hcrypto.RoomKey {
	d.T.Helper()
	ctx, st, done := d.openStore()
	defer done()
	keys, err := st.RoomEpochKeys(ctx, room)
	if err != nil {
		d.T.Fatalf("%s: epoch keys: %v", d.Name, err)
	}
	var out []hcrypto.RoomKey
	for _, k := range keys {
		if k.Epoch == epoch {
			out = append(out, hcrypto.RoomKey(k.Key))
		}
	}
	return out
}

// openStore opens d's database beside the running daemon, for reading.
func (d *Daemon) openStore() (context.Context, *storage.Store, func()) {
	d.T.Helper()
	ctx, cancel := apiCtx()
	st, err := storage.Open(ctx, d.DBPath())
	if err != nil {
		cancel()
		d.T.Fatalf("%s: open database: %v", d.Name, err)
	}
	return ctx, st, func() { st.Close(); cancel() }
}
