package records

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"hallway/chat"
	"hallway/storage"
)

// RetentionInherit, as the days of a conversation's policy, removes its own
// policy so that it follows the workspace's again.
const RetentionInherit = -1

// RetentionPolicy says how long one scope keeps its messages.
type RetentionPolicy struct {
	Scope        string    `json:"scope"`                  // "workspace", or the conversation id ("room:…", "dm:…")
	Conversation string    `json:"conversation,omitempty"` // "#name" or the colleague's peer ID
	Name         string    `json:"name,omitempty"`         // room or colleague name
	Days         int       `json:"days"`                   // 0 keeps forever
	UpdatedAt    time.Time `json:"updated_at"`
}

// LegalHold suspends deletion in its scope until released.
type LegalHold struct {
	ID           string    `json:"id"`
	Scope        string    `json:"scope"`
	Conversation string    `json:"conversation,omitempty"`
	Name         string    `json:"name,omitempty"`
	Reason       string    `json:"reason"`
	CreatedAt    time.Time `json:"created_at"`
	ReleasedAt   time.Time `json:"released_at,omitzero"`
}

// RetentionStatus is the whole retention set-up.
type RetentionStatus struct {
	WorkspaceDays int               `json:"workspace_days"` // 0 keeps forever
	Policies      []RetentionPolicy `json:"policies"`       // the workspace's, then per conversation
	Holds         []LegalHold       `json:"holds"`          // in force
	LastSweep     *chat.SweepResult `json:"last_sweep,omitempty"`
	SweepEvery    string            `json:"sweep_every"`
}

const (
	settingLastSweep = "retention.last_sweep"
	// maxHoldReason bounds a hold's reason.
	maxHoldReason = 500
)

// Retention describes the policies, the holds in force and the last sweep.
func (k *Keeper) Retention(ctx context.Context) (RetentionStatus, error) {
	st := RetentionStatus{Policies: []RetentionPolicy{}, Holds: []LegalHold{}, SweepEvery: k.cfg.SweepEvery.String()}
	names, err := k.conversationNames(ctx)
	if err != nil {
		return st, err
	}
	ps, err := k.deps.Store.RetentionPolicies(ctx)
	if err != nil {
		return st, err
	}
	for _, p := range ps {
		if p.Scope == storage.ScopeWorkspace {
			st.WorkspaceDays = p.Days
		}
		rp := RetentionPolicy{Scope: p.Scope, Days: p.Days, UpdatedAt: p.UpdatedAt}
		rp.Conversation, rp.Name = scopeNames(names, p.Scope)
		st.Policies = append(st.Policies, rp)
	}
	holds, err := k.deps.Store.LegalHolds(ctx, false)
	if err != nil {
		return st, err
	}
	for _, h := range holds {
		st.Holds = append(st.Holds, toHold(names, h))
	}
	if v, ok, err := k.deps.Store.Setting(ctx, settingLastSweep); err == nil && ok {
		var last chat.SweepResult
		if json.Unmarshal([]byte(v), &last) == nil {
			st.LastSweep = &last
		}
	}
	return st, nil
}

func scopeNames(names *nameBook, scope string) (ref, name string) {
	if scope == storage.ScopeWorkspace {
		return "", ""
	}
	c := names.of(scope)
	return c.ref, c.name
}

func toHold(names *nameBook, h storage.LegalHold) LegalHold {
	out := LegalHold{ID: h.ID, Scope: h.Scope, Reason: h.Reason, CreatedAt: h.CreatedAt, ReleasedAt: h.ReleasedAt}
	out.Conversation, out.Name = scopeNames(names, h.Scope)
	return out
}

// retentionScope maps "" to the workspace and anything else to the
// conversation it names.
func (k *Keeper) retentionScope(ctx context.Context, in string) (string, error) {
	in = strings.TrimSpace(in)
	if in == "" || strings.EqualFold(in, storage.ScopeWorkspace) {
		return storage.ScopeWorkspace, nil
	}
	c, err := k.resolveConversation(ctx, in)
	if err != nil {
		return "", err
	}
	return c.conv, nil
}

