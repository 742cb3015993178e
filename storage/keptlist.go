package storage

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
)

// keptList holds a list read from the store while no write to the part
// of it the list shows was under way (see writes), and follows the writes
// that change one row of it: while an office arrives, a colleague is new
// every moment, and reading every row again after each of them made the
// lists cost the square of the office.
type keptList[T any] struct {
	mu      sync.Mutex
	version uint64
	list    []T // nil: not read at version
}

// get returns the list if it holds at version, in a slice of its own.
func (l *keptList[T]) get(version uint64) ([]T, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.list == nil || l.version != version {
		return nil, false
	}
	return slices.Clone(l.list), true
}

// has reports, if the list holds at version, whether an entry of it
// matches (ok false: the list does not hold there).
func (l *keptList[T]) has(version uint64, match func(T) bool) (found, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.list == nil || l.version != version {
		return false, false
	}
	return slices.ContainsFunc(l.list, match), true
}

// put keeps a copy of list, read at version, unless a newer one is kept:
// the reader that read it keeps list itself.
func (l *keptList[T]) put(list []T, version uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if version >= l.version {
		l.version, l.list = version, slices.Clone(list)
		if l.list == nil {
			l.list = []T{} // read, and empty
		}
	}
}

// wrote takes row, one row as the write at version left it (reduced as
// the list is), that write changing no other row of the list; same
// reports whether an entry of the list is row's. The list is kept, with
// row in it, when it held just before that write; else it no longer
// holds.
func (l *keptList[T]) wrote(row T, version uint64, same func(T) bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case version <= l.version:
		return
	case l.list == nil || l.version+1 != version:
		l.version, l.list = version, nil
		return
	}
	l.version = version
	if i := slices.IndexFunc(l.list, same); i >= 0 {
		l.list[i] = row
	} else {
		l.list = append(l.list, row)
	}
}

// readKept returns the list kept while count stays at the version it
// settled on, or reads it with query (one row a call of scan; op names
// the read in errors) and keeps what it read when no write overlapped the
// read.
func readKept[T any](ctx context.Context, db *sql.DB, count *writes, kept *keptList[T],
	op, query string, scan func(scanner) (T, error)) ([]T, error) {
	version, settled := count.settled()
	if list, ok := kept.get(version); settled && ok {
		return list, nil
	}
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("storage: %s: %w", op, err)
	}
	list, err := scanAll(rows, op, scan)
	if err != nil {
		return nil, err
	}
	if settled && count.still(version) {
		kept.put(list, version)
	}
	return list, nil
}
