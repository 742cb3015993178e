package discovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/grandcat/zeroconf"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Defaults of MDNSConfig.
const (
	DefaultService     = "_hallway._tcp"
	DefaultDomain      = "local."
	DefaultMaxRoundGap = 30 * time.Second
)

// MDNSConfig configures MDNS. Zero values of optional fields are the
// documented defaults.
type MDNSConfig struct {
	Self         peer.ID // required; announced in TXT and never reported
	Port         int     // required; TCP port the libp2p host listens on
	WorkspaceTag string  // required; public tag, peers with another tag are ignored and counted
	Service      string  // DNS-SD service type; default DefaultService
	Domain       string  // default DefaultDomain
	// Interfaces to announce and browse on, matched by name and looked up
	// again every round. Nil means every up, multicast-capable interface
	// except loopback.
	Interfaces  []net.Interface
	Logger      *slog.Logger  // nil discards
	MaxRoundGap time.Duration // cap of the browse back-off, ≥ 1 s; default DefaultMaxRoundGap
	// OnWorkspaces, when set, is told the other workspaces seen on the
	// LAN (see Workspaces) each time their list changes. It is called
	// from Run's goroutine and must not block.
	OnWorkspaces func([]Workspace)
}

// MDNS announces this node (with zeroconf's responder) and browses for
// colleagues over multicast DNS in rounds. Its own querier keeps a cache
// of the answers and lists them as known answers in its queries, and skips
// a round's query when another colleague just asked the same (RFC 6762
// §7.1, §7.3), so a settled office sends about one query per round and
// each colleague answers about every other round, however many there are
// (answers.go). A colleague is seen again every round for as long as it
// was heard within the last four rounds at the longest gap.
type MDNS struct {
	cfg    MDNSConfig
	names  []string // of cfg.Interfaces; nil for all
	name   string   // instance and host label
	txt    []string
	sink   Sink
	log    *slog.Logger
	rescan chan struct{}
	// askAll: a rescan was asked for; the next query has everyone answer.
	askAll atomic.Bool
	others *idSet
	nearby *nearbyBook
	active atomic.Bool
	heard  heardLog
}

// NewMDNS checks cfg and prepares an MDNS; nothing touches the network
// before Run.
func NewMDNS(cfg MDNSConfig, sink Sink) (*MDNS, error) {
	if sink == nil {
		return nil, errors.New("discovery: nil sink")
	}
	if _, err := peer.IDFromBytes([]byte(cfg.Self)); err != nil {
		return nil, fmt.Errorf("discovery: self peer ID: %w", err)
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("discovery: port %d: want 1..65535", cfg.Port)
	}
	if cfg.Service == "" {
		cfg.Service = DefaultService
	}
	if err := checkService(cfg.Service); err != nil {
		return nil, err
	}
	if cfg.Domain == "" {
		cfg.Domain = DefaultDomain
	}
	if d := strings.Trim(cfg.Domain, "."); d == "" || len(d) > 63 || strings.ContainsAny(d, ", \\") {
		return nil, fmt.Errorf("discovery: domain %q", cfg.Domain)
	}
	if cfg.MaxRoundGap == 0 {
		cfg.MaxRoundGap = DefaultMaxRoundGap
	}
	if cfg.MaxRoundGap < firstRound {
		return nil, fmt.Errorf("discovery: MaxRoundGap %v: want at least %v", cfg.MaxRoundGap, firstRound)
	}
	txt, err := txtRecord(cfg.Self, cfg.WorkspaceTag)
	if err != nil {
		return nil, err
	}
	var names []string
	if cfg.Interfaces != nil {
		names = []string{}
		for _, ifi := range cfg.Interfaces {
			names = append(names, ifi.Name)
		}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &MDNS{
		cfg:    cfg,
		names:  names,
		name:   instanceName(cfg.Self),
		txt:    txt,
		sink:   sink,
		log:    log,
		rescan: make(chan struct{}, 1),
		others: newIDSet(maxOtherWorkspaces),
		// A peer still there answers every round; one missing for three
		// rounds at the longest gap has gone.
		nearby: newNearbyBook(3 * cfg.MaxRoundGap),
	}, nil
}

// checkService accepts "_name._tcp" or "_name._udp" with a name of 1-15
// letters, digits and hyphens (RFC 6335 §5.1). zeroconf would read a comma
// as a subtype list, so anything looser is refused.
func checkService(s string) error {
	name, proto, ok := strings.Cut(s, ".")
	if !ok || (proto != "_tcp" && proto != "_udp") || len(name) < 2 || len(name) > 16 || name[0] != '_' {
		return fmt.Errorf("discovery: service %q: want _name._tcp", s)
	}
	for _, r := range name[1:] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return fmt.Errorf("discovery: service %q: want _name._tcp", s)
		}
	}
	return nil
}