// SetRetention sets how many days the messages of a conversation (in) or,
// with in empty, of the whole workspace are kept; 0 keeps them forever.
// For a conversation, RetentionInherit makes it follow the workspace's
// policy again. Deletion follows at once, unless a legal hold forbids it.
func (k *Keeper) SetRetention(ctx context.Context, in string, days int) (RetentionStatus, error) {
	scope, err := k.retentionScope(ctx, in)
	if err != nil {
		return RetentionStatus{}, err
	}
	if k.deps.Workspace != nil && governed(k.deps.Workspace.WorkspacePolicy(), scope) {
		return RetentionStatus{}, chat.UserErrorf("the workspace policy sets how long %s is kept; an admin changes it (hallway policy set retention.days N)", scopeLabel(scope))
	}
	switch {
	case days == RetentionInherit:
		err = k.deps.Store.ClearRetention(ctx, scope)
	case days < 0 || days > storage.MaxRetentionDays:
		return RetentionStatus{}, chat.UserErrorf("keep messages 0 (forever) to %d days", storage.MaxRetentionDays)
	default:
		err = k.deps.Store.SetRetention(ctx, scope, days)
	}
	if err != nil {
		return RetentionStatus{}, fmt.Errorf("set retention: %w", err)
	}
	k.deps.Log.Info("retention policy changed", "scope", scope, "days", days)
	k.sweeper.kick()
	return k.Retention(ctx)
}

// PlaceHold suspends deletion in a conversation (in) or, with in empty,
// in the whole workspace, until the hold is released.
func (k *Keeper) PlaceHold(ctx context.Context, in, reason string) (LegalHold, error) {
	if k.governed() {
		return LegalHold{}, errAdminsHold
	}
	scope, err := k.retentionScope(ctx, in)
	if err != nil {
		return LegalHold{}, err
	}
	reason = strings.TrimSpace(reason)
	if len(reason) > maxHoldReason || strings.ContainsFunc(reason, func(r rune) bool { return r < 0x20 }) {
		return LegalHold{}, chat.UserErrorf("a hold's reason is one line of at most %d bytes", maxHoldReason)
	}
	h := storage.LegalHold{ID: newHoldID(), Scope: scope, Reason: reason, CreatedAt: time.Now()}
	if err := k.deps.Store.PlaceHold(ctx, h); err != nil {
		return LegalHold{}, fmt.Errorf("place hold: %w", err)
	}
	k.deps.Log.Info("legal hold placed", "id", h.ID, "scope", scope)
	names, err := k.conversationNames(ctx)
	if err != nil {
		return LegalHold{}, err
	}
	return toHold(names, h), nil
}

// newHoldID is "hold-" and twelve random hex digits.
func newHoldID() string {
	var b [6]byte
	rand.Read(b[:])
	return "hold-" + hex.EncodeToString(b[:])
}

// ReleaseHold ends a legal hold; deletion that was due resumes at once.
func (k *Keeper) ReleaseHold(ctx context.Context, id string) (LegalHold, error) {
	if k.governed() || strings.HasPrefix(strings.TrimSpace(id), policyHoldPrefix) {
		return LegalHold{}, errAdminsHold
	}
	h, err := k.deps.Store.ReleaseHold(ctx, strings.TrimSpace(id))
	if errors.Is(err, storage.ErrNoHold) {
		return LegalHold{}, chat.UserErrorf("no legal hold %q is in force (hallway retention show lists them)", id)
	}
	if err != nil {
		return LegalHold{}, fmt.Errorf("release hold: %w", err)
	}
	k.deps.Log.Info("legal hold released", "id", h.ID, "scope", h.Scope)
	k.sweeper.kick()
	names, err := k.conversationNames(ctx)
	if err != nil {
		return LegalHold{}, err
	}
	return toHold(names, h), nil
}

// ApplyRetention deletes now what the policies say is due.
func (k *Keeper) ApplyRetention(ctx context.Context) (chat.SweepResult, error) {
	return k.sweeper.sweep(ctx)
}
