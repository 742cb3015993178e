package rooms

import (
	"context"
	"errors"
	"fmt"
	"slices"

	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Entering the workspace by a pass (p2p.ProtoEnter). The newcomer's node,
// holding a pass code, connects to any member (the gater lets it in as an
// entrant while a pass is open) and proves the pass; the member checks it
// against the log and its own clock, and hands over the workspace room's
// keys and the heads of its log. The newcomer signs its join, naming
// those heads and carrying the proof, and the member takes it into its
// log like any operation: the replay decides (passlog.go), and every
// other member decides the same once sync brings it. Then both ends
// connect again, as colleagues.

// ServeEnter checks a newcomer's pass at this member's node.
func (m *Manager) ServeEnter(ctx context.Context, from peer.ID, req p2p.EnterRequest) p2p.EnterReply {
	j, err := m.workspaceRoom()
	self := m.deps.Net.ID().String()
	if err != nil || req.Room != j.id {
		return p2p.EnterReply{Status: p2p.EnterNotMember}
	}
	r := j.roster()
	if _, in := r.role(self); !in || !r.owned {
		return p2p.EnterReply{Status: p2p.EnterNotMember}
	}
	proof, err := hcrypto.ParsePassProof(req.Proof)
	if err != nil || !proof.Verify(j.id, []byte(from)) {
		return p2p.EnterReply{Status: p2p.EnterUnknown}
	}
	p := r.passes[proof.Key]
	now := m.now()
	switch {
	case !m.caughtUp.Load() && len(r.roles) > 1:
		// Just started, and not synced with another member yet: our
		// log may miss the entries that used the pass up.
		return p2p.EnterReply{Status: p2p.EnterLater}
	case p == nil:
		return p2p.EnterReply{Status: p2p.EnterUnknown}
	}
	switch r.passState(p, now) {
	case passClosed:
		return p2p.EnterReply{Status: p2p.EnterClosed}
	case passUsedUp:
		return p2p.EnterReply{Status: p2p.EnterUsedUp}
	case passExpired:
		return p2p.EnterReply{Status: p2p.EnterExpired}
	}
	if abs(proof.At-now.UnixMilli()) > maxClockSkew.Milliseconds() {
		return p2p.EnterReply{Status: p2p.EnterClock}
	}
	opening, _, err := m.deps.Store.RoomEnvelope(ctx, j.id, p.by, p.seq)
	if err != nil {
		m.log.Warn("enter: read the pass's opening", "err", err)
		return p2p.EnterReply{Status: p2p.EnterNotMember}
	}
	var openedAt uint64 // the epoch the newcomer needs the key of to check it
	if env, err := hcrypto.UnmarshalEnvelope(opening); err == nil {
		openedAt = env.Epoch
	}
	keys, err := m.epochKeys(ctx, j, openedAt)
	if err != nil {
		m.log.Warn("enter: read the workspace room's keys", "err", err)
		return p2p.EnterReply{Status: p2p.EnterNotMember}
	}
	rep := p2p.EnterReply{Status: p2p.EnterOK, Epochs: keys, Opening: opening}
	for _, h := range r.heads {
		rep.Heads = append(rep.Heads, [32]byte(h))
	}
	return rep
}

// epochKeys are the workspace room's later epoch keys, one per epoch, the
// newest p2p.MaxRedeemEpochs, oldest first; the key of epoch also when
// it is older (in place of the oldest).
func (m *Manager) epochKeys(ctx context.Context, j *Joined, epoch uint64) ([]p2p.RedeemEpoch, error) {
	keys, err := m.deps.Store.RoomEpochKeys(ctx, j.id)
	if err != nil {
		return nil, err
	}
	var out []p2p.RedeemEpoch
	for _, k := range keys {
		if k.Epoch == 0 || len(out) > 0 && out[len(out)-1].Epoch >= k.Epoch {
			continue
		}
		out = append(out, p2p.RedeemEpoch{Epoch: k.Epoch, Key: k.Key})
	}
	if len(out) > p2p.MaxRedeemEpochs {
		cut := len(out) - p2p.MaxRedeemEpochs
		i := slices.IndexFunc(out[:cut], func(k p2p.RedeemEpoch) bool { return k.Epoch == epoch })
		kept := out[max(i, 0)]
		out = out[cut:]
		if i >= 0 {
			out[0] = kept // still in increasing order: older than the rest
		}
	}
	return out, nil
}

// ServeEntry takes the join of a newcomer whose pass checked: its own
// envelope, carrying a proof, in the workspace room. The log's replay
// says whether it is in.
func (m *Manager) ServeEntry(ctx context.Context, from peer.ID, raw []byte) (p2p.EnterStatus, string) {
	j, err := m.workspaceRoom()
	if err != nil {
		return p2p.EnterNotMember, ""
	}
	env, err := hcrypto.UnmarshalEnvelope(raw)
	if err != nil || env.Room != j.id {
		return p2p.EnterRefused, "not an envelope of the workspace room"
	}
	if author, err := peer.IDFromBytes(env.Author); err != nil || author != from {
		return p2p.EnterRefused, "not the newcomer's own envelope"
	}
	e, err := openEntry(m.deps.Net.ID(), j, env, raw)
	if err != nil {
		return p2p.EnterRefused, "the envelope does not open: " + err.Error()
	}
	if e.Op == nil {
		return p2p.EnterRefused, "not a join"
	}
	op, err := hcrypto.UnmarshalMemberOp(hcrypto.BodyKind(e.Op.Op[1]), e.Op.Op)
	if err != nil || op.Kind != hcrypto.BodyJoin || len(op.Payload) == 0 {
		return p2p.EnterRefused, "not a join by a pass"
	}
	m.entering.Store(from, true)
	defer m.entering.Delete(from)
	stored, err := m.commit.commit(ctx, storage.Replicated, []pending{{entry: e, live: true}})
	if err != nil {
		m.log.Warn("enter: store a newcomer's join", "peer", from, "err", err)
		return p2p.EnterRefused, "this member could not store it"
	}
	if len(stored) == 0 {
		// Held already: a sync from the newcomer may have brought it a
		// moment ago, and its replay may not have run yet. Replay now
		// (replays are serialised, so this one sees it).
		if err := m.relog(ctx, j); err != nil {
			m.log.Warn("enter: replay the workspace room's log", "err", err)
			return p2p.EnterRefused, "this member could not replay its log"
		}
	}
	r := j.roster()
	if why, refused := r.refused[e.Op.Hash]; refused {
		return p2p.EnterRefused, why
	}
	if _, in := r.role(from.String()); !in {
		return p2p.EnterRefused, "the log does not place it (operations it names are missing here)"
	}
	m.log.Info("a newcomer entered the workspace by a pass", "peer", from)
	// Everyone else hears of it by sync: ask each connected member now,
	// which syncs back.
	m.syncer.withAll(j.id)
	return p2p.EnterOK, ""
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// ErrEnterRefused wraps why no member let us in by the pass.
var ErrEnterRefused = errors.New("the pass did not let us in")

// Enter enters the workspace by pass at a member's node: the proof, then
// our join naming the heads it gave. Nil once the member counts us in.
func (m *Manager) Enter(ctx context.Context, to peer.ID, pass hcrypto.PassCode) error {
	j, err := m.workspaceRoom()
	if err != nil {
		return err
	}
	self := m.deps.Net.ID()
	// Before it holds the log (its creation among it), a newcomer's
	// roster counts its own join by the key: that says nothing.
	if countsIn(j.roster(), self) {
		return nil
	}
	proof := hcrypto.NewPassProof(pass.Private(), j.id, []byte(self), m.now().UnixMilli())
	st, reason, err := m.deps.Net.Enter(ctx, to, p2p.EnterRequest{Room: j.id, Proof: proof.Marshal()},
		func(rep p2p.EnterReply) ([]byte, error) {
			if err := checkOpening(j, pass, rep); err != nil {
				return nil, err // nothing of its taken
			}
			for _, k := range rep.Epochs {
				rk := &p2p.RoomKey{Room: j.id, Epoch: k.Epoch, Key: k.Key[:]}
				if err := m.takeKey(ctx, j, to, rk, hcrypto.RoomKey(k.Key)); err != nil {
					m.log.Debug("enter: a key of the workspace room", "epoch", k.Epoch, "err", err)
				}
			}
			heads := make([]hcrypto.OpHash, 0, len(rep.Heads))
			for _, h := range rep.Heads {
				heads = append(heads, hcrypto.OpHash(h))
			}
			// Not gossiped now: no member's mesh would take it from an
			// entrant (announceEntry publishes it once we are a colleague).
			e, err := m.poster.postOpGossip(ctx, j, hcrypto.MemberOp{Kind: hcrypto.BodyJoin, Payload: proof.Marshal()}, false, heads...)
			if err != nil {
				return nil, err
			}
			m.entry.Store(&e.Raw)
			return e.Raw, nil
		})
	switch {
	case errors.Is(err, errNoOpening):
		return fmt.Errorf("%w: %w", ErrEnterRefused, err)
	case err != nil:
		return err
	case st == p2p.EnterOK:
		m.log.Info("entered the workspace by a pass", "at", to)
		return nil
	}
	return fmt.Errorf("%w: %s", ErrEnterRefused, enterRefusal(st, reason))
}

// enterRefusal is what the user is told of a member's refusal.
func enterRefusal(st p2p.EnterStatus, reason string) string {
	switch st {
	case p2p.EnterNotMember:
		return "that colleague is not a member of this workspace"
	case p2p.EnterUnknown:
		return "that member's Hallway knows no such pass; check the code, or ask an admin for a new one"
	case p2p.EnterExpired:
		return "the pass has expired; ask an admin for a new one"
	case p2p.EnterClosed:
		return "an admin closed the pass; ask an admin for a new one"
	case p2p.EnterUsedUp:
		return "the pass has been used up; ask an admin for a new one"
	case p2p.EnterClock:
		return "this computer's clock is too far from that member's; set the time and try again"
	case p2p.EnterLater:
		return "that member's Hallway is catching up with the workspace; another member, or this one shortly, will let you in"
	}
	return "the workspace's log refused the entry: " + reason
}

// announceEntry gossips our join by a pass once we are in the workspace
// room's mesh: the member that let us in forwards it to the others, whose
// nodes let us in as soon as it arrives rather than at their next sync.
// Once is enough: gossip carries it to every member online.
func (m *Manager) announceEntry(room string) {
	j, err := m.workspaceRoom()
	if err != nil || room != j.id {
		return
	}
	raw := m.entry.Swap(nil)
	if raw == nil {
		return
	}
	m.deps.Spawner.Go(func(ctx context.Context) {
		if err := j.Publish(ctx, *raw); err != nil {
			m.log.Debug("gossip our entry", "err", err)
		}
	})
}

// pulledFrom notes a completed pull: from a member of the workspace room,
// of it, our log of it is caught up as far as that member's went.
func (m *Manager) pulledFrom(id peer.ID, rooms []string) {
	j, err := m.workspaceRoom()
	if err != nil || m.caughtUp.Load() || rooms != nil && !slices.Contains(rooms, j.id) {
		return
	}
	if _, in := j.roster().role(id.String()); in {
		m.caughtUp.Store(true)
	}
}
