package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"hallway/chat"
	"hallway/core/dm"
	"hallway/core/people"
	"hallway/core/records"
	"hallway/core/rooms"
	"hallway/core/transfer"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Config configures a Service. Zero values are the documented defaults.
type Config struct {
	// DataDir holds identity, workspace key, history and the control socket.
	DataDir string
	// Name, when set, becomes the display name (and is remembered).
	// Default: the remembered name, else the OS user's name.
	Name string
	// ListenAddrs default to all interfaces on a random TCP port.
	ListenAddrs []string
	// StaticPeers are colleagues' addresses (ending in /p2p/<id>) dialled
	// in addition to those found by mDNS and those added with AddPeer.
	StaticPeers []string
	// NoMDNS turns LAN discovery off (networks that block multicast, tests).
	NoMDNS bool
	// AllowNets are address ranges beyond the LAN's private ones where
	// colleagues may be (a VPN's); the workspace policy may add more.
	AllowNets []netip.Prefix
	// NoRelay neither relays for colleagues nor holds a relay slot with
	// one: colleagues without a direct path to this node cannot reach it.
	NoRelay bool
	// Files is the file-transfer policy.
	Files  FilesConfig
	Logger *slog.Logger

	// now, for tests of this package, replaces the clock memberships and
	// passes expire by.
	now func() time.Time
}

// Service is a running Hallway node.
type Service struct {
	cfg  Config
	log  *slog.Logger
	lock *dirLock
	key  ic.PrivKey
	ws   *hcrypto.WorkspaceKey
	// wsRoom is the private workspace's room of admins and policy.
	wsRoom rooms.WorkspaceRoom
	// pass is the pass we enter the workspace by, until our log counts
	// us in; passMu lets one ask at a time (core/pass.go).
	pass   *hcrypto.PassCode
	passMu sync.Mutex
	// passAnswered is when a member last let us in by the pass.
	passAnswered time.Time
	// net is the rotated network key state (the zero state: none), under
	// netMu; netChanged ends Run once the node moved to a new key
	// (core/netkey.go); handovers paces handing it to members who were
	// away (core/netkey_grace.go).
	netMu      sync.Mutex
	net        networkKeys
	netChanged chan struct{}
	handovers  handovers
	// holdMove keeps the node on its key while it rotates it.
	holdMove atomic.Bool
	store    *storage.Store
	node     *p2p.Node
	bus      *bus
	// peerEvents makes reading a colleague and publishing an event about
	// them one step (publishPeer).
	peerEvents sync.Mutex
	dm         *dm.Service
	dial       *people.Dialer

	colleagues *people.Directory
	presence   *people.Presence
	intake     *people.Intake
	trust      *people.TrustBook
	blocks     *people.Blocklist
	authors    *people.Authors

	rooms *rooms.Manager

	records *records.Keeper // search, export, backup, retention

	transfers *transfer.Service

	// prefsMu orders the read-modify-write of preferences that one field
	// at a time changes (mutes, do not disturb, recent reactions).
	prefsMu sync.Mutex
	typing  typingSent

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// spawnMu orders spawn against Close: no goroutine is added to wg
	// once cancel has run.
	spawnMu   sync.Mutex
	closeOnce sync.Once
}

// Open takes the data folder (refusing if another Hallway holds it), loads
// or creates the identity, opens history and starts the network host.
// Discovery and delivery start with Run.
func Open(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.DataDir == "" {
		d, err := DefaultDataDir()
		if err != nil {
			return nil, err
		}
		cfg.DataDir = d
	}
	if err := ensureDataDir(cfg.DataDir); err != nil {
		return nil, err
	}
	if cfg.Files.Downloads == "" {
		cfg.Files.Downloads = defaultDownloads()
	}
	lock, err := lockDataDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, log: cfg.Logger, lock: lock, bus: newBus(), netChanged: make(chan struct{}, 1)}
	if err := s.open(ctx); err != nil {
		s.closeParts()
		return nil, err
	}
	return s, nil
}

func (s *Service) open(ctx context.Context) error {
	key, created, err := hcrypto.LoadOrCreateIdentity(filepath.Join(s.cfg.DataDir, identityFile))
	if err != nil {
		return fmt.Errorf("identity: %w", err)
	}
	s.key = key
	if created {
		s.log.Info("created a new identity", "dir", s.cfg.DataDir)
	}
	if s.ws, err = loadWorkspace(s.cfg.DataDir); err != nil {
		return err
	}
	if s.ws != nil {
		if s.wsRoom, _, err = ReadWorkspaceRoom(s.cfg.DataDir); err != nil {
			return err
		}
		if s.net, _, err = readNetworkKeys(s.cfg.DataDir); err != nil {
			return err
		}
		if c, ok, err := ReadPass(s.cfg.DataDir); err != nil {
			return err
		} else if ok && c.Key == *s.ws && c.Room == s.wsRoom.ID {
			s.pass = &c
		}
	}
	s.store, err = storage.Open(ctx, filepath.Join(s.cfg.DataDir, databaseFile))
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	if err := s.openPeople(ctx); err != nil {
		return err
	}
	psk := s.psk()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.dm = newDMs(s)
	last, err := s.store.MaxHLC(ctx)
	if err != nil {
		return fmt.Errorf("read room clock: %w", err)
	}
	s.rooms = s.newRooms(last)
	if s.records, err = s.newRecords(); err != nil {
		return err
	}
	s.transfers = s.newTransfers()
	s.node, err = s.startNode(ctx, psk)
	if err != nil {
		return fmt.Errorf("network: %w", err)
	}
	s.node.SetFileServer(blockedFiles{s.transfers.FileServer(), s.blocks})
	if s.ws != nil {
		s.node.SetNetKeyServer(s)
	}
	if err := s.openRooms(ctx); err != nil {
		return err
	}
	s.checkNetworkKey() // a move a restart cut short
	return nil
}

