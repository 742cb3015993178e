package storage

import (
	"context"
	"database/sql"
)

// pendingIndex holds the messages a group-commit transaction stored and
// has not queued for search yet (queueIndex), so that the whole group is
// queued by one statement before it commits.
//
// Until it is flushed, a pending row is neither in the search index nor in
// its backlog, and the index's triggers take it for indexed. Anything that
// erases or edits messages in the same transaction must flush first:
// applyDeletes does.
type pendingIndex struct {
	ctx  context.Context
	tx   *sql.Tx
	stmt *sql.Stmt // queueIndexSQL, prepared on the writer
	seqs []int64
}

func newPendingIndex(ctx context.Context, tx *sql.Tx, stmt *sql.Stmt) *pendingIndex {
	return &pendingIndex{ctx: ctx, tx: tx, stmt: stmt}
}

// add defers queueing the message stored at seq.
func (p *pendingIndex) add(seq int64) { p.seqs = append(p.seqs, seq) }

// flush queues every pending message for search, in the transaction.
func (p *pendingIndex) flush() error {
	if p == nil || len(p.seqs) == 0 {
		return nil
	}
	seqs := p.seqs
	p.seqs = nil
	return queueIndex(p.ctx, p.tx.StmtContext(p.ctx, p.stmt), seqs)
}
