package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	// The only place the driver is named: everything else sees database/sql.
	_ "modernc.org/sqlite"
)

const (
	driverName  = "sqlite"
	readerConns = 4
)

// Store is the node's history database. It is safe for concurrent use.
type Store struct {
	path   string
	writer *sql.DB // exactly one connection, so writes never contend in-process
	reader *sql.DB // query_only pool; WAL lets it read while the writer commits
	stmts  *statements
	ckpt   *checkpointer
	group  *grouper
	index  *afterCommits // the search backlog's indexer
	// people counts writes to colleagues' profiles and verifications,
	// names those of them that change what names a colleague (a new
	// colleague, a changed name, a verification), so readers can cache
	// what they derive from them: in an office that is arriving, profiles
	// come in several times a second, nearly all of them with a name
	// already known; reach those that change where colleagues are (a new
	// colleague, new addresses), which the dialer's sweeps read.
	people   writes
	names    writes
	peers    peerCache      // what Peer and Peers read, while people stays the same
	nameBook keptList[Peer] // what PeerNames read, while names stays the same
	reach    writes
	addrs    keptList[Peer] // what PeerAddrs read, while reach stays the same
	// verifs counts writes to verifications, which the naming of
	// colleagues reads again at every change of a name.
	verifs   writes
	verified keptList[Verification] // what Verifications read, while verifs stays the same
	// roomLog counts writes to the room log, and forks the fork evidence
	// kept, so readers can cache what they read of them: every sync, asked
	// or answered, reads a room's heads and its forks, and in an office of
	// a hundred a node syncs with a colleague several times a second while
	// its rooms change a few times a minute (and forks, nearly never).
	roomLog  writes
	heads    roomCache[[]headRow] // rooms' heads, while roomLog stays the same
	forks    writes
	forkless roomCache[struct{}] // rooms read without forks, while forks stays the same
}

// Open opens the database at path, creating the file (mode 0600) and its
// directory (mode 0700) when missing, and brings the schema up to date.
// A database written by a newer Hallway, with a schema version this binary
// does not know, is refused rather than used.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("storage: open: empty path")
	}
	if err := createFile(path); err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	writer, err := openDB(ctx, path, false)
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	migs, err := embeddedMigrations()
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	if err := migrate(ctx, writer, migs, len(migs)); err != nil {
		writer.Close()
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	reader, err := openDB(ctx, path, true)
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	stmts, err := prepareStatements(ctx, writer, reader)
	if err != nil {
		reader.Close()
		writer.Close()
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	ckdb, err := openDB(ctx, path, false)
	if err != nil {
		stmts.close()
		reader.Close()
		writer.Close()
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	st := &Store{path: path, writer: writer, reader: reader, stmts: stmts, ckpt: startCheckpointer(ckdb)}
	st.group = startGrouper(st)
	st.startIndexer()
	return st, nil
}

// createFile makes sure the database file exists with owner-only permissions
// before SQLite sees it: SQLite would create it with the process umask
// (usually world-readable), and it derives the -wal and -shm modes from the
// main file, so getting this one right covers all three.
func createFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

// openDB opens one handle to path with every connection configured through
// the DSN, because database/sql may open new connections at any time and a
// pragma run once after sql.Open would only reach one of them.
func openDB(ctx context.Context, path string, readOnly bool) (*sql.DB, error) {
	dsn, err := dataSourceName(path, readOnly)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, err
	}
	if readOnly {
		db.SetMaxOpenConns(readerConns)
		db.SetMaxIdleConns(readerConns)
	} else {
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
	}
	// Connections are cheap to keep and costly to reopen (pragmas, schema
	// parse), so they live as long as the handle.
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func dataSourceName(path string, readOnly bool) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	// FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on power
	// loss, and the user has already been told those messages were saved.
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	// Pages are read through a memory map rather than one read system
	// call each, which dominated inserts into a large archive (every
	// index insert walks its B-tree). Mapped pages are the file's own,
	// shared with the page cache, not the process's private memory.
	q.Add("_pragma", "mmap_size(1073741824)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		// Take the write lock at BEGIN so a transaction that reads first
		// waits on busy_timeout instead of failing when it upgrades while
		// another process holds the lock.
		q.Set("_txlock", "immediate")
		// A statement inside a longer transaction keeps a statement journal
		// so it can be undone alone; in a temporary file that costs a write
		// system call per page, which dominated batch inserts of room logs.
		q.Add("_pragma", "temp_store(MEMORY)")
		// The writer's page cache holds the B-tree pages a batch dirties
		// until it commits: 2 MB by default, too few for the indexes of
		// a large archive, so pages were written and read again.
		q.Add("_pragma", "cache_size(-16384)")
		// The log is copied into the database in the background
		// (checkpoint.go); a commit checkpoints only when the log passes
		// 64 MB, which the background copy keeps from happening unless
		// long reads hold it back. The log is cut back to 64 MB after a
		// checkpoint so it does not keep its peak size on disk.
		q.Add("_pragma", "wal_autocheckpoint(16384)")
		q.Add("_pragma", "journal_size_limit(67108864)")
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows drive letters: file:///C:/...
	}
	// url.URL escapes '?', '#' and '%' in the path, which SQLite's URI
	// parser would otherwise take as delimiters.
	u := url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}
	return u.String(), nil
}

