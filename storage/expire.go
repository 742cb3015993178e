package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"hallway/chat"
)

// ExpiryResult says what applying retention deleted.
type ExpiryResult struct {
	Messages  int
	Transfers int
	// Partials are the partial-download files of deleted transfer records,
	// which the caller, who owns the downloads folder, removes.
	Partials []string
	// Held lists the conversations with messages due that a legal hold kept.
	Held []string
}

// ExpiryBatch is how many messages one transaction deletes, so that
// sending and receiving never wait long behind retention.
const ExpiryBatch = 500

// ApplyRetention deletes every message whose time has come at now: those
// of a conversation older than its policy's days (the conversation's own,
// else the workspace's; none keeps everything), unless a legal hold covers
// the conversation or the workspace. A message's age counts from the
// earlier of its author's time and its arrival, so a clock set in the
// future cannot keep it. Messages still waiting in the outbox are kept
// until delivered.
//
// A room's records of its membership and administration (creation, adds,
// joins, leaves, removals, roles, codes, policy versions and
// acknowledgements) are kept whatever the retention: they are the room's
// audit trail, which exports carry and verify-export checks, and each
// member needs them to replay who is in the room. Text and files go.
//
// With a message go its search entry and, in a room, its signed envelope.
// An envelope beyond what the room's version vector says is held without a
// gap is emptied rather than removed, so that sync, which would otherwise
// see a hole and fetch it again, still counts it as held. Transfer records
// of the conversation created before the same cutoff go too, unless the
// download is running or paused.
//
// Each batch of at most ExpiryBatch messages is its own transaction, and
// the policy and holds are read inside it, so a hold placed meanwhile
// stops deletion at once.
func (s *Store) ApplyRetention(ctx context.Context, now time.Time) (ExpiryResult, error) {
	var res ExpiryResult
	convs, err := s.Conversations(ctx)
	if err != nil {
		return res, err
	}
	for _, conv := range convs {
		// Most conversations have nothing due most of the time: find out
		// without taking the write lock.
		if due, err := s.anythingDue(ctx, conv, now); err != nil {
			return res, fmt.Errorf("storage: apply retention to %s: %w", conv, err)
		} else if !due {
			continue
		}
		for {
			b, err := s.expireBatch(ctx, conv, now)
			if err != nil {
				return res, fmt.Errorf("storage: apply retention to %s: %w", conv, err)
			}
			res.Messages += b.messages
			res.Transfers += b.transfers
			res.Partials = append(res.Partials, b.partials...)
			if b.held {
				res.Held = append(res.Held, conv)
			}
			if !b.more {
				break
			}
		}
	}
	return res, nil
}

// anythingDue reports whether conv has messages or transfer records older
// than its policy allows. The answer is a hint: expireBatch decides again
// inside its transaction.
func (s *Store) anythingDue(ctx context.Context, conv string, now time.Time) (bool, error) {
	cutoff, ok, err := s.RetentionCutoff(ctx, conv, now)
	if err != nil || !ok {
		return false, err
	}
	var due bool
	err = s.reader.QueryRowContext(ctx, `
		SELECT EXISTS (SELECT 1 FROM messages WHERE conv = ?1 AND min(sent_at, received_at) < ?2 AND `+expirable+`)
		    OR EXISTS (SELECT 1 FROM transfers WHERE conv = ?1 AND created_at < ?2)`,
		conv, toMillis(cutoff)).Scan(&due)
	return due, err
}

// expirable is the condition on a message that retention may delete: not
// one of a room's membership and administration records (ApplyRetention).
var expirable = "kind NOT IN (" + quotedKinds(chat.KindCreate, chat.KindAdd, chat.KindJoin, chat.KindLeave,
	chat.KindRemove, chat.KindRole, chat.KindCodeIssued, chat.KindCodeRevoked, chat.KindPolicy, chat.KindAck) + ")"

func quotedKinds(kinds ...chat.Kind) string {
	q := make([]string, len(kinds))
	for i, k := range kinds {
		q[i] = "'" + string(k) + "'"
	}
	return strings.Join(q, ", ")
}

type expiryBatch struct {
	messages, transfers int
	partials            []string
	held, more          bool
}

// RetentionCutoff returns the time before which conv's messages are due at
// now under the stored policies, and ok false when they are kept forever.
func (s *Store) RetentionCutoff(ctx context.Context, conv string, now time.Time) (cutoff time.Time, ok bool, err error) {
	days, err := retentionDays(ctx, s.reader, conv)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("storage: retention of %s: %w", conv, err)
	}
	if days == 0 {
		return time.Time{}, false, nil
	}
	return now.Add(-time.Duration(days) * 24 * time.Hour), true, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// heldIn reports whether a legal hold in force covers conv (its own, or
// the workspace's).
func heldIn(ctx context.Context, q querier, conv string) (bool, error) {
	var held bool
	if err := q.QueryRowContext(ctx, `
		SELECT EXISTS (SELECT 1 FROM legal_holds WHERE released_at = 0 AND scope IN ('workspace', ?))`,
		conv).Scan(&held); err != nil {
		return false, fmt.Errorf("read holds: %w", err)
	}
	return held, nil
}

// retentionDays is conv's policy: its own, else the workspace's, else 0.
func retentionDays(ctx context.Context, q querier, conv string) (int, error) {
	var days int
	err := q.QueryRowContext(ctx, `
		SELECT days FROM retention_policies WHERE scope IN (?, 'workspace')
		ORDER BY scope = 'workspace' LIMIT 1`, conv).Scan(&days)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return days, err
}

