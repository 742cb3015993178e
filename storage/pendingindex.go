package storage

import (
	"context"
	"database/sql"
)

// pendingIndex holds the messages a group-commit transaction stored and
// has not indexed for search yet, so that the whole group is indexed by
// one statement before it commits. One statement per message cost more
// than storing the message: each one after the first makes the full-text
// index write the tokens it holds as a segment of their own, which the
// index then merges.
//
// Until it is flushed, the index lacks the pending rows. Anything that
// erases or edits messages in the same transaction (and so runs the
// index's triggers, which take out what was indexed) must flush first:
// applyDeletes does.
type pendingIndex struct {
	ctx  context.Context
	tx   *sql.Tx
	stmt *sql.Stmt // indexMessagesSQL of the store
	seqs []int64
}

func newPendingIndex(ctx context.Context, tx *sql.Tx, stmt *sql.Stmt) *pendingIndex {
	return &pendingIndex{ctx: ctx, tx: tx, stmt: stmt}
}

// add defers indexing the message stored at seq.
func (p *pendingIndex) add(seq int64) { p.seqs = append(p.seqs, seq) }

// flush indexes every pending message, in the transaction.
func (p *pendingIndex) flush() error {
	if p == nil || len(p.seqs) == 0 {
		return nil
	}
	seqs := p.seqs
	p.seqs = nil
	return indexMessages(p.ctx, p.tx.StmtContext(p.ctx, p.stmt), seqs)
}
