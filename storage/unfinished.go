package storage

import (
	"context"
	"fmt"
)

// unfinishedDownloadsSQL finds the downloads under way or paused by their
// state (transfers_state), so that the lookup costs what is unfinished,
// not every transfer ever made with its manifest.
const unfinishedDownloadsSQL = `SELECT ` + transferColumns + ` FROM transfers
	WHERE state IN (?1, ?2) AND direction = ?3
	ORDER BY created_at DESC, rowid DESC`

// UnfinishedDownloads lists the incoming transfers still under way or
// paused, newest first: what a colleague coming back online resumes, and
// the space an accepted download has still to write. A node asks on every
// connection, so the lookup does not grow with the transfer history.
func (s *Store) UnfinishedDownloads(ctx context.Context) ([]Transfer, error) {
	rows, err := s.stmts.unfinished.QueryContext(ctx, TransferActive, TransferPaused, TransferIn)
	if err != nil {
		return nil, fmt.Errorf("storage: list unfinished downloads: %w", err)
	}
	return scanAll(rows, "list unfinished downloads", scanTransfer)
}