func (s *Store) expireBatch(ctx context.Context, conv string, now time.Time) (expiryBatch, error) {
	var b expiryBatch
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		b = expiryBatch{}
		days, err := retentionDays(ctx, tx, conv)
		if err != nil || days == 0 {
			return err
		}
		cutoff := toMillis(now.Add(-time.Duration(days) * 24 * time.Hour))
		held, err := heldIn(ctx, tx, conv)
		if err != nil {
			return err
		}
		if held {
			// Reported only when something would have gone.
			return tx.QueryRowContext(ctx, `
				SELECT EXISTS (SELECT 1 FROM messages WHERE conv = ? AND min(sent_at, received_at) < ? AND `+expirable+`)`,
				conv, cutoff).Scan(&b.held)
		}
		if b.messages, err = expireMessages(ctx, tx, conv, cutoff); err != nil {
			return err
		}
		if b.more = b.messages == ExpiryBatch; !b.more {
			b.transfers, b.partials, err = expireTransfers(ctx, tx, conv, cutoff)
		}
		return err
	})
	return b, err
}

// expiredEnvelope replaces the bytes of an envelope whose message expired
// but which must still count as held. No envelope format starts with a
// zero byte, so it can be told from anything a peer sent.
const expiredEnvelope = "\x00"

type victim struct {
	seq       int64
	author    string
	authorSeq int64
}

// expireMessages deletes up to ExpiryBatch due messages of conv, through
// the (conv, min(sent_at, received_at)) index.
func expireMessages(ctx context.Context, tx *sql.Tx, conv string, cutoff int64) (int, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT seq, author, author_seq FROM messages
		WHERE conv = ? AND min(sent_at, received_at) < ? AND `+expirable+`
		  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.msg_seq = messages.seq)
		LIMIT ?`, conv, cutoff, ExpiryBatch)
	if err != nil {
		return 0, fmt.Errorf("find due messages: %w", err)
	}
	victims, err := scanAll(rows, "due messages", func(sc scanner) (victim, error) {
		var v victim
		err := sc.Scan(&v.seq, &v.author, &v.authorSeq)
		return v, err
	})
	if err != nil || len(victims) == 0 {
		return 0, err
	}
	if room, ok := roomOf(conv); ok {
		if err := expireEnvelopes(ctx, tx, room, victims); err != nil {
			return 0, err
		}
	}
	seqs := make([]int64, len(victims))
	for i, v := range victims {
		seqs[i] = v.seq
	}
	arg, _ := json.Marshal(seqs)
	if _, err := tx.ExecContext(ctx, `DELETE FROM messages WHERE seq IN (SELECT value FROM json_each(?))`, string(arg)); err != nil {
		return 0, fmt.Errorf("delete messages: %w", err)
	}
	return len(victims), nil
}

func roomOf(conv string) (string, bool) { return chat.RoomOf(conv) }

// expireEnvelopes removes the envelopes of room messages being deleted, or
// empties those the version vector does not cover yet (see ApplyRetention),
// and the fork evidence kept of them.
func expireEnvelopes(ctx context.Context, tx *sql.Tx, room string, victims []victim) error {
	del, err := tx.PrepareContext(ctx, `
		DELETE FROM room_envelopes WHERE room = ?1 AND author = ?2 AND seq = ?3
		AND ?3 <= (SELECT contiguous FROM room_heads WHERE room = ?1 AND author = ?2)`)
	if err != nil {
		return err
	}
	defer del.Close()
	empty, err := tx.PrepareContext(ctx, `UPDATE room_envelopes SET raw = x'00' WHERE room = ? AND author = ? AND seq = ?`)
	if err != nil {
		return err
	}
	defer empty.Close()
	forks, err := tx.PrepareContext(ctx, `DELETE FROM room_forks WHERE room = ? AND author = ? AND seq = ?`)
	if err != nil {
		return err
	}
	defer forks.Close()
	for _, v := range victims {
		if v.authorSeq <= 0 {
			continue
		}
		// A fork's evidence goes with the message it forked.
		if _, err := forks.ExecContext(ctx, room, v.author, v.authorSeq); err != nil {
			return fmt.Errorf("delete fork evidence: %w", err)
		}
		res, err := del.ExecContext(ctx, room, v.author, v.authorSeq)
		if err != nil {
			return fmt.Errorf("delete envelope: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			continue
		}
		if _, err := empty.ExecContext(ctx, room, v.author, v.authorSeq); err != nil {
			return fmt.Errorf("empty envelope: %w", err)
		}
	}
	return nil
}

// expireTransfers deletes conv's transfer records created before cutoff
// that no download is using, returning the partial files left of them.
func expireTransfers(ctx context.Context, tx *sql.Tx, conv string, cutoff int64) (int, []string, error) {
	rows, err := tx.QueryContext(ctx, `
		DELETE FROM transfers WHERE conv = ? AND created_at < ? AND state NOT IN (?, ?)
		RETURNING partial_path`, conv, cutoff, TransferActive, TransferPaused)
	if err != nil {
		return 0, nil, fmt.Errorf("delete transfers: %w", err)
	}
	paths, err := scanAll(rows, "delete transfers", scanString)
	if err != nil {
		return 0, nil, err
	}
	var partials []string
	for _, p := range paths {
		if p != "" {
			partials = append(partials, p)
		}
	}
	return len(paths), partials, nil
}
