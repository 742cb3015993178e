package people

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"hallway/discovery"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

const (
	maxConcurrentDials = 8
	// dialTimeout bounds one dial while we are connected to a colleague;
	// aloneDialTimeout, while we are connected to none (dialBudget).
	dialTimeout      = 5 * time.Second
	aloneDialTimeout = p2p.DialWait
	firstBackoff     = time.Second
	// maxBackoff stays short: on a LAN a colleague who is back should be
	// reconnected within seconds, and a failed dial costs next to nothing.
	maxBackoff    = 10 * time.Second
	reconnectTick = 3 * time.Second
	// maxQueuedHints bounds the dials waiting for peers we only heard of
	// (mDNS announcements, colleagues' introductions). Anyone on the LAN
	// can announce thousands of made-up peers a second; beyond this queue
	// their sightings are dropped, and real ones come again next round.
	maxQueuedHints = 64
	// maxQueuedKnown bounds the dials waiting for colleagues we know and
	// addresses the user configured; they go before any hint.
	maxQueuedKnown = 1024
	// maxDialStates bounds how many peers the dialer remembers.
	maxDialStates = 4096
	// hintRetries is how many times a hint's dial that failed is tried
	// again, on the back-off (a minute and a half in all), before the
	// dialer waits for the next hint: without mDNS a colleague is
	// introduced only when a profile is pushed, and in a quiet office that
	// may be hours away, while a newcomer introduced to a whole office at
	// once can take that long to answer every dial. A hint on one
	// colleague's word alone gets soleHintRetries (dialintro.go).
	hintRetries = 10
)

// Dialer turns sightings (mDNS, static addresses, colleagues' hints) and
// known colleagues into connections: a fixed set of workers takes dials
// from two bounded queues, known colleagues first, with one attempt per
// peer at a time and a per-peer back-off. A flood of announcements costs
// a full queue, never a goroutine per sighting.
type Dialer struct {
	net      DialNet
	store    PeerStore
	blocks   Blocks
	otherKey func(peer.ID, []ma.Multiaddr)
	log      *slog.Logger
	// hintGuard decides which addresses of hints may be dialled.
	hintGuard *hintGuard
	// mu guards st (and every dialState in it), known, hints and dropped.
	mu    sync.Mutex
	st    map[peer.ID]*dialState
	known []*dialState  // queued dials of colleagues and configured addresses
	hints []*dialState  // queued dials of peers only heard of
	wake  chan struct{} // a dial was queued
	// wakeKnown: a colleague's dial was queued (for the worker that
	// takes nothing else).
	wakeKnown chan struct{}
	// dropped counts sightings refused because their queue was full.
	dropped int
	// dialling counts the running dials of hints that rest on one
	// colleague's word, per colleague (dialintro.go).
	dialling map[peer.ID]int
}

type dialState struct {
	id       peer.ID
	addrs    []ma.Multiaddr // what to dial when the queued attempt runs
	queued   bool
	inflight bool
	next     time.Time     // no retry of the same addresses before
	delay    time.Duration // the current back-off
	failed   string        // addresses of the last failed attempt
	err      error         // why it failed
	// attempts is what each address of the last failed attempt did, and
	// attemptAt when; seen is when each source (discovery.Via*, "peer")
	// last reported the peer: for hallway doctor.
	attempts  []p2p.DialAttempt
	attemptAt time.Time
	seen      map[string]time.Time
	// hint is what the latest hints say the peer may be dialled at,
	// and hintTries how often it was tried again since (retryHints).
	// hintDue: the hint is still to be dialled, its queue having been
	// full or its addresses resting. directAt is when a dial for the hint
	// last went to a direct address.
	hint      []ma.Multiaddr
	hintTries int
	hintDue   bool
	directAt  time.Time
	// sole is the colleague whose word alone the hint rests on, until
	// vouched (dialintro.go); dialFor is whose allowance the running
	// dial counts against.
	sole    peer.ID
	vouched bool
	dialFor peer.ID
}

// DialerConfig configures a Dialer.
type DialerConfig struct {
	Logger *slog.Logger // default: discard
}

// DialerDeps are what the dialer works with.
type DialerDeps struct {
	Net    DialNet
	Store  PeerStore // the known colleagues and their last addresses
	Blocks Blocks    // keys never dialled; nil: nobody is blocked
	// OtherKey is told of each dial a peer answered on another workspace
	// or network key (p2p.ErrDifferentWorkspace), on the dial worker: it
	// must not block. Nil: nobody.
	OtherKey func(id peer.ID, addrs []ma.Multiaddr)
}

