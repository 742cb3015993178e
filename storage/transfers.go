package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"hallway/chat"
)

// Transfer is this node's record of one file or folder sent peer to peer:
// the offering side's (direction "out") or a receiving side's ("in"). ID is
// the offer's, so it alone identifies the record; see migrations/0003.
type Transfer struct {
	ID           string
	Direction    string // TransferIn or TransferOut
	Peer         string // the other side: the recipient of a DM offer, the uploader of an incoming one
	Conv         string // "dm:<peer id>" or "room:<room id>"
	Name         string
	Folder       bool
	Size         int64 // bytes of content in all
	Files        int
	ManifestHash string
	Manifest     []byte // nil until fetched (in); always set (out)
	SourcePath   string // out: the local file or folder offered
	DestDir      string // in: the downloads folder chosen at accept
	PartialPath  string // in: where data is written until complete
	FinalPath    string // in: where the complete content ended up
	State        string // one of the Transfer* states
	BytesDone    int64
	Have         []byte // in: bitmap of verified chunks, bit i = chunk i; nil when none
	Error        string // why the transfer failed, "" otherwise
	// ExpiresAt: out, when this node stops serving the content; in, when
	// the sender said its offer ends. Zero: no end.
	ExpiresAt  time.Time
	ShareState string // ShareServed, ShareUnshared or ShareChanged
	ShareNote  string // why the content is no longer served
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Directions of a transfer.
const (
	TransferIn  = chat.TransferIn
	TransferOut = chat.TransferOut
)

// States of a transfer.
const (
	TransferOffered   = chat.TransferOffered
	TransferActive    = chat.TransferActive
	TransferPaused    = chat.TransferPaused
	TransferDone      = chat.TransferDone
	TransferFailed    = chat.TransferFailed
	TransferDeclined  = chat.TransferDeclined
	TransferCancelled = chat.TransferCancelled
)

// Whether this node still serves a transfer's content (see
// migrations/0008).
const (
	ShareServed   = ""
	ShareUnshared = "unshared"
	ShareChanged  = "changed"
)

// ErrNoTransfer is returned (wrapped) by operations on a transfer that is not
// stored.
var ErrNoTransfer = errors.New("storage: no such transfer")

const transferColumns = `id, direction, peer, conv, name, folder, size, files, manifest_hash, manifest,
	source_path, dest_dir, partial_path, final_path, state, bytes_done, have, error, expires_at, share_state,
	share_note, created_at, updated_at`

const (
	transferSQL     = `SELECT ` + transferColumns + ` FROM transfers WHERE id = ?`
	saveProgressSQL = `UPDATE transfers SET bytes_done = ?, have = ?, updated_at = ? WHERE id = ?`
)

// InsertTransfer stores a new transfer record. Offers are announced again
// until answered, so an id already stored is not an error: the stored record
// is left unchanged and inserted is false.
//
// An empty State means TransferOffered; a zero CreatedAt means now and a
// zero UpdatedAt means CreatedAt. A transfer that is not a folder is one
// file, so its Files is stored as 1 when left zero.
func (s *Store) InsertTransfer(ctx context.Context, t Transfer) (inserted bool, err error) {
	if t.State == "" {
		t.State = TransferOffered
	}
	if !t.Folder && t.Files == 0 {
		t.Files = 1
	}
	if err := checkTransfer(t); err != nil {
		return false, fmt.Errorf("storage: insert transfer: %w", err)
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = now()
	}
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = t.CreatedAt
	}
	res, err := s.writer.ExecContext(ctx, `
		INSERT INTO transfers (`+transferColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`,
		t.ID, t.Direction, t.Peer, t.Conv, t.Name, t.Folder, t.Size, t.Files, t.ManifestHash,
		blobOrNull(t.Manifest), t.SourcePath, t.DestDir, t.PartialPath, t.FinalPath, t.State,
		t.BytesDone, bitmap(t.Have), t.Error, expiry(t.ExpiresAt), t.ShareState, t.ShareNote,
		toMillis(t.CreatedAt), toMillis(t.UpdatedAt))
	if err != nil {
		return false, fmt.Errorf("storage: insert transfer %s: %w", t.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("storage: insert transfer %s: %w", t.ID, err)
	}
	return n == 1, nil
}

// Transfer returns the stored transfer with the given id, or ErrNoTransfer.
func (s *Store) Transfer(ctx context.Context, id string) (Transfer, error) {
	t, err := scanTransfer(s.stmts.transfer.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNoTransfer
	}
	if err != nil {
		return Transfer{}, fmt.Errorf("storage: read transfer %s: %w", id, err)
	}
	return t, nil
}

// Transfers lists every stored transfer, newest first (by CreatedAt, then
// the order they were stored in).
func (s *Store) Transfers(ctx context.Context) ([]Transfer, error) {
	rows, err := s.reader.QueryContext(ctx,
		`SELECT `+transferColumns+` FROM transfers ORDER BY created_at DESC, rowid DESC`)
	if err != nil {
		return nil, fmt.Errorf("storage: list transfers: %w", err)
	}
	return scanAll(rows, "list transfers", scanTransfer)
}

// TransferUpdate lists the fields UpdateTransfer changes: those left nil stay
// as stored.
type TransferUpdate struct {
	State       *string
	Error       *string
	Manifest    []byte // nil or empty: unchanged, as a manifest is never unfetched
	DestDir     *string
	PartialPath *string
	FinalPath   *string
	ShareState  *string
	ShareNote   *string
}

// UpdateTransfer applies the non-nil fields of u to transfer id and sets its
// UpdatedAt to now; ErrNoTransfer if it is not stored.
func (s *Store) UpdateTransfer(ctx context.Context, id string, u TransferUpdate) error {
	if u.State != nil && !knownTransferState(*u.State) {
		return fmt.Errorf("storage: update transfer %s: unknown state %q", id, *u.State)
	}
	if u.ShareState != nil && !knownShareState(*u.ShareState) {
		return fmt.Errorf("storage: update transfer %s: unknown share state %q", id, *u.ShareState)
	}
	res, err := s.writer.ExecContext(ctx, `
		UPDATE transfers SET
			state        = coalesce(?1, state),
			error        = coalesce(?2, error),
			manifest     = coalesce(?3, manifest),
			dest_dir     = coalesce(?4, dest_dir),
			partial_path = coalesce(?5, partial_path),
			final_path   = coalesce(?6, final_path),
			share_state  = coalesce(?7, share_state),
			share_note   = coalesce(?8, share_note),
			updated_at   = ?9
		WHERE id = ?10`,
		stringOrNull(u.State), stringOrNull(u.Error), blobOrNull(u.Manifest), stringOrNull(u.DestDir),
		stringOrNull(u.PartialPath), stringOrNull(u.FinalPath), stringOrNull(u.ShareState), stringOrNull(u.ShareNote),
		toMillis(now()), id)
	if err := updatedOne(res, err, ErrNoTransfer); err != nil {
		return fmt.Errorf("storage: update transfer %s: %w", id, err)
	}
	return nil
}

// SaveProgress records how many bytes of transfer id are verified and which
// chunks (have, bit i = chunk i), and sets its UpdatedAt to now;
// ErrNoTransfer if it is not stored.
//
// It runs for every few chunks while data flows, so it commits as
// Replicated: a power cut may lose the last save, which costs no more than
// fetching the chunks it recorded again, whereas an fsync per save would slow
// every transfer.
func (s *Store) SaveProgress(ctx context.Context, id string, bytesDone int64, have []byte) error {
	if bytesDone < 0 {
		return fmt.Errorf("storage: save progress of transfer %s: negative byte count %d", id, bytesDone)
	}
	err := s.inTxWith(ctx, Replicated, func(tx *sql.Tx) error {
		res, err := tx.StmtContext(ctx, s.stmts.saveProgress).ExecContext(ctx,
			bytesDone, bitmap(have), toMillis(now()), id)
		return updatedOne(res, err, ErrNoTransfer)
	})
	if err != nil {
		return fmt.Errorf("storage: save progress of transfer %s: %w", id, err)
	}
	return nil
}

// maxServable bounds the copies of one content Servable returns: the same
// file offered in a few rooms, or downloaded and offered again.
const maxServable = 16

// servableSQL prefers the offered original to a downloaded copy: the user
// chose to share that path, while a download may since have been moved or
// deleted. Among copies of one kind the most recently touched wins.
const servableSQL = `
	SELECT ` + transferColumns + ` FROM transfers
	WHERE manifest_hash = ?1
	  AND ((direction = ?2 AND state <> ?3 AND source_path <> '')
	    OR (direction = ?4 AND state = ?5 AND final_path <> ''))
	ORDER BY direction = ?2 DESC, updated_at DESC, rowid DESC
	LIMIT ?6`

// Servable lists the complete copies of the content with this manifest
// hash that this node could serve to others, best first: outgoing
// transfers not cancelled (at their SourcePath) and incoming ones that
// are done (at their FinalPath, in DestDir), whatever their share state
// and expiry. Whether the asking peer may have one, and whether it is
// still shared, is the caller's decision.
func (s *Store) Servable(ctx context.Context, manifestHash string) ([]Transfer, error) {
	rows, err := s.reader.QueryContext(ctx, servableSQL,
		manifestHash, TransferOut, TransferCancelled, TransferIn, TransferDone, maxServable)
	if err != nil {
		return nil, fmt.Errorf("storage: servable copies of %s: %w", manifestHash, err)
	}
	return scanAll(rows, "servable copies", scanTransfer)
}

func checkTransfer(t Transfer) error {
	switch {
	case t.ID == "":
		return errors.New("empty transfer id")
	case t.Direction != TransferIn && t.Direction != TransferOut:
		return fmt.Errorf("transfer %s: unknown direction %q", t.ID, t.Direction)
	case t.Conv == "":
		return fmt.Errorf("transfer %s: empty conversation", t.ID)
	case t.ManifestHash == "":
		// Servable looks copies up by hash; an empty one would match
		// every other transfer that lacks one.
		return fmt.Errorf("transfer %s: empty manifest hash", t.ID)
	case !knownTransferState(t.State):
		return fmt.Errorf("transfer %s: unknown state %q", t.ID, t.State)
	case t.Size < 0 || t.Files < 0 || t.BytesDone < 0:
		return fmt.Errorf("transfer %s: negative size, file count or byte count", t.ID)
	case !knownShareState(t.ShareState):
		return fmt.Errorf("transfer %s: unknown share state %q", t.ID, t.ShareState)
	}
	return nil
}

func knownTransferState(st string) bool { return chat.ValidTransferState(st) }

func knownShareState(st string) bool {
	return st == ShareServed || st == ShareUnshared || st == ShareChanged
}

// expiry stores a zero time as 0, "no end".
func expiry(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return toMillis(t)
}

// stringOrNull binds an optional string, NULL meaning "keep the stored one".
func stringOrNull(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// blobOrNull binds an empty slice as NULL: a nil []byte already is one, and
// an empty manifest is no more fetched than a missing one.
func blobOrNull(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// bitmap binds have for its NOT NULL column, where a nil slice would be NULL.
func bitmap(have []byte) []byte {
	if have == nil {
		return []byte{}
	}
	return have
}

func scanTransfer(sc scanner) (Transfer, error) {
	var (
		t                         Transfer
		expires, created, updated int64
	)
	if err := sc.Scan(&t.ID, &t.Direction, &t.Peer, &t.Conv, &t.Name, &t.Folder, &t.Size, &t.Files,
		&t.ManifestHash, &t.Manifest, &t.SourcePath, &t.DestDir, &t.PartialPath, &t.FinalPath, &t.State,
		&t.BytesDone, &t.Have, &t.Error, &expires, &t.ShareState, &t.ShareNote, &created, &updated); err != nil {
		return Transfer{}, err
	}
	if expires != 0 {
		t.ExpiresAt = fromMillis(expires)
	}
	if len(t.Manifest) == 0 {
		t.Manifest = nil
	}
	if len(t.Have) == 0 {
		t.Have = nil
	}
	t.CreatedAt = fromMillis(created)
	t.UpdatedAt = fromMillis(updated)
	return t, nil
}
