package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// A delete for everyone erases what it deletes: when a delete by a
// message's author is stored, or a message (or an edit of it) arrives
// whose author deleted it already, the text of the message and of its
// edits is erased in the same transaction, search index included (an
// indexed row leaves the index through its update triggers; a row still
// in the search backlog is indexed erased);
// unless a legal hold covers the conversation, which keeps it (history
// shows the stub either way). The rows stay, marked redacted, so history
// shows where the message was. A message still waiting in the outbox
// leaves it: it is never sent. A room's sealed envelopes stay, so that
// members still sync whole sequences; nothing shows their text.

// deletedTargetsSQL finds, among the rows just stored (?1, a JSON array of
// seqs), the messages to erase: those a delete among them names, and
// those (or the edits of those) a delete stored earlier names.
const deletedTargetsSQL = `
	SELECT d.conv, d.author, d.ref_id FROM messages d
	WHERE d.seq IN (SELECT value FROM json_each(?1)) AND d.kind = 'delete' AND d.ref_author = d.author
	UNION
	SELECT m.conv, m.author, CASE WHEN m.kind = 'edit' THEN m.ref_id ELSE m.id END FROM messages m
	WHERE m.seq IN (SELECT value FROM json_each(?1)) AND m.kind IN ('text', 'reply', 'file', 'edit')
	  AND (m.kind <> 'edit' OR m.ref_author = m.author)
	  AND EXISTS (SELECT 1 FROM messages d WHERE d.conv = m.conv AND d.ref_id <> ''
	      AND d.ref_id = CASE WHEN m.kind = 'edit' THEN m.ref_id ELSE m.id END
	      AND d.kind = 'delete' AND d.author = m.author AND d.ref_author = m.author)`

// settleStored finishes storing the rows seqs, just inserted by tx:
// queues them for search (index is the statement of queueIndexSQL), then
// erases what they delete or are deleted by (find, of deletedTargetsSQL);
// both statements bound to tx. In that order: the index's triggers leave
// queued rows alone, and erasing a row neither queued nor indexed would
// take out of the index what the row never put in it.
func settleStored(ctx context.Context, tx *sql.Tx, index, find *sql.Stmt, seqs []int64) error {
	if err := queueIndex(ctx, index, seqs); err != nil {
		return err
	}
	return applyDeletes(ctx, tx, find, seqs)
}

// applyDeletes erases what the rows seqs, just stored by tx and queued
// for search, delete or are deleted by (see above); find is the
// statement of deletedTargetsSQL, bound to tx. Only settleStored calls it.
func applyDeletes(ctx context.Context, tx *sql.Tx, find *sql.Stmt, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	arg, err := json.Marshal(seqs)
	if err != nil {
		return err
	}
	rows, err := find.QueryContext(ctx, string(arg))
	if err != nil {
		return fmt.Errorf("find deleted messages: %w", err)
	}
	type target struct{ conv, author, id string }
	var targets []target
	for rows.Next() {
		var t target
		if err := rows.Scan(&t.conv, &t.author, &t.id); err != nil {
			rows.Close()
			return fmt.Errorf("find deleted messages: %w", err)
		}
		targets = append(targets, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find deleted messages: %w", err)
	}
	for _, t := range targets {
		held, err := heldIn(ctx, tx, t.conv)
		if err != nil {
			return err
		}
		if held {
			continue
		}
		if _, err := tx.ExecContext(ctx, `
			DELETE FROM outbox WHERE msg_seq IN (SELECT seq FROM messages WHERE conv = ?1 AND author = ?2 AND id = ?3)`,
			t.conv, t.author, t.id); err != nil {
			return fmt.Errorf("unqueue deleted message: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE messages SET text = '', sig = NULL, redacted = 1
			WHERE conv = ?1 AND author = ?2 AND redacted = 0
			  AND (id = ?3 OR (kind = 'edit' AND ref_author = ?2 AND ref_id = ?3))`,
			t.conv, t.author, t.id); err != nil {
			return fmt.Errorf("erase deleted message: %w", err)
		}
	}
	return nil
}