// NewDialer returns a dialer; its workers start with Run.
func NewDialer(cfg DialerConfig, deps DialerDeps) *Dialer {
	blocks := deps.Blocks
	if blocks == nil {
		blocks = noBlocks{}
	}
	return &Dialer{net: deps.Net, store: deps.Store, blocks: blocks, otherKey: deps.OtherKey, log: orDiscard(cfg.Logger), st: map[peer.ID]*dialState{},
		hintGuard: newHintGuard(), dialling: map[peer.ID]int{},
		wake: make(chan struct{}, 1), wakeKnown: make(chan struct{}, 1)}
}

// PeerSeen is called by discovery; it never blocks. Configured addresses
// are dialled with priority; mDNS and introductions are hints.
// Hints only lead to the addresses hintGuard lets through.
func (d *Dialer) PeerSeen(_ context.Context, sg discovery.Sighting) {
	d.sighted(sg.ID, sg.Via)
	if sg.Via == discovery.ViaStatic {
		d.try(sg.ID, sg.Addrs, false, true)
		return
	}
	if sg.ID == d.net.ID() || d.net.IsConnected(sg.ID) || d.blocks.IsBlocked(sg.ID) {
		return // spend none of the guard's allowance on a sighting with nothing to dial
	}
	addrs := slices.DeleteFunc(slices.Clone(sg.Addrs), func(a ma.Multiaddr) bool {
		_, ok := hintTarget(a)
		return !ok
	})
	if len(addrs) == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.state(sg.ID)
	st.vouch(sg.Via, sg.From)
	st.hint, st.hintTries = mergeAddrs(addrs, st.hint), 0
	st.hintDue = true
	if st.err != nil && time.Now().Before(st.next) && !slices.ContainsFunc(addrs, func(a ma.Multiaddr) bool {
		return !strings.Contains(" "+st.failed, " "+a.String()+" ")
	}) {
		return // nothing new: tried again once the back-off is over (retryHints)
	}
	d.dialHint(st)
}

// dialHint queues a dial of what st's hint lets us dial now, or adds it
// to the dial queued already, and reports whether it did; the caller
// holds d.mu. The hint guard's allowance is spent only on addresses that
// are dialled: a hint that finds its queue full, or its peer's dial
// running, is not dialled now, and is tried again (retryHints) with the
// addresses it had, never introduced again without mDNS. While the
// peer's own address rests after a dial of ours, its relays are not
// dialled alone: they hold no reservation for most colleagues, and the
// failure would only put off the dial that has a chance.
func (d *Dialer) dialHint(st *dialState) bool {
	switch {
	case st.inflight:
		return false // tried again if it fails
	case st.queued:
		st.addrs = mergeAddrs(d.hintGuard.allow(st.id, st.hint), st.addrs)
		st.hintDue = false
		return true
	case !d.roomInQueue(st):
		return false // its introducer's share of the queue is taken
	case len(d.hints) >= maxQueuedHints:
		d.dropped++
		return false
	case time.Since(st.directAt) < hintAddrInterval && slices.ContainsFunc(st.hint, func(a ma.Multiaddr) bool { return !isRelayed(a) }):
		return false // the direct address rests
	}
	addrs := d.hintGuard.allow(st.id, st.hint)
	if len(addrs) == 0 {
		return false
	}
	if slices.ContainsFunc(addrs, func(a ma.Multiaddr) bool { return !isRelayed(a) }) {
		st.directAt = time.Now()
	}
	st.hintDue = false
	st.addrs, st.queued = addrs, true
	d.hints = append(d.hints, st)
	d.signal()
	return true
}

// mergeAddrs is newer followed by those of older it lacks, at most
// maxQueuedAddrs, the direct addresses before any relay's. Every
// colleague who introduces a newcomer adds the circuit through itself:
// in an office, a newcomer is introduced by more colleagues than a dial
// keeps addresses, and the circuits, newer each time, must not push out
// the newcomer's own address, which no other introduction may bring
// again for a while (the hint guard rests it).
func mergeAddrs(newer, older []ma.Multiaddr) []ma.Multiaddr {
	var direct, relayed []ma.Multiaddr
	for _, a := range slices.Concat(newer, older) {
		if slices.ContainsFunc(direct, a.Equal) || slices.ContainsFunc(relayed, a.Equal) {
			continue
		}
		if isRelayed(a) {
			relayed = append(relayed, a)
		} else {
			direct = append(direct, a)
		}
	}
	out := append(direct, relayed...)
	return out[:min(len(out), maxQueuedAddrs)]
}

