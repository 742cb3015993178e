package transfer

import (
	"sync"
	"time"
)

// progress tracks bytes and rate of running transfers in memory, and
// coalesces progress events.
type progress struct {
	mu   sync.Mutex // guards runs
	runs map[string]*run
}

type run struct {
	done      int64
	rateStart time.Time
	rateBytes int64
	rate      float64
	lastEvent time.Time
}

func (p *progress) get(id string) (int64, float64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.runs[id]
	if !ok {
		return 0, 0, false
	}
	return r.done, r.rate, true
}

// add records n more bytes and reports whether an event is due.
func (p *progress) add(id string, done int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.runs == nil {
		p.runs = map[string]*run{}
	}
	r, ok := p.runs[id]
	now := time.Now()
	if !ok {
		r = &run{rateStart: now, rateBytes: done}
		p.runs[id] = r
	}
	r.done = done
	if el := now.Sub(r.rateStart); el >= 500*time.Millisecond {
		r.rate = float64(done-r.rateBytes) / el.Seconds()
		r.rateStart, r.rateBytes = now, done
	}
	if now.Sub(r.lastEvent) < 100*time.Millisecond {
		return false
	}
	r.lastEvent = now
	return true
}

func (p *progress) forget(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.runs, id)
}
