package fleet

import (
	"context"
	"encoding/json"
	"time"

	"hallway/chat"
	"hallway/core"
)

// Decode parses a --json output of the CLI.
func Decode[T any](t interface {
	Helper()
	Fatalf(string, ...any)
}, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return v
}

func apiCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 60*time.Second)
}

// Self is the daemon's own description (hallway id).
func (d *Daemon) Self() chat.Self {
	d.T.Helper()
	ctx, cancel := apiCtx()
	defer cancel()
	me, err := d.Client().Self(ctx)
	if err != nil {
		d.T.Fatalf("%s: id: %v", d.Name, err)
	}
	return me
}

// ID is the daemon's peer ID.
func (d *Daemon) ID() string { return d.Self().PeerID }

// Peers lists the daemon's colleagues.
func (d *Daemon) Peers() []chat.Colleague {
	d.T.Helper()
	ctx, cancel := apiCtx()
	defer cancel()
	ps, err := d.Client().Peers(ctx)
	if err != nil {
		d.T.Fatalf("%s: peers: %v", d.Name, err)
	}
	return ps
}

// Sees reports whether d lists the peer id online under name.
func (d *Daemon) Sees(id, name string) bool {
	for _, c := range d.Peers() {
		if c.PeerID == id && c.Online && c.Name == name {
			return true
		}
	}
	return false
}

// Online reports whether d has a live connection to the peer id.
func (d *Daemon) Online(id string) bool {
	for _, c := range d.Peers() {
		if c.PeerID == id && c.Online {
			return true
		}
	}
	return false
}

// History reads a whole conversation (a peer, or "#room").
func (d *Daemon) History(ref string) []chat.Message {
	d.T.Helper()
	ctx, cancel := apiCtx()
	defer cancel()
	msgs, err := d.Client().History(ctx, ref, 0, 1000000)
	if err != nil {
		d.T.Fatalf("%s: history %s: %v", d.Name, ref, err)
	}
	return msgs
}

// Stats reads the daemon's runtime and network counters.
func (d *Daemon) Stats() core.Stats {
	d.T.Helper()
	ctx, cancel := apiCtx()
	defer cancel()
	st, err := d.Client().Stats(ctx)
	if err != nil {
		d.T.Fatalf("%s: stats: %v", d.Name, err)
	}
	return st
}

// Transfer finds a transfer by id.
func (d *Daemon) Transfer(id string) (chat.Transfer, bool) {
	d.T.Helper()
	ctx, cancel := apiCtx()
	defer cancel()
	ts, err := d.Client().Transfers(ctx)
	if err != nil {
		d.T.Fatalf("%s: transfers: %v", d.Name, err)
	}
	for _, t := range ts {
		if t.ID == id {
			return t, true
		}
	}
	return chat.Transfer{}, false
}

// Members counts the members of a room as d sees them (-1 on error).
func (d *Daemon) Members(room string) int {
	ctx, cancel := apiCtx()
	defer cancel()
	ms, err := d.Client().RoomMembers(ctx, room)
	if err != nil {
		return -1
	}
	return len(ms)
}

// Invitations lists the room invitations waiting at d (nil on error).
func (d *Daemon) Invitations() []chat.RoomInvitation {
	ctx, cancel := apiCtx()
	defer cancel()
	invs, err := d.Client().RoomInvitations(ctx)
	if err != nil {
		return nil
	}
	return invs
}

// AcceptInvitation waits until d holds an invitation from the peer from to
// a room called name, accepts it as a user would (hallway room accept ID)
// and returns the room joined.
func (d *Daemon) AcceptInvitation(name, from string, timeout time.Duration) chat.Room {
	d.T.Helper()
	var id string
	d.WaitFor("an invitation to #"+name, timeout, func() bool {
		for _, inv := range d.Invitations() {
			if inv.Name == name && inv.From == from {
				id = inv.ID
				return true
			}
		}
		return false
	})
	return Decode[chat.Room](d.T, d.CLI("room", "accept", id, "--json"))
}
