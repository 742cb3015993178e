package core

import (
	"context"
	"errors"
	"slices"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// A workspace's network key is its workspace key until an admin rotates
// it (core/rooms/netkey.go): the node then writes the new key to the data
// folder and restarts on it (ErrNetworkKeyChanged), keeping the old one a
// while to hand the new key to members who were away
// (core/netkey_grace.go).

// ErrNetworkKeyChanged ends Run when the node moved to a new network key:
// its supervisor opens the data folder again, on the new key.
var ErrNetworkKeyChanged = errors.New("the workspace moved to a new network key")

// networkKey is the network key the node runs on: the rotated one, or the
// workspace key (epoch 0).
func (s *Service) networkKey() hcrypto.NetworkKey {
	s.netMu.Lock()
	defer s.netMu.Unlock()
	return s.networkKeyLocked()
}

func (s *Service) networkKeyLocked() hcrypto.NetworkKey {
	if s.net.rotated() {
		return s.net.Current
	}
	if s.ws == nil {
		return hcrypto.NetworkKey{}
	}
	return hcrypto.NetworkKey{Key: *s.ws}
}

// psk is the private-network key the node listens and dials with; nil in
// the open LAN.
func (s *Service) psk() []byte {
	if s.ws == nil {
		return nil
	}
	k := s.networkKey().Key
	return k[:]
}

// checkNetworkKey moves to the network key the workspace policy names,
// once the #general key it derives from is here.
func (s *Service) checkNetworkKey() {
	if s.ws == nil || s.rooms == nil || s.holdMove.Load() {
		return
	}
	if k, ok := s.rooms.NetworkKey(); ok {
		if err := s.moveNetworkKey(k); err != nil && !errors.Is(err, errNotNewer) {
			s.log.Warn("move to the new network key", "err", err)
		}
	}
}

// errNotNewer: a network key of an epoch no later than the one in use.
var errNotNewer = errors.New("not a newer network key")

// moveNetworkKey records k as the network key, if its epoch is past the
// one in use, and has Run end so that the node restarts on it.
func (s *Service) moveNetworkKey(k hcrypto.NetworkKey) error {
	s.netMu.Lock()
	defer s.netMu.Unlock()
	cur := s.networkKeyLocked()
	if k.Epoch <= cur.Epoch {
		return errNotNewer
	}
	next := s.net.moved(k, cur.Key, s.now())
	if err := writeNetworkKeys(s.cfg.DataDir, next); err != nil {
		return err
	}
	s.net = next
	s.log.Info("the workspace moved to a new network key: restarting on it", "epoch", k.Epoch)
	select {
	case s.netChanged <- struct{}{}:
	default:
	}
	return nil
}

// runNetworkKeyWatch ends Run with ErrNetworkKeyChanged once the node
// moved to a new network key.
func (s *Service) runNetworkKeyWatch(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case <-s.netChanged:
		return ErrNetworkKeyChanged
	}
}

// RotateNetworkKey moves the workspace to a new network key (admins only):
// members online take it at once, members away are handed it on their
// return for networkGrace (netkey_grace.go), and codes made from now on
// carry it. This node restarts on it right after.
func (s *Service) RotateNetworkKey(ctx context.Context) (chat.NetworkKeyState, error) {
	if s.ws == nil {
		return chat.NetworkKeyState{}, chat.UserErrorf("the open LAN workspace has no network key to rotate")
	}
	// Our node moves last: the members online take the key from us on the
	// old one first, which is quicker than handing it to each afterwards.
	s.holdMove.Store(true)
	events := s.bus.subscribe(ctx)
	online := s.connectedMembers()
	epoch, err := s.rooms.RotateNetworkKey(ctx)
	if err == nil {
		s.waitMembersMoved(ctx, events, online)
	}
	s.holdMove.Store(false)
	if err != nil {
		return chat.NetworkKeyState{}, err
	}
	s.checkNetworkKey()
	st := s.NetworkKeyState()
	st.Epoch = epoch
	return st, nil
}

// rotateWait bounds how long a rotating admin's node waits for the members
// online to move before it moves itself; those that have not are handed
// the key as members away are.
const rotateWait = 5 * time.Second

// connectedMembers are the workspace members connected now.
func (s *Service) connectedMembers() []peer.ID {
	var out []peer.ID
	if s.node == nil {
		return nil
	}
	for _, p := range s.node.ConnectedPeers() {
		if s.admission(p) == p2p.Admitted {
			out = append(out, p)
		}
	}
	return out
}

// waitMembersMoved returns once none of members is connected any more
// (each restarted on the new key), or after rotateWait.
func (s *Service) waitMembersMoved(ctx context.Context, events <-chan chat.Event, members []peer.ID) {
	timeout := time.NewTimer(rotateWait)
	defer timeout.Stop()
	for slices.ContainsFunc(members, s.node.IsConnected) {
		select {
		case <-ctx.Done():
			return
		case <-timeout.C:
			return
		case _, ok := <-events:
			if !ok {
				return
			}
		}
	}
}

// NetworkKeyState says which network key the node runs on.
func (s *Service) NetworkKeyState() chat.NetworkKeyState {
	s.netMu.Lock()
	defer s.netMu.Unlock()
	k := s.networkKeyLocked()
	st := chat.NetworkKeyState{Epoch: k.Epoch, Rotated: s.net.rotated()}
	if s.ws != nil {
		st.Tag = k.Key.Tag()
	}
	for _, p := range s.net.inGrace(s.now()) {
		st.GraceUntil = append(st.GraceUntil, p.Until.UTC())
	}
	return st
}
