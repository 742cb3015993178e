package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	hcrypto "hallway/crypto"
	"hallway/p2p"

	ma "github.com/multiformats/go-multiaddr"
)

// A code may carry where its maker listens (crypto.AppendCodeAddrs), for a
// newcomer beyond the maker's subnet, where mDNS does not reach. Joining
// keeps those addresses in the data folder (codeAddrsFile); the service
// asks who answers at each (p2p.Node.Identify), saves it as a colleague
// at that address, and forgets the address. From that first colleague on,
// peer exchange introduces everyone else. An address nobody of the
// workspace answers at is tried on a back-off for codeAddrsLife.
const (
	codeAddrsLife     = 7 * 24 * time.Hour
	codeAddrsFirstGap = time.Second
	codeAddrsMaxGap   = time.Minute
)

// codeAddrs is what codeAddrsFile holds.
type codeAddrs struct {
	At    time.Time        `json:"at"` // when we joined
	Addrs []netip.AddrPort `json:"addrs"`
}

// WriteCodeAddrs keeps the addresses of the code the data folder dir
// joined with; none removes those of an earlier code.
func WriteCodeAddrs(dir string, addrs []netip.AddrPort, at time.Time) error {
	if len(addrs) == 0 {
		return removeIfPresent(dir, codeAddrsFile, "the addresses of the invite code")
	}
	b, err := json.Marshal(codeAddrs{At: at.UTC(), Addrs: addrs})
	if err != nil {
		return err
	}
	if err := hcrypto.WriteFileAtomic(filepath.Join(dir, codeAddrsFile), b, 0o600); err != nil {
		return fmt.Errorf("write the addresses of the invite code: %w", err)
	}
	return nil
}

// readCodeAddrs reads codeAddrsFile; none when there is none.
func readCodeAddrs(dir string) (codeAddrs, error) {
	b, err := os.ReadFile(filepath.Join(dir, codeAddrsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return codeAddrs{}, nil
	}
	if err != nil {
		return codeAddrs{}, fmt.Errorf("read the addresses of the invite code: %w", err)
	}
	var c codeAddrs
	if len(b) > 4<<10 || json.Unmarshal(b, &c) != nil || len(c.Addrs) > hcrypto.MaxCodeAddrs {
		return codeAddrs{}, errors.New("the addresses of the invite code are unreadable")
	}
	return c, nil
}

// codeAddrBook is the service's copy of codeAddrsFile; it drops each
// address once done with it.
type codeAddrBook struct {
	dir string
	mu  sync.Mutex // guards the file
}

// done forgets a, in the file too.
func (b *codeAddrBook) done(a netip.AddrPort) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, err := readCodeAddrs(b.dir)
	if err != nil {
		return err
	}
	return WriteCodeAddrs(b.dir, slices.DeleteFunc(c.Addrs, func(x netip.AddrPort) bool { return x == a }), c.At)
}

// followCodeAddrs starts one loop per address of the code we joined with.
func (s *Service) followCodeAddrs() {
	c, err := readCodeAddrs(s.cfg.DataDir)
	if err != nil {
		s.log.Warn("invite code addresses", "err", err)
		return
	}
	book := &codeAddrBook{dir: s.cfg.DataDir}
	if len(c.Addrs) > 0 && s.now().Sub(c.At) > codeAddrsLife {
		s.log.Info("giving up the addresses of the invite code", "joined", c.At)
		if err := WriteCodeAddrs(s.cfg.DataDir, nil, c.At); err != nil {
			s.log.Warn("invite code addresses", "err", err)
		}
		return
	}
	for _, a := range c.Addrs {
		s.spawn(func(ctx context.Context) { s.followCodeAddr(ctx, book, a) })
	}
}

// followCodeAddr asks who answers at a until a Hallway of our workspace
// does, and saves it as a colleague at a.
func (s *Service) followCodeAddr(ctx context.Context, book *codeAddrBook, a netip.AddrPort) {
	transport, err := transportAddr(a)
	if err != nil {
		s.log.Warn("invite code address", "addr", a, "err", err)
		book.done(a)
		return
	}
	gap := codeAddrsFirstGap
	for {
		id, err := s.node.Identify(ctx, transport)
		switch {
		case err == nil:
			full := transport.Encapsulate(ma.StringCast("/p2p/" + id.String()))
			res, aerr := s.intake.AddPeer(ctx, full.String())
			if aerr == nil && res.Saved {
				s.log.Info("saved the colleague the invite code named", "peer", id, "addr", transport, "connected", res.Connected)
				if err := book.done(a); err != nil {
					s.log.Warn("invite code addresses", "err", err)
				}
				return
			}
			err = aerr
		case errors.Is(err, p2p.ErrSelf), errors.Is(err, p2p.ErrNotLAN):
			book.done(a)
			return
		}
		s.log.Debug("invite code address not answering yet", "addr", transport, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(gap):
		}
		gap = min(2*gap, codeAddrsMaxGap)
	}
}

// transportAddr is the TCP multiaddr of a.
func transportAddr(a netip.AddrPort) (ma.Multiaddr, error) {
	proto := "ip4"
	if a.Addr().Unmap().Is6() {
		proto = "ip6"
	}
	return ma.NewMultiaddr(fmt.Sprintf("/%s/%s/tcp/%d", proto, a.Addr().Unmap(), a.Port()))
}

// CodeAddrs are where this node listens, for the codes it makes: its LAN
// addresses as it advertises them, IPv4 first.
func (s *Service) CodeAddrs() []netip.AddrPort {
	if s.node == nil {
		return nil
	}
	var strs []string
	for _, a := range s.node.Addrs() {
		strs = append(strs, a.String())
	}
	return ParseCodeAddrs(strs)
}

// ParseCodeAddrs picks the addresses a code carries from multiaddrs as a
// node advertises them: TCP over IPv4 first, then IPv6, at most
// crypto.MaxCodeAddrs.
func ParseCodeAddrs(addrs []string) []netip.AddrPort {
	var v4, v6 []netip.AddrPort
	for _, s := range addrs {
		a, err := ma.NewMultiaddr(s)
		if err != nil {
			continue
		}
		if _, err := a.ValueForProtocol(ma.P_CIRCUIT); err == nil {
			continue // a relay's address, not ours
		}
		ipText, err4 := a.ValueForProtocol(ma.P_IP4)
		if err4 != nil {
			if ipText, err = a.ValueForProtocol(ma.P_IP6); err != nil {
				continue
			}
		}
		portText, err := a.ValueForProtocol(ma.P_TCP)
		if err != nil {
			continue
		}
		ap, err := netip.ParseAddrPort(net.JoinHostPort(ipText, portText))
		if err != nil || slices.Contains(v4, ap) || slices.Contains(v6, ap) {
			continue
		}
		if err4 == nil {
			v4 = append(v4, ap)
		} else {
			v6 = append(v6, ap)
		}
	}
	out := append(v4, v6...)
	return out[:min(len(out), hcrypto.MaxCodeAddrs)]
}
