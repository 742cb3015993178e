package rooms

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"hallway/storage"
)

// fakeInvites keeps pending invitations in memory, as storage.Store would,
// limits included.
type fakeInvites struct {
	mu   sync.Mutex // guards byID
	byID map[string]storage.RoomInvite
}

func (f *fakeInvites) PutRoomInvite(_ context.Context, inv storage.RoomInvite, lim storage.InviteLimits) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.byID == nil {
		f.byID = map[string]storage.RoomInvite{}
	}
	if inv.At.IsZero() {
		inv.At = time.Now()
	}
	from := 0
	for id, old := range f.byID {
		if old.Room == inv.Room && old.Inviter == inv.Inviter {
			inv.ID = id
			f.byID[id] = inv
			return true, nil
		}
		if old.Inviter == inv.Inviter {
			from++
		}
	}
	switch {
	case from >= lim.PerInviter:
		return false, fmt.Errorf("%w (%d)", storage.ErrTooManyInvitesFrom, from)
	case len(f.byID) >= lim.Total:
		return false, fmt.Errorf("%w (%d)", storage.ErrTooManyInvites, len(f.byID))
	}
	f.byID[inv.ID] = inv
	return false, nil
}

func (f *fakeInvites) RoomInvites(context.Context) ([]storage.RoomInvite, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []storage.RoomInvite
	for _, inv := range f.byID {
		out = append(out, inv)
	}
	slices.SortFunc(out, func(a, b storage.RoomInvite) int { return a.At.Compare(b.At) })
	return out, nil
}

func (f *fakeInvites) RoomInvite(_ context.Context, id string) (storage.RoomInvite, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	inv, ok := f.byID[id]
	return inv, ok, nil
}

func (f *fakeInvites) DeleteRoomInvite(_ context.Context, id string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.byID[id]
	delete(f.byID, id)
	return ok, nil
}

func (f *fakeInvites) DeleteRoomInvitesFor(_ context.Context, room string) ([]storage.RoomInvite, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []storage.RoomInvite
	for id, inv := range f.byID {
		if inv.Room == room {
			out = append(out, inv)
			delete(f.byID, id)
		}
	}
	return out, nil
}

// pending is how many invitations wait.
func (f *fakeInvites) pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.byID)
}
