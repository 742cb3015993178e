package core

import (
	"context"
	"sync"
)

// Event is something that happened, published after it is on disk.
type Event interface{ EventType() string }

// PeerOnline: the first live connection to a colleague.
type PeerOnline struct{ Peer Colleague }

// PeerOffline: the last connection to a colleague is gone.
type PeerOffline struct{ Peer Colleague }

// PeerUpdated: a colleague's name, status or status text changed.
type PeerUpdated struct{ Peer Colleague }

// MessageReceived: a colleague's message was committed to history.
type MessageReceived struct{ Message Message }

// MessageSent: our message was committed to history and the outbox.
type MessageSent struct{ Message Message }

// MessageDelivered: the colleague committed our message.
type MessageDelivered struct{ Message Message }

// ProfileChanged: our own name or presence changed.
type ProfileChanged struct{ Self Self }

func (PeerOnline) EventType() string       { return "peer_online" }
func (PeerOffline) EventType() string      { return "peer_offline" }
func (PeerUpdated) EventType() string      { return "peer_updated" }
func (MessageReceived) EventType() string  { return "message_received" }
func (MessageSent) EventType() string      { return "message_sent" }
func (MessageDelivered) EventType() string { return "message_delivered" }
func (ProfileChanged) EventType() string   { return "profile_changed" }

// subscriberBuffer is how far a slow subscriber may lag before it misses
// events; subscribers re-read state, so a miss costs a refresh, not data.
const subscriberBuffer = 1024

type bus struct {
	mu     sync.Mutex
	subs   map[chan Event]struct{}
	done   chan struct{}
	closed bool
}

func newBus() *bus { return &bus{subs: map[chan Event]struct{}{}, done: make(chan struct{})} }

func (b *bus) publish(e Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- e:
		default:
		}
	}
}

// subscribe returns a channel of events that is closed when ctx ends.
func (b *bus) subscribe(ctx context.Context) <-chan Event {
	ch := make(chan Event, subscriberBuffer)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(ch)
		return ch
	}
	b.subs[ch] = struct{}{}
	go func() {
		select {
		case <-ctx.Done():
		case <-b.done:
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		if _, ok := b.subs[ch]; ok {
			delete(b.subs, ch)
			close(ch)
		}
	}()
	return ch
}

func (b *bus) closeAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		close(b.done)
	}
	for ch := range b.subs {
		delete(b.subs, ch)
		close(ch)
	}
}

// RoomChanged: a room was joined or left, or its members changed.
type RoomChanged struct {
	Room Room
	Left bool
}

func (RoomChanged) EventType() string { return "room_changed" }
