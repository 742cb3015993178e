package core

import (
	"context"
	"net/netip"
	"slices"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"hallway/chat"
	"hallway/core/rooms"
	"hallway/p2p"
	"hallway/policy"
)

// The workspace's admins and policy live in its workspace room
// (core/rooms/workspace.go); these serve them to the control API.

// WorkspaceMembers lists the workspace's members and their roles.
func (s *Service) WorkspaceMembers(ctx context.Context) ([]chat.RoomMember, error) {
	return s.rooms.WorkspaceMembers(ctx)
}

// SetWorkspaceAdmin names a member an admin, or takes it back.
func (s *Service) SetWorkspaceAdmin(ctx context.Context, peer string, admin bool) error {
	return s.rooms.SetAdmin(ctx, peer, admin)
}

// Policy is the workspace policy in force.
func (s *Service) Policy(ctx context.Context) (chat.Policy, error) { return s.rooms.Policy(ctx) }

// SetPolicy changes one setting of the workspace policy (admins only).
func (s *Service) SetPolicy(ctx context.Context, key, value string) (chat.Policy, error) {
	return s.rooms.SetPolicy(ctx, key, value)
}

// PolicyHistory lists every accepted policy version, oldest first.
func (s *Service) PolicyHistory(ctx context.Context) ([]chat.Policy, error) {
	return s.rooms.PolicyHistory(ctx)
}

// policyChanged applies a new workspace policy in force: retention
// follows it at once. File rules and room creation read the policy at
// each decision.
func (s *Service) policyChanged(ctx context.Context, prev, next policy.Document) {
	s.log.Info("workspace policy in force", "version", next.Version)
	if next.NetworkEpoch != prev.NetworkEpoch {
		s.spawn(func(context.Context) { s.checkNetworkKey() })
	}
	if next.AdmitsByAdmins() {
		s.dropUnadmitted()
	}
	if s.node != nil && !slices.Equal(prev.AllowNets, next.AllowNets) {
		s.node.SetAllowNets(s.cfg.AllowNets, s.rooms.WorkspacePolicy().AllowedNets())
		s.log.Info("address ranges allowed beyond the LAN", "ranges", s.allowNets())
	}
	if s.records == nil {
		return // opening: the retention kept from before stands until the keeper runs
	}
	if err := s.records.ApplyWorkspacePolicy(ctx, prev, next); err != nil {
		s.log.Warn("apply the workspace policy's retention", "err", err)
	}
}

// workspaceNets are the workspace policy's ranges beyond the LAN.
func (s *Service) workspaceNets() []netip.Prefix {
	if s.rooms == nil {
		return nil
	}
	return s.rooms.WorkspacePolicy().AllowedNets()
}

// allowNets are the address ranges beyond the LAN where colleagues may
// be: the node's own (--allow-net) and the workspace policy's.
func (s *Service) allowNets() []netip.Prefix {
	out := slices.Clone(s.cfg.AllowNets)
	if s.rooms != nil {
		for _, p := range s.rooms.WorkspacePolicy().AllowedNets() {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// WorkspacePolicy is the signed workspace policy in force.
func (s *Service) WorkspacePolicy() policy.Document { return s.rooms.WorkspacePolicy() }

// admission is the node's one verdict on a key, at every connection,
// stream and gossip message: refused when the user blocked it, the
// workspace revoked it, or the workspace admits members by admins and
// none admitted it, unless a pass is open: then it may connect as an
// entrant, to enter by the pass alone (core/pass.go).
func (s *Service) admission(p peer.ID) p2p.Admission {
	switch {
	case s.blocks.IsBlocked(p):
		return p2p.Refused
	case s.rooms == nil:
		return p2p.Admitted
	case s.rooms.IsRevoked(p):
		return p2p.Refused
	case s.rooms.Admits(p):
		return p2p.Admitted
	case s.rooms.PassOpen():
		return p2p.Entrant
	}
	return p2p.Refused
}

// AdmitMember has an admin admit a colleague by their key, under the name
// the admin knows them by, for a while or (expires 0) until revoked.
func (s *Service) AdmitMember(ctx context.Context, peer, name string, expires time.Duration) error {
	return s.rooms.Admit(ctx, peer, rooms.AdmitOptions{Name: name, Expires: expires})
}

// runAdmissionWatch drops, each minute, the connections of members whose
// membership statement expired (new ones are refused by the gater), and
// forgets a pass our log has come to count us in by.
func (s *Service) runAdmissionWatch(ctx context.Context) error {
	t := time.NewTicker(admissionWatchEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if s.rooms.WorkspacePolicy().AdmitsByAdmins() {
				s.dropUnadmitted()
			}
			s.trySettlePass()
		}
	}
}

// admissionWatchEvery is how often expired memberships are looked for.
const admissionWatchEvery = time.Minute

// dropUnadmitted closes the connections of peers the workspace does not
// admit (once its policy admits members by admins).
func (s *Service) dropUnadmitted() {
	if s.node == nil || s.rooms == nil {
		return
	}
	for _, p := range s.node.ConnectedPeers() {
		if !s.rooms.Admits(p) {
			s.log.Info("not admitted to the workspace: its connections are refused", "peer", p)
			s.node.Disconnect(p)
		}
	}
}

// revoked drops the connections of a member the workspace took out; the
// node refuses its new ones from now on (refused).
func (s *Service) revoked(p peer.ID) {
	s.log.Info("revoked from the workspace: its connections are refused", "peer", p)
	if s.node != nil {
		s.node.Disconnect(p)
	}
}

// admitted dials a peer an admin just admitted, whose connections were
// refused until now, rather than wait for the next sighting. Told of
// ourselves, it forgets the pass our log now counts us in by.
func (s *Service) admitted(p peer.ID) {
	if s.node != nil && p == s.node.ID() {
		s.trySettlePass()
		return
	}
	if s.node != nil && s.node.Promote(p) {
		s.log.Info("entered the workspace: connecting again as a colleague", "peer", p)
	}
	if s.dial != nil {
		s.dial.Retry(p)
	}
}

// RevokeMember takes a member out of the workspace (admins only).
func (s *Service) RevokeMember(ctx context.Context, peer string) error {
	return s.rooms.Revoke(ctx, peer)
}

// AcknowledgeNotice records, signed, that the user accepts the policy's
// acceptable-use notice.
func (s *Service) AcknowledgeNotice(ctx context.Context) (chat.Policy, error) {
	return s.rooms.AcknowledgeNotice(ctx)
}
