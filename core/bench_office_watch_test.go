package core

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"hallway/chat"
)

// countdown closes done when hit has been called n times.
type countdown struct {
	left atomic.Int64
	done chan struct{}
}

func newCountdown(n int) *countdown {
	c := &countdown{done: make(chan struct{})}
	c.left.Store(int64(n))
	if n <= 0 {
		close(c.done)
	}
	return c
}

func (c *countdown) hit() {
	if c.left.Add(-1) == 0 {
		close(c.done)
	}
}

// roster maps the peer IDs of an office to the names they run under.
type roster struct {
	mu    sync.RWMutex
	names map[string]string
}

func (r *roster) add(id, name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.names[id] = name
}

func (r *roster) name(id string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.names[id]
}

// watch follows one node's events: whom it lists online under their own
// name, the status it last heard of each, and the room posts it receives.
// All of it comes from events; Peers is read again only after a Lagged.
type watch struct {
	svc    *Service
	name   string // the node's own
	roster *roster
	want   int        // colleagues to list online
	all    *countdown // hit once, when this node first lists all of them
	posts  chan<- postSeen

	mu     sync.Mutex // guards the fields below
	online map[string]bool
	count  int
	done   bool
	status map[string]string
	expect *expectation
	met    bool // expect was seen
}

// postSeen is a room post a node (who) received, and when.
type postSeen struct {
	text, who string
	at        time.Time
}

// expectation is a status that every other node should come to list for
// one colleague.
type expectation struct {
	peer, status string
	cd           *countdown
}

func (w *watch) run(events <-chan chat.Event) {
	for e := range events {
		switch e := e.(type) {
		case chat.PeerOnline:
			w.update(e.Peer)
		case chat.PeerUpdated:
			w.update(e.Peer)
		case chat.PeerOffline:
			w.update(e.Peer)
		case chat.MessageReceived:
			if e.Message.Kind == "text" {
				select {
				case w.posts <- postSeen{e.Message.Text, w.name, time.Now()}:
				default: // nobody is measuring; the buffer is full
				}
			}
		case chat.Lagged:
			if peers, err := w.svc.Peers(context.Background()); err == nil {
				for _, c := range peers {
					w.update(c)
				}
			}
		}
	}
}

func (w *watch) update(c chat.Colleague) {
	ok := c.Online && c.Name != "" && c.Name == w.roster.name(c.PeerID)
	w.mu.Lock()
	defer w.mu.Unlock()
	if ok != w.online[c.PeerID] {
		w.online[c.PeerID] = ok
		if ok {
			w.count++
		} else {
			w.count--
		}
	}
	if !w.done && w.count >= w.want {
		w.done = true
		w.all.hit()
	}
	w.status[c.PeerID] = c.Status
	w.checkLocked()
}

// await sets what status to wait for; the countdown is hit once this
// node lists it, at once if it already does.
func (w *watch) await(e *expectation) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.expect, w.met = e, false
	w.checkLocked()
}

func (w *watch) checkLocked() {
	if e := w.expect; e != nil && !w.met && w.status[e.peer] == e.status {
		w.met = true
		e.cd.hit()
	}
}

// onlineCount is how many colleagues the node lists online now.
func (w *watch) onlineCount() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.count
}

// logTally counts what the nodes log, by message, keeping the first
// error of each: when an office does not come together, the log says why.
type logTally struct {
	mu    sync.Mutex
	count map[string]int
	first map[string]string
}

func newLogTally() *logTally {
	return &logTally{count: map[string]int{}, first: map[string]string{}}
}

func (l *logTally) Enabled(context.Context, slog.Level) bool { return true }
func (l *logTally) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logTally) WithGroup(string) slog.Handler            { return l }

func (l *logTally) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := r.Level.String() + " " + r.Message + kindOf(r)
	l.count[key]++
	if _, ok := l.first[key]; !ok {
		l.first[key] = example(r)
	}
	return nil
}

// kindOf tells apart records of one message by what went wrong (an
// error with its keys, addresses and numbers taken out) or, for a
// connection that closed, its direction and how long it lasted.
func kindOf(r slog.Record) string {
	var kind string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "err":
			e := errKeys.ReplaceAllString(a.Value.String(), "K")
			e = errAddrs.ReplaceAllString(e, "A")
			e = errNumbers.ReplaceAllString(e, "N")
			if len(e) > 90 {
				e = "…" + e[len(e)-90:]
			}
			kind = " [" + e + "]"
			return false
		case "direction":
			kind += " " + a.Value.String()
		case "lasted":
			switch d := a.Value.Duration(); {
			case d < time.Second:
				kind += " <1s"
			case d < 10*time.Second:
				kind += " <10s"
			default:
				kind += " ≥10s"
			}
		}
		return true
	})
	return kind
}

var (
	errKeys    = regexp.MustCompile(`12D3Koo[1-9A-HJ-NP-Za-km-z]+`)
	errAddrs   = regexp.MustCompile(`/ip[46]/[^ \]]*`)
	errNumbers = regexp.MustCompile(`[0-9]+`)
)

// example is what a record says beside its message: its error, or else
// its other attributes but the peer's key.
func example(r slog.Record) string {
	var err string
	var attrs []string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "err":
			err = strings.Join(strings.Fields(a.Value.String()), " ")
			return false
		case "peer":
		default:
			attrs = append(attrs, a.String())
		}
		return true
	})
	if err != "" {
		return err
	}
	return strings.Join(attrs, " ")
}

// top lists the k most frequent messages at level min or above.
func (l *logTally) top(k int, min slog.Level) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	type row struct {
		key string
		n   int
	}
	var rows []row
	for key, n := range l.count {
		rows = append(rows, row{key, n})
	}
	slices.SortFunc(rows, func(a, b row) int { return b.n - a.n })
	var out []string
	for _, r := range rows {
		var lv slog.Level
		if lv.UnmarshalText([]byte(strings.Fields(r.key)[0])) != nil || lv < min {
			continue
		}
		if len(out) == k {
			break
		}
		out = append(out, fmt.Sprintf("%dx %q (%s)", r.n, r.key, l.first[r.key]))
	}
	return strings.Join(out, "; ")
}
