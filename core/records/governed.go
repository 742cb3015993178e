package records

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"hallway/chat"
	"hallway/policy"
	"hallway/storage"
)

// A private workspace's signed policy (core/rooms/workspace.go) may set
// retention for the whole workspace and for rooms. Every node keeps those
// periods as its own retention policies, and refuses a user's change to a
// scope the workspace policy governs: only an admin changes it, with a
// new policy version.

// Workspace is the workspace policy in force; nil: none.
type Workspace interface {
	WorkspacePolicy() policy.Document
	// Governed reports a workspace with admins: its legal holds are
	// theirs to place and release, through the policy.
	Governed() bool
	// WorkspaceRoomID is the workspace room's id ("" for none): exports
	// mark it, so verify-export replays its log by the workspace's rules.
	WorkspaceRoomID() string
}

// policyHoldPrefix starts the id of a hold the workspace policy placed.
const policyHoldPrefix = "policy-"

// errAdminsHold is what a user placing or releasing a hold hears in a
// workspace with admins.
var errAdminsHold = chat.UserErrorf("in this workspace legal holds are placed and released by its admins: " +
	"hallway policy set hold.workspace REASON (or hold.ROOM-ID), and hold.SCOPE none to release")

func (k *Keeper) governed() bool { return k.deps.Workspace != nil && k.deps.Workspace.Governed() }

// governed reports whether the workspace policy sets scope's retention.
func governed(doc policy.Document, scope string) bool {
	if scope == storage.ScopeWorkspace {
		return doc.Retention.WorkspaceDays > 0
	}
	for _, room := range doc.RoomRules() {
		if chat.RoomConv(room).String() == scope {
			return true
		}
	}
	return false
}

// ApplyWorkspacePolicy makes this node's retention follow a new policy
// version next, replacing what the version before (prev) had set, and
// sweeps at once.
func (k *Keeper) ApplyWorkspacePolicy(ctx context.Context, prev, next policy.Document) error {
	set := func(scope string, days int) error {
		if err := k.deps.Store.SetRetention(ctx, scope, days); err != nil {
			return fmt.Errorf("workspace retention for %s: %w", scope, err)
		}
		return nil
	}
	clear := func(scope string) error {
		if err := k.deps.Store.ClearRetention(ctx, scope); err != nil {
			return fmt.Errorf("workspace retention for %s: %w", scope, err)
		}
		return nil
	}
	if d := next.Retention.WorkspaceDays; d > 0 {
		if err := set(storage.ScopeWorkspace, d); err != nil {
			return err
		}
	} else if prev.Retention.WorkspaceDays > 0 {
		if err := clear(storage.ScopeWorkspace); err != nil {
			return err
		}
	}
	for _, room := range next.RoomRules() {
		if err := set(chat.RoomConv(room).String(), next.Retention.RoomDays[room]); err != nil {
			return err
		}
	}
	for _, room := range prev.RoomRules() {
		if _, still := next.Retention.RoomDays[room]; !still {
			if err := clear(chat.RoomConv(room).String()); err != nil {
				return err
			}
		}
	}
	if err := k.applyPolicyHolds(ctx, next); err != nil {
		return err
	}
	k.deps.Log.Info("retention follows the workspace policy", "version", next.Version,
		"workspace_days", next.Retention.WorkspaceDays, "room_rules", len(next.Retention.RoomDays))
	k.sweeper.kick()
	return nil
}

// scopeLabel names a retention scope in a sentence.
func scopeLabel(scope string) string {
	if scope == storage.ScopeWorkspace {
		return "the workspace's history"
	}
	return "this conversation"
}

// applyPolicyHolds makes the holds this node keeps for the policy the
// ones it names: a scope it holds gets a hold, one it no longer holds is
// released, and deletion that was due resumes.
func (k *Keeper) applyPolicyHolds(ctx context.Context, doc policy.Document) error {
	holds, err := k.deps.Store.LegalHolds(ctx, false)
	if err != nil {
		return fmt.Errorf("legal holds: %w", err)
	}
	want := map[string]string{}
	for _, scope := range doc.HeldScopes() {
		s := storage.ScopeWorkspace
		if scope != policy.HoldWorkspace {
			s = chat.RoomConv(scope).String()
		}
		want[s] = doc.Holds[scope]
	}
	for _, h := range holds {
		if !strings.HasPrefix(h.ID, policyHoldPrefix) {
			continue
		}
		if reason, ok := want[h.Scope]; ok && reason == h.Reason {
			delete(want, h.Scope) // in force already
			continue
		}
		if _, err := k.deps.Store.ReleaseHold(ctx, h.ID); err != nil && !errors.Is(err, storage.ErrNoHold) {
			return fmt.Errorf("release a policy hold: %w", err)
		}
	}
	for _, scope := range slices.Sorted(maps.Keys(want)) {
		h := storage.LegalHold{ID: policyHoldPrefix + strings.TrimPrefix(newHoldID(), "hold-"), Scope: scope, Reason: want[scope], CreatedAt: time.Now()}
		if err := k.deps.Store.PlaceHold(ctx, h); err != nil {
			return fmt.Errorf("place a policy hold: %w", err)
		}
	}
	return nil
}