// isRelayed reports whether a leads through a relay (p2p-circuit).
func isRelayed(a ma.Multiaddr) bool {
	_, err := a.ValueForProtocol(ma.P_CIRCUIT)
	return err == nil
}

// retryHints queues again the hints whose dial failed, once their
// back-off is over, hintRetries times at most, and the hints not dialled
// yet, with the addresses the hint guard lets through now: however many
// made-up peers point at one host and port, it is still dialled once per
// hintAddrInterval at most.
func (d *Dialer) retryHints() {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	for id, st := range d.st {
		if len(d.hints) >= maxQueuedHints {
			return
		}
		if len(st.hint) == 0 || st.queued || st.inflight || st.hintTries >= st.retries() {
			continue
		}
		if st.err != nil && now.Before(st.next) {
			continue // the back-off
		}
		failed := st.err != nil
		if !st.hintDue && !failed {
			continue
		}
		if d.net.IsConnected(id) || d.blocks.IsBlocked(id) {
			st.hint, st.hintDue = nil, false
			continue
		}
		if d.dialHint(st) && failed {
			st.hintTries++
		}
	}
}

func addrsKey(addrs []ma.Multiaddr) string {
	k := ""
	for _, a := range addrs {
		k += a.String() + " "
	}
	return k
}

// maxQueuedAddrs bounds the addresses a queued dial gathers.
const maxQueuedAddrs = 16

