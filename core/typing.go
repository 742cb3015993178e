package core

import (
	"context"
	"sync"
	"time"

	"hallway/chat"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Typing in direct conversations: an ephemeral signal between two
// connected Hallways, never stored, never synced, never dialled for.

// typingSent remembers when each colleague was last told we type, so a
// signal goes at most every chat.TypingEvery.
type typingSent struct {
	mu   sync.Mutex
	last map[peer.ID]time.Time
}

// due reports whether a signal to id may go now, and notes it.
func (t *typingSent) due(id peer.ID, typing bool, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.last == nil {
		t.last = map[peer.ID]time.Time{}
	}
	if !typing {
		if _, told := t.last[id]; !told {
			return false // nothing to take back
		}
		delete(t.last, id)
		return true
	}
	if now.Sub(t.last[id]) < chat.TypingEvery {
		return false
	}
	t.last[id] = now
	return true
}

// Typing tells the colleague of a direct conversation that the user is
// typing to them (or stopped). Rooms get no signal; a colleague not
// connected gets none either.
func (s *Service) Typing(ctx context.Context, conv string, typing bool) error {
	c, id, err := splitConv(conv)
	if err != nil || c.IsRoom() {
		return err
	}
	pid, err := peer.Decode(id)
	if err != nil || s.blocks.IsBlocked(pid) || !s.node.IsConnected(pid) || !s.typing.due(pid, typing, time.Now()) {
		return nil
	}
	return s.node.SendTyping(ctx, pid, typing)
}

// HandleTyping shows a colleague typing to us for chat.TypingFor.
func (h *handler) HandleTyping(_ context.Context, from peer.ID, typing bool) {
	s := h.svc()
	if s.blocks.IsBlocked(from) {
		return
	}
	sig := chat.TypingSignal{Conversation: dmConv(from), From: from.String()}
	if typing {
		sig.Until = time.Now().Add(chat.TypingFor)
	}
	s.bus.publish(chat.TypingChanged{Typing: sig})
}
