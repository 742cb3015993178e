package records

import (
	"errors"
	"sync"
	"testing"

	"hallway/chat"
	"hallway/policy"
	"hallway/storage"
)

type fakeWorkspace struct {
	mu  sync.Mutex
	doc policy.Document
}

func (w *fakeWorkspace) Governed() bool { return true }

func (w *fakeWorkspace) WorkspaceRoomID() string { return "" }

func (w *fakeWorkspace) WorkspacePolicy() policy.Document {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.doc
}

// apply makes doc the policy in force after prev, as the workspace room's
// replay does.
func (w *fakeWorkspace) apply(t *testing.T, k *Keeper, doc policy.Document) {
	t.Helper()
	w.mu.Lock()
	prev := w.doc
	w.doc = doc
	w.mu.Unlock()
	if err := k.ApplyWorkspacePolicy(t.Context(), prev, doc); err != nil {
		t.Fatal(err)
	}
}

func policies(t *testing.T, k *Keeper) map[string]int {
	t.Helper()
	st, err := k.Retention(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, p := range st.Policies {
		out[p.Scope] = p.Days
	}
	return out
}

// The workspace policy's retention becomes the node's, a user cannot
// change what it governs, and a later version replaces what it set.
func TestWorkspacePolicyGovernsRetention(t *testing.T) {
	w := newWorld(t)
	ws := &fakeWorkspace{}
	w.k.deps.Workspace = ws
	room := chat.RoomConv("r1").String()

	ws.apply(t, w.k, policy.Document{Version: 1, Retention: policy.Retention{WorkspaceDays: 90, RoomDays: map[string]int{"r1": 7}}})
	if got := policies(t, w.k); got[storage.ScopeWorkspace] != 90 || got[room] != 7 {
		t.Fatalf("after version 1: %v", got)
	}
	if !kicked(w.k) {
		t.Fatal("no sweep after the policy changed retention")
	}
	var ue *chat.UserError
	for _, in := range []string{"", "#project"} {
		if _, err := w.k.SetRetention(t.Context(), in, 3650); !errors.As(err, &ue) {
			t.Fatalf("a user changed retention the policy governs (%q): %v", in, err)
		}
	}
	// What the policy leaves alone stays the user's.
	if _, err := w.k.SetRetention(t.Context(), "Bob", 30); err != nil {
		t.Fatal(err)
	}

	ws.apply(t, w.k, policy.Document{Version: 2, Retention: policy.Retention{WorkspaceDays: 30}})
	got := policies(t, w.k)
	if got[storage.ScopeWorkspace] != 30 {
		t.Fatalf("after version 2: %v", got)
	}
	if _, still := got[room]; still {
		t.Fatalf("the room rule version 2 dropped is still applied: %v", got)
	}
	if _, err := w.k.SetRetention(t.Context(), "#project", 5); err != nil {
		t.Fatalf("the room is the user's again: %v", err)
	}
}

// The policy's legal holds become the node's; nobody releases or places
// one locally in a workspace with admins; a hold the next version drops
// is released.
func TestWorkspacePolicyPlacesAndReleasesHolds(t *testing.T) {
	w := newWorld(t)
	ws := &fakeWorkspace{}
	w.k.deps.Workspace = ws
	room := chat.RoomConv("r1").String()
	held := func() map[string]string {
		t.Helper()
		st, err := w.k.Retention(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, h := range st.Holds {
			out[h.Scope] = h.Reason
		}
		return out
	}
	ws.apply(t, w.k, policy.Document{Version: 1, Holds: map[string]string{policy.HoldWorkspace: "audit 2026", "r1": "case 12"}})
	if got := held(); len(got) != 2 || got[storage.ScopeWorkspace] != "audit 2026" || got[room] != "case 12" {
		t.Fatalf("holds after version 1: %v", got)
	}
	st, _ := w.k.Retention(t.Context())
	var ue *chat.UserError
	if _, err := w.k.ReleaseHold(t.Context(), st.Holds[0].ID); !errors.As(err, &ue) {
		t.Fatalf("a user released the policy's hold: %v", err)
	}
	if _, err := w.k.PlaceHold(t.Context(), "", "mine"); !errors.As(err, &ue) {
		t.Fatalf("a user placed a hold in a workspace with admins: %v", err)
	}
	// The same holds again change nothing; dropping one releases it.
	ws.apply(t, w.k, policy.Document{Version: 2, Holds: map[string]string{policy.HoldWorkspace: "audit 2026", "r1": "case 12"}})
	if got := held(); len(got) != 2 {
		t.Fatalf("holds after version 2: %v", got)
	}
	ws.apply(t, w.k, policy.Document{Version: 3, Holds: map[string]string{"r1": "case 12"}})
	if got := held(); len(got) != 1 || got[room] != "case 12" {
		t.Fatalf("holds after version 3: %v", got)
	}
	if !kicked(w.k) {
		t.Fatal("no sweep after a hold was released")
	}
}
