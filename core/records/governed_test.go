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
