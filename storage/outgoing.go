package storage

import (
	"context"
	"database/sql"
	"fmt"
)

// Outgoing is a message to send and its recipient.
type Outgoing struct {
	Message Message
	To      string
}

// InsertOutgoingMany stores messages to send, each queued for its
// recipient, in one transaction: one durable commit for all (a re-key
// hands its key to every member at once). Either all are stored or none.
func (s *Store) InsertOutgoingMany(ctx context.Context, out []Outgoing) ([]Message, error) {
	stored := make([]Message, len(out))
	for i, o := range out {
		if err := checkMessage(o.Message); err != nil {
			return nil, fmt.Errorf("storage: insert outgoing: %w", err)
		}
		if o.To == "" {
			return nil, fmt.Errorf("storage: insert outgoing %s: empty recipient", o.Message.ID)
		}
		stored[i] = stamp(o.Message, StateSent)
	}
	err := s.inGroupTx(ctx, func(tx *sql.Tx) error {
		insert := tx.StmtContext(ctx, s.stmts.insertMessage)
		index := tx.StmtContext(ctx, s.stmts.queueIndex)
		queue := tx.StmtContext(ctx, s.stmts.queueOutgoing)
		deleted := tx.StmtContext(ctx, s.stmts.deletedTargets)
		for i := range stored {
			m := &stored[i]
			seq, ok, err := insertMessage(ctx, insert, *m)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("%s/%s: %w", m.Author, m.ID, ErrDuplicate)
			}
			m.Seq = seq
			if err := settleStored(ctx, tx, index, deleted, []int64{seq}); err != nil {
				return err
			}
			if _, err := queue.ExecContext(ctx, m.Seq, out[i].To, toMillis(m.ReceivedAt)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: insert outgoing: %w", err)
	}
	return stored, nil
}
