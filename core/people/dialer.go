package people

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

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
	store    AddrStore
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
	// running counts the dials running, and pace how many may
	// (dialpace.go).
	running, pace int
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
	// sameKey: the peer is known to share our workspace key, a
	// colleague we met (in the store) or one a colleague introduced, so a
	// handshake that runs out of time is a busy machine's
	// (p2p.WithSameKey).
	sameKey bool
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
	Store  AddrStore // the known colleagues and their last addresses
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
		hintGuard: newHintGuard(), dialling: map[peer.ID]int{}, pace: maxConcurrentDials,
		wake: make(chan struct{}, 1), wakeKnown: make(chan struct{}, 1)}
}

// work runs queued dials until ctx ends.
func (d *Dialer) work(ctx context.Context, knownOnly bool) {
	for {
		st, next, ok := d.take(ctx, knownOnly)
		if !ok {
			return
		}
		addrs := next.addrs
		var err error
		if !d.net.IsConnected(st.id) {
			dctx, cancel := context.WithTimeout(ctx, d.dialBudget())
			if next.sameKey {
				dctx = p2p.WithSameKey(dctx)
			}
			err = d.net.Connect(dctx, st.id, addrs)
			cancel()
		}
		d.mu.Lock()
		st.inflight = false
		d.finished(st, err)
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
		// A colleague on a key rotated since may answer late rather than
		// not at all: its dial times out as a busy one's does.
		if err != nil && d.otherKey != nil && (errors.Is(err, p2p.ErrDifferentWorkspace) || errors.Is(err, p2p.ErrSlowHandshake)) {
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
	d.met(id)
	d.try(id, p2p.ParseAddrs(p.Addrs), true, true)
}

// met notes that id is a colleague we know: it shares our workspace key.
func (d *Dialer) met(id peer.ID) {
	if id == d.net.ID() {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.state(id).sameKey = true
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
	var memo sweepMemo
	for first := true; ; first = false {
		if !first {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
		d.retryHints()
		peers, err := d.store.PeerAddrs(ctx)
		if err != nil {
			continue
		}
		for _, p := range memo.sweep(peers) {
			if !d.net.IsConnected(p.id) {
				d.met(p.id)
				d.try(p.id, p.addrs, false, true)
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
