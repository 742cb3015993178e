package p2p

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Publish gossips data to the room's members online now. Members offline
// get it later through sync, so having no one to send to is not an error.
//
// A post beyond our own share of the room quota is not gossiped
// (ErrOverQuota): members would drop it. The newest such post is gossiped
// as soon as the quota allows, unless a newer post goes out first: either
// shows members the hole before it, which they fill through sync at once.
// So a burst beyond the quota reaches everyone within moments, through
// sync rather than gossip, and its tail is never left for the periodic
// round.
func (rt *RoomTopic) Publish(ctx context.Context, data []byte) error {
	if len(data) > maxGossipMessage {
		return fmt.Errorf("p2p: room message of %d bytes exceeds %d", len(data), maxGossipMessage)
	}
	if rt.n.sendQuota.charge(rt.room, rt.n.host.ID(), len(data)) != quotaOK {
		rt.holdTail(data)
		return ErrOverQuota
	}
	rt.dropTail()
	rt.awaitMesh(ctx)
	return rt.topic.Publish(ctx, data)
}

// tail is the newest post the quota kept from gossip, and the timer that
// tries it again.
type tail struct {
	mu    sync.Mutex // guards data and timer
	data  []byte
	timer *time.Timer
}

// tailRetry is how long a held post waits before trying the quota again:
// about one post's refill.
func (rt *RoomTopic) tailRetry() time.Duration {
	return time.Duration(float64(time.Second) / rt.n.sendQuota.q.Posts.PerSecond)
}

func (rt *RoomTopic) holdTail(data []byte) {
	rt.tail.mu.Lock()
	defer rt.tail.mu.Unlock()
	rt.tail.data = data
	if rt.tail.timer == nil && rt.ctx.Err() == nil {
		rt.tail.timer = time.AfterFunc(rt.tailRetry(), rt.flushTail)
	}
}

func (rt *RoomTopic) dropTail() {
	rt.tail.mu.Lock()
	defer rt.tail.mu.Unlock()
	rt.tail.data = nil
	if rt.tail.timer != nil {
		rt.tail.timer.Stop()
		rt.tail.timer = nil
	}
}

func (rt *RoomTopic) flushTail() {
	rt.tail.mu.Lock()
	data := rt.tail.data
	rt.tail.timer = nil
	if data == nil || rt.ctx.Err() != nil {
		rt.tail.mu.Unlock()
		return
	}
	if rt.n.sendQuota.charge(rt.room, rt.n.host.ID(), len(data)) != quotaOK {
		rt.tail.timer = time.AfterFunc(rt.tailRetry(), rt.flushTail)
		rt.tail.mu.Unlock()
		return
	}
	rt.tail.data = nil
	rt.tail.mu.Unlock()
	if err := rt.topic.Publish(rt.ctx, data); err != nil {
		rt.n.log.Debug("room publish of a held post failed; sync will deliver it", "room", rt.room, "err", err)
	}
}
