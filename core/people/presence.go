package people

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"strconv"
	"strings"
	"sync"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/discovery"
	"hallway/p2p"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Settings that hold the own profile.
const (
	settingName       = "name"
	settingStatus     = "status"
	settingStatusText = "status_text"
	settingVersion    = "profile_version"
)

// Presence keeps this node's own profile (name, status), tells colleagues
// about it, and records the profiles they push. It does not decide who is
// online: live connections do.
type Presence struct {
	cfg       PresenceConfig
	log       *slog.Logger
	store     ProfileStore
	net       ProfileNet
	pub       Publisher
	others    Workspaces
	directory Colleagues
	sightings discovery.Sink

	// profileMu guards profile.
	profileMu sync.Mutex
	profile   p2p.Profile

	// seenMu guards seenVersion: the newest profile version seen per
	// colleague, so a delayed push never overwrites a newer one.
	seenMu      sync.Mutex
	seenVersion map[peer.ID]int64

	clocks clockSkews
}

// PresenceConfig describes this node as Self reports it.
type PresenceConfig struct {
	// Name, when set, becomes the display name (and is remembered).
	// Default: the remembered name, else the OS user's name.
	Name string
	// Key is this node's public identity key.
	Key ic.PubKey
	// Workspace is "open" or "private"; WorkspaceTag its tag.
	Workspace    string
	WorkspaceTag string
	DataDir      string
	Logger       *slog.Logger // default: discard
}

// PresenceDeps are what presence works with.
type PresenceDeps struct {
	Store     ProfileStore
	Net       ProfileNet
	Publisher Publisher
	Others    Workspaces     // Hallways seen in other workspaces
	Directory Colleagues     // describes a colleague whose profile changed
	Sightings discovery.Sink // takes the colleagues a profile introduces
}

// NewPresence returns a presence keeper; Load reads the own profile.
func NewPresence(cfg PresenceConfig, deps PresenceDeps) *Presence {
	return &Presence{cfg: cfg, log: orDiscard(cfg.Logger), store: deps.Store, net: deps.Net, pub: deps.Publisher,
		others: deps.Others, directory: deps.Directory, sightings: deps.Sightings, seenVersion: map[peer.ID]int64{}}
}

// Load reads the remembered profile (the configured name wins), checks it
// and saves it with a fresh version.
func (p *Presence) Load(ctx context.Context) error {
	get := func(k, def string) (string, error) {
		v, ok, err := p.store.Setting(ctx, k)
		if err != nil || !ok {
			return def, err
		}
		return v, nil
	}
	var prof p2p.Profile
	var err error
	if prof.Name, err = get(settingName, defaultName()); err != nil {
		return fmt.Errorf("load profile: %w", err)
	}
	if p.cfg.Name != "" {
		prof.Name = p.cfg.Name
	}
	if prof.Status, err = get(settingStatus, chat.StatusAvailable); err != nil {
		return fmt.Errorf("load profile: %w", err)
	}
	if prof.StatusText, err = get(settingStatusText, ""); err != nil {
		return fmt.Errorf("load profile: %w", err)
	}
	v, err := get(settingVersion, "0")
	if err != nil {
		return fmt.Errorf("load profile: %w", err)
	}
	prof.Version, _ = strconv.ParseInt(v, 10, 64)
	if err := chat.CheckProfileFields(prof.Name, prof.Status, prof.StatusText); err != nil {
		return chat.UserErrorf("the display name %q cannot be used: %v", prof.Name, err)
	}
	return p.save(ctx, prof)
}

// defaultName is the OS user's full name, else the login name.
func defaultName() string {
	if u, err := user.Current(); err == nil {
		if n := strings.TrimSpace(strings.SplitN(u.Name, ",", 2)[0]); n != "" {
			return n
		}
		if u.Username != "" {
			return u.Username
		}
	}
	if h, err := os.Hostname(); err == nil {
		return h
	}
	return "Colleague"
}

// save persists prof with a fresh version, then makes it current.
func (p *Presence) save(ctx context.Context, prof p2p.Profile) error {
	prof.Version = max(prof.Version+1, time.Now().UnixMilli())
	for k, v := range map[string]string{
		settingName: prof.Name, settingStatus: prof.Status, settingStatusText: prof.StatusText,
		settingVersion: strconv.FormatInt(prof.Version, 10),
	} {
		if err := p.store.SetSetting(ctx, k, v); err != nil {
			return fmt.Errorf("save profile: %w", err)
		}
	}
	p.profileMu.Lock()
	p.profile = prof
	p.profileMu.Unlock()
	return nil
}

// Current is the own profile as colleagues see it.
func (p *Presence) Current() p2p.Profile {
	p.profileMu.Lock()
	defer p.profileMu.Unlock()
	return p.profile
}

// Name is the own display name.
func (p *Presence) Name() string { return p.Current().Name }

// Self describes this node.
func (p *Presence) Self(ctx context.Context) (chat.Self, error) {
	prof := p.Current()
	me := chat.Self{
		PeerID:       p.net.ID().String(),
		Name:         prof.Name,
		Fingerprint:  hcrypto.Fingerprint(p.cfg.Key),
		Status:       prof.Status,
		StatusText:   prof.StatusText,
		Workspace:    p.cfg.Workspace,
		WorkspaceTag: p.cfg.WorkspaceTag,
		DataDir:      p.cfg.DataDir,
	}
	for _, a := range p.net.Addrs() {
		me.Addrs = append(me.Addrs, a.String())
	}
	me.OtherWorkspaces = p.others.OtherWorkspaces()
	return me, nil
}

// SetStatus changes presence and tells every online colleague at once.
func (p *Presence) SetStatus(ctx context.Context, status, text string) error {
	prof := p.Current()
	prof.Status, prof.StatusText = status, text
	return p.change(ctx, prof)
}

// SetName changes the display name and tells every online colleague.
func (p *Presence) SetName(ctx context.Context, name string) error {
	prof := p.Current()
	prof.Name = name
	return p.change(ctx, prof)
}

func (p *Presence) change(ctx context.Context, prof p2p.Profile) error {
	if err := chat.CheckProfileFields(prof.Name, prof.Status, prof.StatusText); err != nil {
		return chat.UserErrorf("%v", err)
	}
	if err := p.save(ctx, prof); err != nil {
		return err
	}
	me, _ := p.Self(ctx)
	p.pub.Publish(chat.ProfileChanged{Self: me})
	p.PushToAll(ctx)
	return nil
}
