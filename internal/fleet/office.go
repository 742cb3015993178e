package fleet

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"hallway/internal/netlab"
)

// Office starts one daemon per name, daemon i on lab host i, each with
// args, and waits until the first lists every other one online by name.
func Office(t testing.TB, lab *netlab.Lab, names []string, args ...string) []*Daemon {
	t.Helper()
	ds := make([]*Daemon, len(names))
	for i, n := range names {
		ds[i] = New(t, lab.Host(i+1), n, args...)
	}
	StartAll(t, ds)
	WaitMesh(t, ds, 30*time.Second)
	return ds
}

// StartAll starts daemons in parallel.
func StartAll(t testing.TB, ds []*Daemon) {
	t.Helper()
	errs := make([]error, len(ds))
	var wg sync.WaitGroup
	for i, d := range ds {
		wg.Go(func() { errs[i] = d.StartErr() })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// WaitMesh waits until every daemon lists every other one online by name.
func WaitMesh(t testing.TB, ds []*Daemon, timeout time.Duration) {
	t.Helper()
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.ID()
	}
	for i, d := range ds {
		d.WaitFor("every colleague online", timeout, func() bool {
			seen := map[string]bool{}
			for _, c := range d.Peers() {
				if c.Online {
					seen[c.PeerID+"\x00"+c.Name] = true
				}
			}
			for j, o := range ds {
				if j != i && !seen[ids[j]+"\x00"+o.Name] {
					return false
				}
			}
			return true
		})
	}
}

// Room has the first daemon create room name and invite every other one,
// each of which accepts, and waits until each counts all of them as
// members.
func Room(t testing.TB, ds []*Daemon, name string) {
	t.Helper()
	ds[0].CLI("room", "create", name)
	from := ds[0].ID()
	for _, d := range ds[1:] {
		ds[0].CLI("room", "invite", "#"+name, d.ID())
	}
	for _, d := range ds[1:] {
		d.AcceptInvitation(name, from, 30*time.Second)
	}
	for _, d := range ds {
		d.WaitFor("all members in #"+name, 30*time.Second, func() bool { return d.Members("#"+name) == len(ds) })
	}
}

// ManyRooms has a create n rooms and b join each of them with its code (a
// user's consent), and returns their ids.
func ManyRooms(t testing.TB, a, b *Daemon, n int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	ac, bc := a.Client(), b.Client()
	ids := make([]string, 0, n)
	for i := range n {
		r, err := ac.CreateRoom(ctx, fmt.Sprintf("many %03d", i))
		if err != nil {
			t.Fatalf("%s: create room %d: %v", a.Name, i, err)
		}
		code, err := ac.RoomInviteCode(ctx, "room:"+r.ID)
		if err != nil {
			t.Fatalf("%s: room code: %v", a.Name, err)
		}
		if _, err := bc.JoinRoomCode(ctx, code); err != nil {
			t.Fatalf("%s: join room %d: %v", b.Name, i, err)
		}
		ids = append(ids, r.ID)
	}
	return ids
}

// PrivateOffice starts daemons on the first hosts of lab in one private
// workspace: the first creates it (and is its first admin), the others
// join with its invite code, all through the CLI before any runs.
func PrivateOffice(t testing.TB, lab *netlab.Lab, names []string, args ...string) (ds []*Daemon, code string) {
	t.Helper()
	ds = make([]*Daemon, len(names))
	for i, n := range names {
		ds[i] = New(t, lab.Host(i+1), n, args...)
	}
	created := Decode[map[string]any](t, ds[0].CLI("workspace", "create", "--json"))
	code, _ = created["invite_code"].(string)
	for _, d := range ds[1:] {
		d.CLI("workspace", "join", code)
	}
	StartAll(t, ds)
	WaitMesh(t, ds, 60*time.Second)
	return ds, code
}