// Run announces and browses until ctx is done, then withdraws the
// announcement (an mDNS goodbye) and returns nil. Failures of the network
// are logged and retried every round, since Wi-Fi comes and goes. All
// sockets are made on the calling goroutine. One Run at a time.
func (m *MDNS) Run(ctx context.Context) error {
	if !m.active.CompareAndSwap(false, true) {
		return errors.New("discovery: MDNS is already running")
	}
	defer m.active.Store(false)
	r := &mdnsRounds{m: m, filter: roundFilter{
		self: m.cfg.Self, tag: m.cfg.WorkspaceTag, sink: m.sink, log: m.log, others: m.others,
		nearby: m.nearby, onNearby: m.cfg.OnWorkspaces, heard: &m.heard,
	}, browse: newBrowser(m.cfg.Service, m.cfg.Domain, m.cfg.MaxRoundGap, m.log)}
	defer r.browse.close()
	defer r.withdraw()
	runRounds(ctx, m.cfg.MaxRoundGap, m.rescan, r, m.log)
	return nil
}

// Rescan asks for a new browse round soon and fast rounds after it, e.g.
// after a network change, and has every colleague answer its query, known
// or not. It never blocks.
func (m *MDNS) Rescan() {
	m.askAll.Store(true)
	select {
	case m.rescan <- struct{}{}:
	default: // one pending rescan is as good as many
	}
}

// OtherWorkspaces is how many distinct peers were seen announcing another
// workspace tag; it stops counting at 1024.
func (m *MDNS) OtherWorkspaces() int { return m.others.len() }

// Heard is when mDNS last heard another Hallway (of any workspace), zero
// when never since it started: none at all while colleagues are around
// says the network drops multicast.
func (m *MDNS) Heard() time.Time { return m.heard.last() }

// Interfaces are the interfaces mDNS runs on now.
func (m *MDNS) Interfaces() []string {
	ifs, err := lanInterfaces(m.names)
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(ifs))
	for _, ifi := range ifs {
		out = append(out, ifi.Name)
	}
	return out
}

// heardLog is when mDNS last heard another Hallway.
type heardLog struct{ at atomic.Int64 }

func (h *heardLog) mark() {
	if h != nil {
		h.at.Store(time.Now().UnixNano())
	}
}

func (h *heardLog) last() time.Time {
	if n := h.at.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// Workspaces lists the other workspaces announced on the LAN lately, the
// most populated first: each public tag with how many distinct peers
// announced it within the last three rounds at the longest gap. Our own
// workspace is not listed; its peers are sightings.
func (m *MDNS) Workspaces() []Workspace { return m.nearby.list(time.Now()) }

// mdnsRounds is the zeroconf side of the browse rounds. It lives on Run's
// goroutine only.
type mdnsRounds struct {
	m      *MDNS
	filter roundFilter
	server *zeroconf.Server
	key    string // what the running server announces, on which interfaces
	browse *browser
}

func (r *mdnsRounds) openRound(ctx context.Context, length time.Duration) (<-chan *zeroconf.ServiceEntry, error) {
	ifaces, err := lanInterfaces(r.m.names)
	if err != nil {
		return nil, err
	}
	if len(ifaces) == 0 {
		r.withdraw()
		r.browse.close()
		return nil, errors.New("discovery: no up, multicast-capable interface")
	}
	r.announce(ifaces)

	if err := r.browse.open(ifaces); err != nil {
		return nil, err
	}
	if r.m.askAll.Swap(false) {
		r.browse.cache.askEveryone()
	}
	r.filter.begin()
	return r.browse.round(ctx, length), nil
}

func (r *mdnsRounds) entry(ctx context.Context, e *zeroconf.ServiceEntry) bool {
	return r.filter.consider(ctx, e)
}

func (r *mdnsRounds) closeRound() { r.filter.finish() }

// announce (re)registers the service when the interfaces or addresses
// changed since the last round, so a new DHCP lease is announced without a
// restart.
func (r *mdnsRounds) announce(ifaces []net.Interface) {
	ips, err := announceIPs(ifaces)
	if err != nil {
		r.m.log.Warn("mdns: cannot read interface addresses", "err", err)
		return
	}
	var key strings.Builder
	for _, ifi := range ifaces {
		fmt.Fprintf(&key, "%s/%d ", ifi.Name, ifi.Index)
	}
	key.WriteString(strings.Join(ips, " "))
	if key.String() == r.key && (r.server != nil || len(ips) == 0) {
		return
	}
	r.withdraw()
	r.key = key.String()
	if len(ips) == 0 {
		// zeroconf would then look addresses up from its own goroutines,
		// which may run outside this goroutine's network namespace.
		r.m.log.Info("mdns: no address to announce; browsing only")
		return
	}
	srv, err := zeroconf.RegisterProxy(r.m.name, r.m.cfg.Service, r.m.cfg.Domain, r.m.cfg.Port, r.m.name, ips, r.m.txt, ifaces)
	if err != nil {
		r.m.log.Warn("mdns: cannot announce", "err", err)
		return
	}
	r.server = srv
	r.m.log.Debug("mdns: announcing", "instance", r.m.name, "addrs", ips, "port", r.m.cfg.Port)
}

// withdraw stops announcing; zeroconf sends a goodbye (TTL 0) first.
func (r *mdnsRounds) withdraw() {
	if r.server != nil {
		r.server.Shutdown()
		r.server = nil
	}
}
