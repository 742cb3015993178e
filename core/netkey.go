package core

import (
	"context"
	"errors"

	"hallway/chat"
	hcrypto "hallway/crypto"
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
	if s.netHas {
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
	if s.ws == nil || s.rooms == nil {
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
	s.net, s.netHas = next, true
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
	epoch, err := s.rooms.RotateNetworkKey(ctx)
	if err != nil {
		return chat.NetworkKeyState{}, err
	}
	s.checkNetworkKey()
	st := s.NetworkKeyState()
	st.Epoch = epoch
	return st, nil
}

// NetworkKeyState says which network key the node runs on.
func (s *Service) NetworkKeyState() chat.NetworkKeyState {
	s.netMu.Lock()
	defer s.netMu.Unlock()
	k := s.networkKeyLocked()
	st := chat.NetworkKeyState{Epoch: k.Epoch, Rotated: s.netHas}
	if s.ws != nil {
		st.Tag = k.Key.Tag()
	}
	for _, p := range s.net.Past {
		if p.Until.After(s.now()) {
			st.GraceUntil = append(st.GraceUntil, p.Until.UTC())
		}
	}
	return st
}
