package dm

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"hallway/chat"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// outboxBatch is how many queued messages are read and sent at a time.
const outboxBatch = 256

// outboxRetry is how often queued messages to connected colleagues are
// retried after a failure (a colleague whose disk was full, say).
const outboxRetry = 10 * time.Second

// outbox delivers queued direct messages, one flusher per colleague, so
// that one slow colleague never delays another and messages to the same
// colleague go out in order.
type outbox struct {
	store    Store
	net      Net
	pub      Publisher
	spawner  Spawner
	messages Messages
	log      *slog.Logger

	mu      sync.Mutex // guards running and again
	running map[peer.ID]bool
	again   map[peer.ID]bool
}

func newOutbox(store Store, net Net, pub Publisher, spawner Spawner, messages Messages, log *slog.Logger) *outbox {
	return &outbox{store: store, net: net, pub: pub, spawner: spawner, messages: messages, log: log,
		running: map[peer.ID]bool{}, again: map[peer.ID]bool{}}
}

// kick asks for a flush to id: now if none runs, else right after the
// running one, so nothing queued meanwhile waits for the next retry.
func (o *outbox) kick(id peer.ID) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.running[id] {
		o.again[id] = true
		return
	}
	o.running[id] = true
	o.spawner.Go(func(ctx context.Context) { o.flushLoop(ctx, id) })
}

func (o *outbox) flushLoop(ctx context.Context, id peer.ID) {
	for {
		o.flush(ctx, id)
		o.mu.Lock()
		if o.again[id] && ctx.Err() == nil {
			delete(o.again, id)
			o.mu.Unlock()
			continue
		}
		delete(o.running, id)
		delete(o.again, id)
		o.mu.Unlock()
		return
	}
}

func (o *outbox) flush(ctx context.Context, id peer.ID) {
	self := o.net.ID().String()
	for ctx.Err() == nil && o.net.IsConnected(id) {
		queued, err := o.store.Outbox(ctx, id.String(), outboxBatch)
		if err != nil {
			o.log.Warn("read outbox", "err", err)
			return
		}
		if len(queued) == 0 {
			return
		}
		dms := make([]p2p.DM, len(queued))
		for i, m := range queued {
			dms[i] = frame(m)
		}
		sendCtx, cancel := context.WithTimeout(ctx, time.Minute)
		err = o.net.SendDMs(sendCtx, id, dms, func(d p2p.DM) error {
			m, changed, err := o.store.MarkDelivered(ctx, self, d.ID)
			if err != nil {
				return err
			}
			if changed {
				o.pub.Publish(chat.MessageDelivered{Message: o.messages.ToMessage(m, nil)})
			}
			return nil
		})
		cancel()
		if err != nil {
			o.log.Debug("delivery interrupted; the messages stay queued", "peer", id, "err", err)
			return
		}
		// A short batch was all that was queued when it was read: what
		// was committed since was kicked, and the kick runs the flush
		// again (flushLoop), so reading the outbox once more here would
		// find nothing new.
		if len(queued) < outboxBatch {
			return
		}
	}
}

// run retries queued messages to connected colleagues periodically, the
// safety net under the connect-triggered flushes.
func (o *outbox) run(ctx context.Context) error {
	t := time.NewTicker(outboxRetry)
	defer t.Stop()
	for {
		o.kickConnected(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (o *outbox) kickConnected(ctx context.Context) {
	ids, err := o.store.OutboxPeers(ctx)
	if err != nil {
		return
	}
	for _, raw := range ids {
		if id, err := peer.Decode(raw); err == nil && o.net.IsConnected(id) {
			o.kick(id)
		}
	}
}
