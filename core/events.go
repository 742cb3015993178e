package core

import (
	"context"
	"sync"

	"hallway/chat"
)

// subscriberBuffer is how far a subscriber may fall behind. Past it, the
// events it has not read are dropped and it reads a chat.Lagged saying how
// many, before any later event; subscribers re-read state on Lagged, so a
// drop costs a refresh, not data.
const subscriberBuffer = 1024

// bus hands every published event to every subscriber without ever
// waiting for one.
type bus struct {
	mu     sync.Mutex // guards subs and closed
	subs   map[*subscriber]struct{}
	done   chan struct{} // closed by closeAll
	closed bool
}

func newBus() *bus { return &bus{subs: map[*subscriber]struct{}{}, done: make(chan struct{})} }

// queued is an event waiting for its subscriber; seq tells it apart from
// an equal event published later.
type queued struct {
	seq uint64
	e   chat.Event
}

// subscriber is one reader's bounded queue, emptied into out by its own
// forwarder goroutine.
type subscriber struct {
	mu     sync.Mutex // guards queue, missed and seq
	queue  []queued
	missed int    // events dropped since the last Lagged was delivered
	seq    uint64 // sequence number of the last queued event
	wake   chan struct{}
	out    chan chat.Event
}

// push queues e; a full queue is dropped and counted first. It never blocks.
func (s *subscriber) push(e chat.Event) {
	s.mu.Lock()
	if len(s.queue) >= subscriberBuffer {
		s.missed += len(s.queue)
		clear(s.queue)
		s.queue = s.queue[:0]
	}
	s.seq++
	s.queue = append(s.queue, queued{seq: s.seq, e: e})
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// head is what the reader gets next: a Lagged when events were dropped,
// else the oldest queued event; ok is false when there is nothing.
func (s *subscriber) head() (q queued, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.missed > 0:
		return queued{e: chat.Lagged{Missed: s.missed}}, true
	case len(s.queue) > 0:
		return s.queue[0], true
	}
	return queued{}, false
}

// delivered removes q, which the reader took, from what is owed to it.
func (s *subscriber) delivered(q queued) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := q.e.(chat.Lagged); ok && q.seq == 0 {
		s.missed -= l.Missed
		return
	}
	if len(s.queue) > 0 && s.queue[0].seq == q.seq {
		s.queue[0] = queued{}
		s.queue = s.queue[1:]
		return
	}
	// q was dropped with the backlog while it was being handed over, and
	// counted as missed: it was not.
	s.missed--
}

// forward hands queued events to the reader until ctx ends or the bus
// closes, then closes out.
func (s *subscriber) forward(ctx context.Context, done <-chan struct{}) {
	defer close(s.out)
	for {
		q, ok := s.head()
		if !ok {
			select {
			case <-s.wake:
				continue
			case <-ctx.Done():
				return
			case <-done:
				return
			}
		}
		select {
		case s.out <- q.e:
			s.delivered(q)
		case <-s.wake: // the queue changed: look at its head again
		case <-ctx.Done():
			return
		case <-done:
			return
		}
	}
}

func (b *bus) publish(e chat.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		s.push(e)
	}
}

// subscribe returns a channel of events that is closed when ctx ends or
// the bus closes. A reader that falls more than subscriberBuffer events
// behind reads a chat.Lagged before the events that follow the gap.
func (b *bus) subscribe(ctx context.Context) <-chan chat.Event {
	s := &subscriber{wake: make(chan struct{}, 1), out: make(chan chat.Event)}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(s.out)
		return s.out
	}
	b.subs[s] = struct{}{}
	go func() {
		s.forward(ctx, b.done)
		b.mu.Lock()
		defer b.mu.Unlock()
		delete(b.subs, s)
	}()
	return s.out
}

func (b *bus) closeAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		close(b.done)
	}
}
