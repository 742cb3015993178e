package core

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hallway/chat"
	"hallway/core/rooms"
	hcrypto "hallway/crypto"

	"github.com/libp2p/go-libp2p/core/peer"
)

// A newcomer who joined with a pass code keeps the pass in the data folder
// (workspacePassFile, private to the user) until its own log of the
// workspace room counts it in; then the file goes. A member's yes is not
// enough: its log may have been partial, and the replay may yet refuse the
// entry (two newcomers on a pass's last use at once), and then the pass
// is asked again, and the user told why. Entering needs no admin online:
// any member the node connects to will do (core/rooms/enter.go).

// passWait is how long after a member let us in the pass is not shown
// again: enough for sync to bring the log that counts us in.
const passWait = 30 * time.Second

// WritePass keeps a pass code in the data folder until it is used.
func WritePass(dir string, c hcrypto.PassCode) error {
	code, err := c.Encode()
	if err != nil {
		return err
	}
	if err := hcrypto.WriteFileAtomic(filepath.Join(dir, workspacePassFile), []byte(code+"\n"), 0o600); err != nil {
		return fmt.Errorf("write the workspace pass: %w", err)
	}
	return nil
}

// ReadPass is the data folder's pass, ok false when there is none.
func ReadPass(dir string) (hcrypto.PassCode, bool, error) {
	b, err := os.ReadFile(filepath.Join(dir, workspacePassFile))
	if errors.Is(err, fs.ErrNotExist) {
		return hcrypto.PassCode{}, false, nil
	}
	if err != nil {
		return hcrypto.PassCode{}, false, fmt.Errorf("read the workspace pass: %w", err)
	}
	c, err := hcrypto.ParsePassCode(strings.TrimSpace(string(b)))
	if err != nil {
		return hcrypto.PassCode{}, false, chat.UserErrorf("the workspace pass in %s is unreadable: %v", dir, err)
	}
	return c, true, nil
}

// RemovePass drops the data folder's pass.
func RemovePass(dir string) error {
	return removeIfPresent(dir, workspacePassFile, "the workspace pass")
}

// enterByPass asks a colleague just connected, then every other one, to
// let us in by our pass, while we hold one and are not a member yet; one
// round at a time (a colleague connecting meanwhile is asked in it). Once
// a member has, the pass file goes, and we connect to it again, this time
// as a colleague. A round that found no member to let us in ends; the
// next connection starts another (members close an entrant's connection
// after p2p.EntrantGrace, and it is dialled again).
func (s *Service) enterByPass(id peer.ID) {
	if !s.passMu.TryLock() {
		return
	}
	if s.pass == nil || s.settlePass() || time.Since(s.passAnswered) < passWait {
		s.passMu.Unlock() // read under passMu: enterAt and settlePass change them
		return
	}
	s.spawn(func(ctx context.Context) {
		defer s.passMu.Unlock()
		asked := map[peer.ID]bool{}
		for next := id; next != ""; next = s.nextToAsk(asked) {
			asked[next] = true
			if s.pass == nil || s.enterAt(ctx, next) {
				return
			}
		}
	})
}

// nextToAsk is a connected colleague not asked yet, "" for none.
func (s *Service) nextToAsk(asked map[peer.ID]bool) peer.ID {
	for _, p := range s.node.ConnectedPeers() {
		if !asked[p] {
			return p
		}
	}
	return ""
}

// enterAt asks one colleague; true once we are in.
func (s *Service) enterAt(ctx context.Context, id peer.ID) bool {
	err := s.rooms.Enter(ctx, id, *s.pass)
	switch {
	case errors.Is(err, rooms.ErrEnterRefused):
		s.log.Warn("a colleague did not let us in by the pass", "colleague", id, "err", err)
		return false
	case err != nil:
		s.log.Debug("enter by the pass", "colleague", id, "err", err)
		return false
	}
	s.passAnswered = time.Now()
	s.node.Disconnect(id)
	if s.dial != nil {
		s.dial.Retry(id)
	}
	return true
}

// settlePass forgets the pass once our log counts us in, and reports
// whether it did; passMu held.
func (s *Service) settlePass() bool {
	if s.pass == nil || s.rooms == nil || !s.rooms.CountsUsIn() {
		return false
	}
	s.pass = nil
	if err := RemovePass(s.cfg.DataDir); err != nil {
		s.log.Warn("forget the used pass", "err", err)
	}
	s.log.Info("the workspace's log counts us in; the pass is forgotten")
	return true
}

// trySettlePass settles the pass unless an ask holds passMu: that ask
// settles it when it next runs.
func (s *Service) trySettlePass() {
	if s.passMu.TryLock() {
		s.settlePass()
		s.passMu.Unlock()
	}
}

// OpenPass opens a pass for newcomers (admins only).
func (s *Service) OpenPass(ctx context.Context, uses int, expires time.Duration) (chat.WorkspacePass, error) {
	p, err := s.rooms.OpenPass(ctx, rooms.PassOptions{Uses: uses, Expires: expires})
	if err == nil && p.Code != "" {
		p.Code = hcrypto.AppendCodeAddrs(p.Code, s.CodeAddrs())
	}
	return p, err
}

// WorkspacePasses lists the workspace's passes, newest first.
func (s *Service) WorkspacePasses(ctx context.Context) ([]chat.WorkspacePass, error) {
	return s.rooms.Passes(ctx)
}

// ClosePass closes a pass (admins only).
func (s *Service) ClosePass(ctx context.Context, id string) error { return s.rooms.ClosePass(ctx, id) }
