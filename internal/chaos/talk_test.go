package chaos

import (
	"context"
	"fmt"
	"sync"
	"time"

	"hallway/internal/fleet"
)

// chatter collects the ids of acknowledged room messages: SendRoom
// returned, so the author has committed them.
type chatter struct {
	mu   sync.Mutex
	ids  []string
	errs int
}

func (c *chatter) add(id string) {
	c.mu.Lock()
	c.ids = append(c.ids, id)
	c.mu.Unlock()
}

func (c *chatter) snapshot() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.ids...)
}

// talk has each daemon post to room once per every until ctx ends; a
// daemon that is down (killed, restarting) skips its turn.
func (c *chatter) talk(ctx context.Context, ds []*fleet.Daemon, room string, every time.Duration) *sync.WaitGroup {
	var wg sync.WaitGroup
	for _, d := range ds {
		wg.Go(func() {
			tick := time.NewTicker(every)
			defer tick.Stop()
			for i := 0; ; i++ {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				if !d.Running() {
					continue
				}
				sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				m, err := d.Client().SendRoom(sctx, "#"+room, fmt.Sprintf("%s says %d", d.Name, i))
				cancel()
				if err != nil {
					c.mu.Lock()
					c.errs++ // killed mid-call: not acknowledged
					c.mu.Unlock()
					continue
				}
				c.add(m.ID)
			}
		})
	}
	return &wg
}