// try queues a dial unless one is queued or running or the back-off says
// wait. New addresses bypass the back-off: a colleague who restarted on a
// new port should not wait for the old address's penalty. A dial already
// queued adds the newest addresses before those it had: in an office,
// colleagues introduce a newcomer all at once, and the hint guard lets its
// direct address through only once, so a later introduction brings just a
// relay's address, which must not take the direct one's place.
func (d *Dialer) try(id peer.ID, addrs []ma.Multiaddr, force, known bool) {
	if id == d.net.ID() || len(addrs) == 0 || d.net.IsConnected(id) || d.blocks.IsBlocked(id) {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.state(id)
	if st.queued {
		st.addrs = mergeAddrs(addrs, st.addrs)
		return
	}
	if st.inflight || (!force && addrsKey(addrs) == st.failed && time.Now().Before(st.next)) {
		return
	}
	q, limit := &d.hints, maxQueuedHints
	if force || known {
		q, limit = &d.known, maxQueuedKnown
	}
	if len(*q) >= limit {
		d.dropped++
		return
	}
	st.addrs, st.queued = addrs, true
	*q = append(*q, st)
	d.signal()
}

// signal wakes workers for what is queued; the caller holds d.mu.
func (d *Dialer) signal() {
	if len(d.known)+len(d.hints) > 0 {
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}
	if len(d.known) > 0 {
		select {
		case d.wakeKnown <- struct{}{}:
		default:
		}
	}
}

// evict forgets idle peers once the dialer knows too many: first those
// whose back-off is over, then, if that is not enough, any idle one.
// Queued and running dials are kept.
func (d *Dialer) evict() {
	if len(d.st) < maxDialStates {
		return
	}
	now := time.Now()
	for id, st := range d.st {
		if !st.queued && !st.inflight && now.After(st.next) {
			delete(d.st, id)
		}
	}
	if len(d.st) < maxDialStates*3/4 {
		return
	}
	for id, st := range d.st {
		if !st.queued && !st.inflight {
			delete(d.st, id)
		}
	}
}

// take waits for the next queued dial, colleagues before hints; a worker
// that is knownOnly never takes hints, so a flood of hints whose dials
// hang cannot hold every worker while a colleague waits.
func (d *Dialer) take(ctx context.Context, knownOnly bool) (*dialState, []ma.Multiaddr, bool) {
	for {
		d.mu.Lock()
		var st *dialState
		switch {
		case len(d.known) > 0:
			st, d.known = d.known[0], d.known[1:]
		case !knownOnly:
			if i := d.nextHint(); i >= 0 {
				st = d.hints[i]
				d.hints = slices.Delete(d.hints, i, i+1)
				d.startHint(st)
			}
		}
		if st != nil {
			st.queued, st.inflight = false, true
			addrs := st.addrs
			d.signal() // pass the word on to another worker
			d.mu.Unlock()
			return st, addrs, true
		}
		d.mu.Unlock()
		wake := d.wake
		if knownOnly {
			wake = d.wakeKnown
		}
		select {
		case <-ctx.Done():
			return nil, nil, false
		case <-wake:
		}
	}
}

// work runs queued dials until ctx ends.
func (d *Dialer) work(ctx context.Context, knownOnly bool) {
	for {
		st, addrs, ok := d.take(ctx, knownOnly)
		if !ok {
			return
		}
		var err error
		if !d.net.IsConnected(st.id) {
			dctx, cancel := context.WithTimeout(ctx, d.dialBudget())
			err = d.net.Connect(dctx, st.id, addrs)
			cancel()
		}
		d.mu.Lock()
		st.inflight = false
		d.endHint(st)
		if err == nil {
			st.delay, st.next, st.failed, st.err = 0, time.Time{}, "", nil
			st.attempts, st.hint, st.hintDue = nil, nil, false
		} else {
			st.delay = min(max(2*st.delay, firstBackoff), maxBackoff)
			st.next = time.Now().Add(st.delay)
			st.failed, st.err = addrsKey(addrs), err
			st.attempts, st.attemptAt = mergeAttempts(attemptsOf(err, addrs), st.attempts), time.Now()
			d.log.Debug("dial failed", "peer", st.id, "err", err)
		}
		d.mu.Unlock()
		if err != nil && d.otherKey != nil && errors.Is(err, p2p.ErrDifferentWorkspace) {
			d.otherKey(st.id, addrs)
		}
	}
}

// dialBudget is how long the next dial may take. A colleague's machine
// that is busy (an office forming all at once, a laptop swapping) may take
// longer than dialTimeout to complete a handshake: cut there, the dial
// fails every time, and a node connected to nobody never gets in, nor
// hears of the colleagues introductions would bring it. So a node alone
// waits as long as a dial may (p2p.DialWait); one with colleagues online
// keeps its dials short, each failed one being tried again, and is
// found by the newcomers' own dials.
func (d *Dialer) dialBudget() time.Duration {
	if len(d.net.ConnectedPeers()) == 0 {
		return aloneDialTimeout
	}
	return dialTimeout
}

// Retry dials a peer seen lately at its last addresses now, whatever its
// back-off: what refused it may have changed (the workspace admitted it).
func (d *Dialer) Retry(id peer.ID) {
	d.mu.Lock()
	var addrs []ma.Multiaddr
	if st := d.st[id]; st != nil {
		addrs = st.addrs
	}
	d.mu.Unlock()
	d.try(id, addrs, true, true)
}

// Reconnect dials a known colleague at their last known addresses now.
func (d *Dialer) Reconnect(ctx context.Context, id peer.ID) {
	p, ok, err := d.store.Peer(ctx, id.String())
	if err != nil || !ok {
		return
	}
	d.try(id, parseAddrs(p.Addrs), true, true)
}

func parseAddrs(ss []string) []ma.Multiaddr {
	var out []ma.Multiaddr
	for _, s := range ss {
		if a, err := ma.NewMultiaddr(s); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// Run starts the dial workers and keeps trying known colleagues who are
// offline, so that a colleague behind a network that blocks mDNS comes
// back by itself.
func (d *Dialer) Run(ctx context.Context) error {
	var workers sync.WaitGroup
	defer workers.Wait()
	for i := range maxConcurrentDials {
		workers.Go(func() { d.work(ctx, i == 0) })
	}
	t := time.NewTicker(reconnectTick)
	defer t.Stop()
	for first := true; ; first = false {
		if !first {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
		d.retryHints()
		peers, err := d.store.Peers(ctx)
		if err != nil {
			continue
		}
		for _, p := range peers {
			id, err := peer.Decode(p.ID)
			if err == nil && !d.net.IsConnected(id) {
				d.try(id, parseAddrs(p.Addrs), false, true)
			}
		}
	}
}

// LastError is why the last dial to id failed, if it did.
func (d *Dialer) LastError(id peer.ID) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if st := d.st[id]; st != nil {
		return st.err
	}
	return nil
}
