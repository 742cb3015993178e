package storage

import (
	"context"
	"database/sql"
	"errors"
	"runtime"
	"sync"
)

// maxGroup bounds the writes one group commit carries.
const maxGroup = 256

// errStoreClosed answers a write that came after Close.
var errStoreClosed = errors.New("storage: the store is closed")

// groupWrite is one caller's write waiting for a group commit.
type groupWrite struct {
	ctx  context.Context
	d    Durability
	fn   func(*sql.Tx) error
	done chan error
}

// grouper commits the small writes that arrive while a commit is on disk
// together, in one transaction: each is as durable when its caller
// returns as in a transaction of its own (the group fsyncs when any of
// its writes is Durable), but a burst of them (messages from
// many colleagues at once) shares one fsync instead of paying one each. A
// lone write waits for nothing. When one write of a group fails, the group
// is undone and each write runs again in a transaction of its own, so the
// failure stays its own. (Savepoints would isolate writes without the
// second run, but the full-text index writes a segment at every savepoint
// it is released from, which cost more than the rare second run.)
type grouper struct {
	s     *Store
	queue chan *groupWrite
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
}

func startGrouper(s *Store) *grouper {
	g := &grouper{s: s, queue: make(chan *groupWrite), stop: make(chan struct{}), done: make(chan struct{})}
	go g.run()
	return g
}

// inGroupTx runs fn in a write transaction, possibly shared with other
// callers' writes, and returns once that transaction committed (nil) or
// fn's part was undone (its error, or the commit's).
func (s *Store) inGroupTx(ctx context.Context, fn func(*sql.Tx) error) error {
	return s.inGroupTxWith(ctx, Durable, fn)
}

// inGroupTxWith is inGroupTx with the durability d asks for: a group
// commits Replicated only when every write in it asked for no more.
func (s *Store) inGroupTxWith(ctx context.Context, d Durability, fn func(*sql.Tx) error) error {
	w := &groupWrite{ctx: ctx, d: d, fn: fn, done: make(chan error, 1)}
	select {
	case s.group.queue <- w:
	case <-s.group.stop:
		return errStoreClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once taken, the write is waited for even if ctx ends: it may be
	// committed, and the caller must not take it for lost.
	return <-w.done
}

func (g *grouper) run() {
	defer close(g.done)
	for {
		var batch []*groupWrite
		select {
		case w := <-g.queue:
			batch = append(batch, w)
		case <-g.stop:
			return
		}
		// The writers answered by the last commit are ready to run but
		// may not have asked again yet; letting them run first puts
		// their next writes in this group rather than in the one after.
		runtime.Gosched()
	gather:
		for len(batch) < maxGroup {
			select {
			case w := <-g.queue:
				batch = append(batch, w)
			default:
				break gather
			}
		}
		g.commit(batch)
	}
}

// commit runs batch in one transaction and answers each write.
func (g *grouper) commit(batch []*groupWrite) {
	errs := make([]error, len(batch))
	// The transaction belongs to no caller: one caller's context ending
	// must not roll back the others' writes.
	bg := context.Background()
	d := Replicated
	for _, w := range batch {
		if w.d == Durable {
			d = Durable
		}
	}
	err := g.s.inTxWith(bg, d, func(tx *sql.Tx) error {
		for i, w := range batch {
			if errs[i] = w.ctx.Err(); errs[i] != nil {
				continue
			}
			if err := w.fn(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && len(batch) > 1 {
		for i, w := range batch {
			if errs[i] == nil {
				errs[i] = g.s.inTxWith(bg, w.d, w.fn)
			}
		}
		err = nil
	}
	for i, w := range batch {
		w.done <- errors.Join(errs[i], err)
	}
}

// close stops taking writes once those taken are answered.
func (g *grouper) close() {
	g.once.Do(func() { close(g.stop) })
	<-g.done
}
