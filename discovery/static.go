package discovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"
)

// Re-report schedule of Static: soon after a start or an Add, when a
// colleague's machine may still be booting, then rarely.
const (
	staticFirstGap = 2 * time.Second
	staticMaxGap   = time.Minute
)

// ErrNoPeerID is returned for a colleague's address without /p2p/<peer id>.
var ErrNoPeerID = errors.New("a colleague's address must end in /p2p/<peer id>")

// SplitP2PAddr splits /ip4/A/tcp/P/p2p/ID into the peer ID and the transport
// address /ip4/A/tcp/P.
func SplitP2PAddr(a multiaddr.Multiaddr) (peer.ID, multiaddr.Multiaddr, error) {
	info, err := peer.AddrInfoFromP2pAddr(a)
	if err != nil {
		return "", nil, fmt.Errorf("discovery: %q: %w: %w", a.String(), ErrNoPeerID, err)
	}
	if len(info.Addrs) == 0 || len(info.Addrs[0]) == 0 {
		return "", nil, fmt.Errorf("discovery: %q: no transport address before /p2p", a.String())
	}
	return info.ID, info.Addrs[0], nil
}

// Static reports configured addresses of colleagues as sightings: once at
// start and then on a back-off schedule, so core re-dials colleagues that
// were offline. It never removes an address.
type Static struct {
	sink  Sink
	log   *slog.Logger
	added chan struct{} // wakes Run after Add

	mu    sync.Mutex // guards order, addrs and fresh
	order []peer.ID  // first-configured first
	addrs map[peer.ID][]multiaddr.Multiaddr
	fresh []peer.ID // added since Run last reported
}

// NewStatic checks every address (each must end in /p2p/<peer id>).
func NewStatic(addrs []multiaddr.Multiaddr, sink Sink, logger *slog.Logger) (*Static, error) {
	if sink == nil {
		return nil, errors.New("discovery: nil sink")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Static{
		sink:  sink,
		log:   logger,
		added: make(chan struct{}, 1),
		addrs: make(map[peer.ID][]multiaddr.Multiaddr),
	}
	for _, a := range addrs {
		if err := s.Add(a); err != nil {
			return nil, err
		}
	}
	// Run reports everything at start anyway.
	s.fresh = nil
	select {
	case <-s.added:
	default:
	}
	return s, nil
}

// Add configures one more address; a running Static reports its peer at
// once and restarts the fast schedule. Adding a known address is a no-op.
func (s *Static) Add(a multiaddr.Multiaddr) error {
	id, transport, err := SplitP2PAddr(a)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	known, ok := s.addrs[id]
	if slices.ContainsFunc(known, transport.Equal) {
		return nil
	}
	if !ok {
		s.order = append(s.order, id)
	}
	s.addrs[id] = append(known, transport)
	if !slices.Contains(s.fresh, id) {
		s.fresh = append(s.fresh, id)
	}
	select {
	case s.added <- struct{}{}:
	default: // Run will pick up every fresh peer at once
	}
	return nil
}

// Run reports until ctx is done and returns nil then.
func (s *Static) Run(ctx context.Context) error {
	s.report(ctx, true)
	n := 0
	timer := time.NewTimer(backoff(n, staticFirstGap, staticMaxGap))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
			s.report(ctx, true)
			n = min(n+1, 32)
		case <-s.added:
			s.report(ctx, false)
			n = 0
		}
		timer.Reset(backoff(n, staticFirstGap, staticMaxGap))
	}
}

// report delivers all peers, or only those added since the last report.
func (s *Static) report(ctx context.Context, all bool) {
	s.mu.Lock()
	ids := s.fresh
	if all {
		ids = slices.Clone(s.order)
	}
	s.fresh = nil
	sightings := make([]Sighting, 0, len(ids))
	for _, id := range ids {
		sightings = append(sightings, Sighting{ID: id, Addrs: slices.Clone(s.addrs[id]), Via: ViaStatic})
	}
	s.mu.Unlock()

	for _, sg := range sightings {
		if ctx.Err() != nil {
			return
		}
		s.sink.PeerSeen(ctx, sg)
	}
	if len(sightings) > 0 {
		s.log.Debug("static: reported colleagues", "count", len(sightings))
	}
}
