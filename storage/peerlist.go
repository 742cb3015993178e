package storage

import (
	"slices"
	"sync"
)

// peerList holds a list of colleagues' rows, reduced to what one reader
// needs, read while no write to the part of the store it shows was under
// way (see writes), and follows the writes of one colleague's row: while
// an office arrives, a colleague is new every moment, and reading every
// row again after each of them made the lists cost the square of the
// office.
type peerList struct {
	mu      sync.Mutex
	version uint64
	list    []Peer // nil: not read at version
}

// get returns the list if it holds at version, in a slice of its own.
func (l *peerList) get(version uint64) ([]Peer, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.list == nil || l.version != version {
		return nil, false
	}
	return slices.Clone(l.list), true
}

// put keeps a copy of list, read at version, unless a newer one is kept:
// the reader that read it keeps list itself.
func (l *peerList) put(list []Peer, version uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if version >= l.version {
		l.version, l.list = version, slices.Clone(list)
	}
}

// wrote takes p, one colleague's row as the write at version left it
// (reduced as the list is), that write being the last and changing no
// other colleague's row. The list is kept, with p in it, when it held
// just before that write; else it no longer holds.
func (l *peerList) wrote(p Peer, version uint64) {
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
	if i := slices.IndexFunc(l.list, func(q Peer) bool { return q.ID == p.ID }); i >= 0 {
		l.list[i] = p
	} else {
		l.list = append(l.list, p)
	}
}
