package e2e

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// ownReceipts is what `hallway history #ROOM --json` on d says of d's own
// message with text; ok is false while it has no receipts.
func ownReceipts(t *testing.T, d *fleet.Daemon, room, text string) (chat.Receipts, bool) {
	t.Helper()
	out, err := d.CLIErr("history", room, "--json")
	if err != nil {
		return chat.Receipts{}, false
	}
	var msgs []chat.Message
	if err := json.Unmarshal([]byte(out), &msgs); err != nil {
		t.Fatalf("%s: history --json: %v", d.Name, err)
	}
	for _, m := range msgs {
		if m.Text == text && m.Outgoing && m.Receipts != nil {
			return *m.Receipts, true
		}
	}
	return chat.Receipts{}, false
}

// Four members; Dan is cut off when Ann posts. Bob and Cat hold the post
// at once and say so; Bob opens the room (read), Cat has read receipts
// off and opens it too (delivered, never read). After the heal Dan gets
// the post by sync, says he holds it, and reads it: Ann's counts end at
// delivered 3 of 3, read by 2 (Bob, Dan), in `history --json`.
func TestRoomReceiptsAfterPartition(t *testing.T) {
	lab := netlab.New(t, 4)
	ds := fleet.Office(t, lab, []string{"Ann", "Bob", "Cat", "Dan"})
	ann, bob, cat, dan := ds[0], ds[1], ds[2], ds[3]
	fleet.Room(t, ds, "ops")
	cat.CLI("settings", "read-receipts", "off")

	if err := lab.Cut(4); err != nil {
		t.Fatal(err)
	}
	const text = "the release is out"
	ann.CLI("room", "send", "#ops", text)
	var last chat.Receipts
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("Ann's receipts last: %+v", last)
		}
	})
	counts := func(want func(r chat.Receipts) bool) func() bool {
		return func() bool {
			r, ok := ownReceipts(t, ann, "#ops", text)
			last = r
			return ok && want(r)
		}
	}
	ann.WaitFor("delivered to Bob and Cat", 90*time.Second, counts(func(r chat.Receipts) bool {
		return r.Members == 3 && r.Delivered == 2 && slices.Equal(sorted(r.DeliveredTo), []string{"Bob", "Cat"})
	}))
	for _, d := range []*fleet.Daemon{bob, cat} {
		d.History("#ops") // opening the room reads it
	}
	ann.WaitFor("read by Bob (Cat shares no read position)", 90*time.Second, counts(func(r chat.Receipts) bool {
		return r.Read == 1 && slices.Equal(r.ReadBy, []string{"Bob"})
	}))
	if r, _ := ownReceipts(t, ann, "#ops", text); r.Delivered != 2 {
		t.Fatalf("delivered to %d while Dan is cut off", r.Delivered)
	}

	if err := lab.Heal(4); err != nil {
		t.Fatal(err)
	}
	dan.WaitFor("Ann's post after the heal", 120*time.Second, func() bool {
		for _, m := range dan.History("#ops") {
			if m.Text == text {
				return true
			}
		}
		return false
	})
	ann.WaitFor("delivered to all 3 and read by Bob and Dan", 120*time.Second, counts(func(r chat.Receipts) bool {
		return r.Members == 3 && r.Delivered == 3 && r.Read == 2 && slices.Equal(sorted(r.ReadBy), []string{"Bob", "Dan"})
	}))
}

// sorted is names in order (receipts list members by peer id).
func sorted(names []string) []string { return slices.Sorted(slices.Values(names)) }