// now is the clock memberships, passes and network key grace go by.
func (s *Service) now() time.Time {
	if s.cfg.now != nil {
		return s.cfg.now()
	}
	return time.Now()
}

// startNode listens where configured; by default on every interface, on
// the same port as last time when it is free, so that the addresses
// colleagues saved for us stay valid across restarts, and the first time
// on p2p.DefaultPort when it is free.
func (s *Service) startNode(ctx context.Context, psk []byte) (*p2p.Node, error) {
	cfg := p2p.Config{Identity: s.key, ListenAddrs: s.cfg.ListenAddrs, PSK: psk, Logger: s.log, NoBulk: s.cfg.Files.NoBulkLane,
		AllowNets: s.cfg.AllowNets, WorkspaceNets: s.workspaceNets(), NoRelay: s.cfg.NoRelay,
		Admission: s.admission}
	if len(cfg.ListenAddrs) > 0 {
		return p2p.New(cfg, (*handler)(s))
	}
	if port, ok, _ := s.store.Setting(ctx, settingListenPort); ok {
		cfg.ListenAddrs = []string{"/ip4/0.0.0.0/tcp/" + port, "/ip6/::/tcp/" + port}
		if n, err := p2p.New(cfg, (*handler)(s)); err == nil {
			return n, nil
		}
		s.log.Info("last port is taken; listening on a new one", "port", port)
	}
	cfg.ListenAddrs = []string{fmt.Sprintf("/ip4/0.0.0.0/tcp/%d", p2p.DefaultPort), fmt.Sprintf("/ip6/::/tcp/%d", p2p.DefaultPort)}
	n, err := p2p.New(cfg, (*handler)(s))
	if err != nil {
		cfg.ListenAddrs = nil // taken: a port of the system's choosing
		n, err = p2p.New(cfg, (*handler)(s))
	}
	if err != nil {
		return nil, err
	}
	if err := s.store.SetSetting(ctx, settingListenPort, strconv.Itoa(n.ListenPort())); err != nil {
		n.Close()
		return nil, err
	}
	return n, nil
}

// Run discovers colleagues and delivers messages until ctx ends, then
// closes the service.
func (s *Service) Run(ctx context.Context) error {
	defer s.Close()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-s.ctx.Done():
			cancel()
		case <-runCtx.Done():
		}
	}()
	// one slot per goroutine below, so none blocks on its way out
	errc := make(chan error, 16)
	for _, run := range []func(context.Context) error{s.dial.Run, s.dm.Run, s.rooms.Writer().Run, s.rooms.Syncer().Run, s.transfers.Run,
		s.runTrustWatch, s.records.Run, s.runAdmissionWatch, s.runNetworkKeyWatch} {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); errc <- run(runCtx) }()
	}
	s.transfers.Resume(runCtx, "")
	if err := s.startDiscovery(runCtx, errc); err != nil {
		if runCtx.Err() != nil {
			return nil // stopped while starting
		}
		return err
	}
	select {
	case <-runCtx.Done():
		return nil
	case err := <-errc:
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		<-runCtx.Done()
		return nil
	}
}

// Close stops the network (colleagues see us offline at once), waits for
// background work and closes history. It is safe to call more than once.
func (s *Service) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.spawnMu.Lock()
		if s.cancel != nil {
			s.cancel()
		}
		s.spawnMu.Unlock()
		if s.node != nil {
			err = s.node.Close()
		}
		s.wg.Wait()
		s.closeParts()
	})
	return err
}

func (s *Service) closeParts() {
	s.bus.closeAll()
	if s.store != nil {
		s.store.Close()
	}
	s.lock.release()
}

// Subscribe follows events until ctx ends or the service closes.
func (s *Service) Subscribe(ctx context.Context) <-chan chat.Event { return s.bus.subscribe(ctx) }

// DataDir is the folder this service uses.
func (s *Service) DataDir() string { return s.cfg.DataDir }

// ID is this node's peer ID.
func (s *Service) ID() peer.ID { return s.node.ID() }

// Store exposes history for tests and tools in this module.
func (s *Service) Store() *storage.Store { return s.store }

// spawn runs fn in a goroutine owned by the service; after Close began it
// does nothing.
func (s *Service) spawn(fn func(ctx context.Context)) {
	s.spawnMu.Lock()
	defer s.spawnMu.Unlock()
	if s.ctx.Err() != nil {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn(s.ctx)
	}()
}
