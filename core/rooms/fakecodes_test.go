package rooms

import (
	"context"
	"errors"
	"sync"

	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

type codeKey struct {
	room string
	hash [32]byte
}

// fakeCodes keeps room codes in memory, as storage.Store would.
type fakeCodes struct {
	codesMu   sync.Mutex // guards the fields below
	codes     map[codeKey]storage.RoomCode
	uses      map[codeKey]map[string]bool
	revokeAll map[string]uint64
}

func (s *fakeCodes) init() {
	if s.codes == nil {
		s.codes, s.uses, s.revokeAll = map[codeKey]storage.RoomCode{}, map[codeKey]map[string]bool{}, map[string]uint64{}
	}
}

func (s *fakeCodes) PutRoomCode(_ context.Context, c storage.RoomCode) error {
	s.codesMu.Lock()
	defer s.codesMu.Unlock()
	s.init()
	k := codeKey{c.Room, c.Hash}
	old, ok := s.codes[k]
	if ok && old.Issuer != "" {
		return nil
	}
	c.Revoked = old.Revoked
	s.codes[k] = c
	return nil
}

func (s *fakeCodes) RevokeRoomCode(_ context.Context, room string, hash [32]byte) error {
	s.codesMu.Lock()
	defer s.codesMu.Unlock()
	s.init()
	k := codeKey{room, hash}
	c := s.codes[k]
	c.Room, c.Hash, c.Revoked = room, hash, true
	s.codes[k] = c
	return nil
}

func (s *fakeCodes) RevokeRoomCodes(_ context.Context, room string, hlc uint64) error {
	s.codesMu.Lock()
	defer s.codesMu.Unlock()
	s.init()
	s.revokeAll[room] = max(s.revokeAll[room], hlc)
	return nil
}

func (s *fakeCodes) AddRoomCodeUse(_ context.Context, room string, hash [32]byte, joiner string) error {
	s.codesMu.Lock()
	defer s.codesMu.Unlock()
	s.init()
	k := codeKey{room, hash}
	if s.uses[k] == nil {
		s.uses[k] = map[string]bool{}
	}
	s.uses[k][joiner] = true
	return nil
}

func (s *fakeCodes) RoomCodeByLookup(_ context.Context, room string, lookup [16]byte, except string) (storage.RoomCode, bool, error) {
	s.codesMu.Lock()
	defer s.codesMu.Unlock()
	s.init()
	for k, c := range s.codes {
		if k.room != room || c.Issuer == "" || c.Lookup != lookup {
			continue
		}
		c.Revoked = c.Revoked || c.IssuedHLC <= s.revokeAll[room]
		c.Uses = 0
		for j := range s.uses[k] {
			if j != except {
				c.Uses++
			}
		}
		return c, true, nil
	}
	return storage.RoomCode{}, false, nil
}

// usesOf is how many joiners a code of room counts.
func (s *fakeCodes) usesOf(room string, hash [32]byte) int {
	s.codesMu.Lock()
	defer s.codesMu.Unlock()
	return len(s.uses[codeKey{room, hash}])
}

// dialable is every test node a redemption can dial, as on a LAN where
// every address is known; a node taken off it is offline.
var dialable sync.Map // peer.ID → p2p.RedeemServer

// Redeem asks a peer's node, connected or dialable, through the wire's
// limits.
func (n *fakeNet) Redeem(ctx context.Context, to peer.ID, req p2p.RedeemRequest) (p2p.RedeemReply, error) {
	n.mu.Lock()
	srv := n.redeemers[to]
	n.redeemAsked = append(n.redeemAsked, to)
	n.mu.Unlock()
	if srv == nil {
		if v, ok := dialable.Load(to); ok {
			srv = v.(p2p.RedeemServer)
		}
	}
	if srv == nil {
		return p2p.RedeemReply{}, errors.New("not connected")
	}
	req, err := p2p.DecodeRedeemRequest(req.Marshal())
	if err != nil {
		return p2p.RedeemReply{}, err
	}
	return p2p.DecodeRedeemReply(srv.ServeRedeem(ctx, n.id, req).Marshal())
}

// Enter asks a peer's node, connected or dialable, to let us in by a
// pass, through the wire's encodings.
func (n *fakeNet) Enter(ctx context.Context, to peer.ID, req p2p.EnterRequest, join func(p2p.EnterReply) ([]byte, error)) (p2p.EnterStatus, string, error) {
	n.mu.Lock()
	red := n.redeemers[to]
	n.mu.Unlock()
	if red == nil {
		if v, ok := dialable.Load(to); ok {
			red = v.(p2p.RedeemServer)
		}
	}
	srv, ok := red.(p2p.EnterServer)
	if !ok {
		return 0, "", errors.New("not connected")
	}
	req, err := p2p.DecodeEnterRequest(req.Marshal())
	if err != nil {
		return 0, "", err
	}
	rep, err := p2p.DecodeEnterReply(srv.ServeEnter(ctx, n.id, req).Marshal())
	if err != nil || rep.Status != p2p.EnterOK {
		return rep.Status, "", err
	}
	env, err := join(rep)
	if err != nil {
		return 0, "", err
	}
	st, reason := srv.ServeEntry(ctx, n.id, env)
	return st, reason, nil
}
