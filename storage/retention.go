package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"hallway/chat"
)

// ScopeWorkspace is the scope of the default retention policy and of a
// hold on everything; other scopes are conversation ids.
const ScopeWorkspace = "workspace"

// RetentionPolicy says how long the messages of a scope are kept.
type RetentionPolicy struct {
	Scope     string // ScopeWorkspace or a conversation id
	Days      int    // delete messages older than this many days; 0 keeps forever
	UpdatedAt time.Time
}

// LegalHold suspends deletion of its scope while it is not released.
type LegalHold struct {
	ID         string
	Scope      string // ScopeWorkspace or a conversation id
	Reason     string
	CreatedAt  time.Time
	ReleasedAt time.Time // zero while the hold is in force
}

// ErrNoHold is returned (wrapped) when releasing a hold that is not in force.
var ErrNoHold = errors.New("storage: no such legal hold in force")

// MaxRetentionDays bounds a policy (about 270 years) so that the cutoff it
// gives stays within what times can hold.
const MaxRetentionDays = 100000

func checkScope(scope string) error {
	if scope == ScopeWorkspace || chat.IsRoomConv(scope) || chat.IsDMConv(scope) {
		return nil
	}
	return fmt.Errorf("scope %q is neither %q nor a conversation", scope, ScopeWorkspace)
}

// SetRetention sets the policy of scope, replacing any earlier one.
func (s *Store) SetRetention(ctx context.Context, scope string, days int) error {
	if err := checkScope(scope); err != nil {
		return fmt.Errorf("storage: set retention: %w", err)
	}
	if days < 0 || days > MaxRetentionDays {
		return fmt.Errorf("storage: set retention of %s: %d days is outside 0..%d", scope, days, MaxRetentionDays)
	}
	_, err := s.writer.ExecContext(ctx, `
		INSERT INTO retention_policies (scope, days, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (scope) DO UPDATE SET days = excluded.days, updated_at = excluded.updated_at`,
		scope, days, toMillis(now()))
	if err != nil {
		return fmt.Errorf("storage: set retention of %s: %w", scope, err)
	}
	return nil
}

// ClearRetention removes the policy of scope: a conversation then follows
// the workspace's, and the workspace keeps everything.
func (s *Store) ClearRetention(ctx context.Context, scope string) error {
	if _, err := s.writer.ExecContext(ctx, `DELETE FROM retention_policies WHERE scope = ?`, scope); err != nil {
		return fmt.Errorf("storage: clear retention of %s: %w", scope, err)
	}
	return nil
}

// RetentionPolicies lists every policy set, the workspace's first.
func (s *Store) RetentionPolicies(ctx context.Context) ([]RetentionPolicy, error) {
	rows, err := s.reader.QueryContext(ctx, `
		SELECT scope, days, updated_at FROM retention_policies
		ORDER BY scope <> 'workspace', scope`)
	if err != nil {
		return nil, fmt.Errorf("storage: retention policies: %w", err)
	}
	return scanAll(rows, "retention policies", func(sc scanner) (RetentionPolicy, error) {
		var p RetentionPolicy
		var updated int64
		err := sc.Scan(&p.Scope, &p.Days, &updated)
		p.UpdatedAt = fromMillis(updated)
		return p, err
	})
}

// PlaceHold records a legal hold; a zero CreatedAt means now.
func (s *Store) PlaceHold(ctx context.Context, h LegalHold) error {
	if h.ID == "" {
		return errors.New("storage: place hold: empty id")
	}
	if err := checkScope(h.Scope); err != nil {
		return fmt.Errorf("storage: place hold: %w", err)
	}
	if h.CreatedAt.IsZero() {
		h.CreatedAt = now()
	}
	_, err := s.writer.ExecContext(ctx, `INSERT INTO legal_holds (id, scope, reason, created_at) VALUES (?, ?, ?, ?)`,
		h.ID, h.Scope, h.Reason, toMillis(h.CreatedAt))
	if err != nil {
		return fmt.Errorf("storage: place hold on %s: %w", h.Scope, err)
	}
	return nil
}

// ReleaseHold ends the hold with the given id and returns it as released.
// A hold already released, or unknown, gives ErrNoHold.
func (s *Store) ReleaseHold(ctx context.Context, id string) (LegalHold, error) {
	row := s.writer.QueryRowContext(ctx, `
		UPDATE legal_holds SET released_at = ? WHERE id = ? AND released_at = 0
		RETURNING id, scope, reason, created_at, released_at`, toMillis(now()), id)
	h, err := scanHold(row)
	if errors.Is(err, sql.ErrNoRows) {
		return LegalHold{}, fmt.Errorf("storage: release hold %s: %w", id, ErrNoHold)
	}
	if err != nil {
		return LegalHold{}, fmt.Errorf("storage: release hold %s: %w", id, err)
	}
	return h, nil
}

// LegalHolds lists the holds in force (and, with includeReleased, the
// released ones too), oldest first.
func (s *Store) LegalHolds(ctx context.Context, includeReleased bool) ([]LegalHold, error) {
	rows, err := s.reader.QueryContext(ctx, `
		SELECT id, scope, reason, created_at, released_at FROM legal_holds
		WHERE ?1 OR released_at = 0 ORDER BY created_at, id`, includeReleased)
	if err != nil {
		return nil, fmt.Errorf("storage: legal holds: %w", err)
	}
	return scanAll(rows, "legal holds", scanHold)
}

func scanHold(sc scanner) (LegalHold, error) {
	var h LegalHold
	var created, released int64
	err := sc.Scan(&h.ID, &h.Scope, &h.Reason, &created, &released)
	h.CreatedAt, h.ReleasedAt = fromMillis(created), fromMillis(released)
	return h, err
}

// Conversations lists, sorted, every conversation id that has messages or
// file transfers. It hops along the (conv, seq) index, one lookup per
// conversation, rather than reading every message.
func (s *Store) Conversations(ctx context.Context) ([]string, error) {
	rows, err := s.reader.QueryContext(ctx, `
		WITH RECURSIVE c (conv) AS (
			SELECT (SELECT min(conv) FROM messages)
			UNION ALL
			SELECT (SELECT min(conv) FROM messages WHERE conv > c.conv) FROM c WHERE c.conv IS NOT NULL
		)
		SELECT conv FROM c WHERE conv IS NOT NULL
		UNION SELECT conv FROM transfers
		ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("storage: conversations: %w", err)
	}
	return scanAll(rows, "conversations", scanString)
}