// Close closes both handles; the last connection to close checkpoints the WAL.
func (s *Store) Close() error {
	s.group.close()
	s.index.stop()
	cerr := s.ckpt.stop()
	serr := s.stmts.close()
	rerr := s.reader.Close()
	werr := s.writer.Close()
	if err := errors.Join(cerr, serr, rerr, werr); err != nil {
		return fmt.Errorf("storage: close: %w", err)
	}
	return nil
}

// Path returns the path the store was opened with.
func (s *Store) Path() string { return s.path }

// IntegrityCheck runs PRAGMA integrity_check and returns an error listing the
// problems SQLite found, if any.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	rows, err := s.reader.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("storage: integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("storage: integrity check: %w", err)
		}
		problems = append(problems, line)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("storage: integrity check: %w", err)
	}
	if len(problems) == 1 && problems[0] == "ok" {
		return nil
	}
	return fmt.Errorf("storage: integrity check failed: %s", strings.Join(problems, "; "))
}

// Durability says how long a commit waits for the disk.
type Durability int

const (
	// Durable commits survive a power cut (synchronous=FULL): for what
	// this node is the only holder of, or has acknowledged to a sender.
	Durable Durability = iota
	// Replicated commits survive a crash or kill -9 of Hallway but may
	// lose the last moments to a power cut (synchronous=NORMAL): for room
	// messages received from others, which every member holds and sync
	// restores. It spares one fsync per message when a room is busy.
	Replicated
)

// inTxWith runs fn in a write transaction with the given durability. The
// writer has one connection, held for the whole transaction, so no other
// commit can run while synchronous is lowered.
func (s *Store) inTxWith(ctx context.Context, d Durability, fn func(*sql.Tx) error, counts ...*writes) error {
	_, err := s.inTxAtWith(ctx, d, fn, counts...)
	return err
}

// inTxAtWith is inTxWith returning what inTxAt returns.
func (s *Store) inTxAtWith(ctx context.Context, d Durability, fn func(*sql.Tx) error, counts ...*writes) (at []uint64, err error) {
	if d == Durable {
		return s.inTxAt(ctx, fn, counts...)
	}
	defer func() {
		if err == nil {
			s.committed()
		}
	}()
	conn, err := s.writer.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("writer connection: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous=NORMAL"); err != nil {
		return nil, fmt.Errorf("lower synchronous: %w", err)
	}
	defer func() {
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous=FULL"); rerr != nil {
			// Never hand a connection with weakened commits back to the pool.
			conn.Raw(func(any) error { return driver.ErrBadConn })
			err = errors.Join(err, fmt.Errorf("restore synchronous: %w", rerr))
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	return runTx(tx, err, fn, counts)
}

// inTx runs fn in a write transaction, committing only if fn succeeds.
// Its commit counts as a write to each of counts (see writes): until it,
// what the transaction wrote is seen by no reader.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error, counts ...*writes) error {
	_, err := s.inTxAt(ctx, fn, counts...)
	return err
}

// inTxAt is inTx returning the count of begun writes its commit took of
// each of counts (0 for a nil one): the write is the last of that part of
// the store while settled returns that count.
func (s *Store) inTxAt(ctx context.Context, fn func(*sql.Tx) error, counts ...*writes) ([]uint64, error) {
	tx, err := s.writer.BeginTx(ctx, nil)
	at, err := runTx(tx, err, fn, counts)
	if err == nil {
		s.committed()
	}
	return at, err
}

// committed wakes the work that follows commits: the checkpoint and the
// search backlog's indexer.
func (s *Store) committed() {
	s.ckpt.poke()
	s.index.poke()
}

// runTx runs fn in a transaction just begun (or reports why it could not
// begin), committing only if fn succeeds; the commit is counted as a write
// to each of counts that is not nil once fn returned (fn may fill one in:
// a write that turns out to change what that count guards). It returns
// the count of begun writes the commit took of each of counts.
func runTx(tx *sql.Tx, err error, fn func(*sql.Tx) error, counts []*writes) ([]uint64, error) {
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return nil, err
	}
	at := make([]uint64, len(counts))
	for i, w := range counts {
		if w != nil {
			at[i] = w.begin()
			defer w.end()
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return at, nil
}

// toMillis is the single conversion used for every stored time, so that what
// a method returns compares equal to what a later read returns.
func toMillis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// now is truncated to the stored precision for the same reason.
func now() time.Time { return time.UnixMilli(time.Now().UnixMilli()) }
