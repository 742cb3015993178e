package records

import (
	"context"
	"fmt"

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
}

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
