package archive

import (
	"encoding/base64"
	"maps"
	"slices"

	hcrypto "hallway/crypto"

	"github.com/libp2p/go-libp2p/core/peer"
)

// A room's membership and administration operations (its creation, adds
// and removals, roles, and in the workspace room the admins and policy
// versions) form a signed log. Verify checks each one's signature like any
// message; with a LogReplayer it also replays each room's log as every
// member does, so the report says which operations their authors had the
// right to make (an admin's policy) and which every member refused (a
// member's forged one), and who the log leaves in the room.

// LogOp is one operation of a room's log as the export holds it.
type LogOp struct {
	Hash   hcrypto.OpHash // of its signed envelope
	ID     string
	Author string
	Seq    uint64
	Op     hcrypto.MemberOp
	Name   string // the display name its author signed
}

// LogVerdict is what a replay of one room's log found.
type LogVerdict struct {
	// Replayed is false when the log could not be replayed: the export
	// does not reach back to the room's creation.
	Replayed bool
	Refused  map[hcrypto.OpHash]string // each refused operation's reason
	Roles    map[string]string         // peer id → owner, admin or member
	Removed  []string                  // removed or left, by peer id
	Policy   uint64                    // the workspace policy in force
}

// LogReplayer replays a room's operations by the rules members apply;
// workspace selects the workspace room's.
type LogReplayer func(room string, workspace bool, ops []LogOp) LogVerdict

// Options widen what Verify checks.
type Options struct {
	Logs LogReplayer
}

// LogResult is one room log's audit in a Report.
type LogResult struct {
	Room       string            `json:"room"`
	Name       string            `json:"name"`
	Workspace  bool              `json:"workspace,omitempty"`
	Operations int               `json:"operations"`
	Replayed   bool              `json:"replayed"`
	Refused    []RefusedOp       `json:"refused,omitempty"`
	Members    map[string]string `json:"members,omitempty"`
	Removed    []string          `json:"removed,omitempty"`
	Policy     uint64            `json:"policy_version,omitempty"`
}

// RefusedOp is an operation every member refused, and why.
type RefusedOp struct {
	Index  int    `json:"index"` // of the message in the export
	ID     string `json:"id"`
	Author string `json:"author"`
	Action string `json:"action"` // the message's text
	Reason string `json:"reason"`
}

// auditLogs replays the log of each room with operations among the
// verified messages.
func auditLogs(r *Report, body *Body, replay LogReplayer) {
	type held struct {
		ops     []LogOp
		indexes map[hcrypto.OpHash]int
	}
	logs := map[string]*held{}
	for _, res := range r.Messages {
		m := &body.Messages[res.Index]
		if res.Status != StatusVerified || m.Proof.Type != ProofRoom {
			continue
		}
		op, ok := logOpOf(m)
		if !ok {
			continue
		}
		h := logs[m.ConversationID]
		if h == nil {
			h = &held{indexes: map[hcrypto.OpHash]int{}}
			logs[m.ConversationID] = h
		}
		if _, dup := h.indexes[op.Hash]; !dup {
			h.ops = append(h.ops, op)
			h.indexes[op.Hash] = res.Index
		}
	}
	rooms := map[string]Room{}
	for _, room := range body.Rooms {
		rooms[room.ID] = room
	}
	for _, id := range slices.Sorted(maps.Keys(logs)) {
		h := logs[id]
		res := LogResult{Room: id, Name: rooms[id].Name, Workspace: rooms[id].Workspace, Operations: len(h.ops)}
		v := replay(id, res.Workspace, h.ops)
		res.Replayed = v.Replayed
		if v.Replayed {
			res.Members, res.Removed, res.Policy = v.Roles, v.Removed, v.Policy
			for _, op := range h.ops {
				if why := v.Refused[op.Hash]; why != "" {
					i := h.indexes[op.Hash]
					res.Refused = append(res.Refused, RefusedOp{Index: i, ID: op.ID, Author: op.Author,
						Action: body.Messages[i].Text, Reason: why})
				}
			}
			slices.SortFunc(res.Refused, func(a, b RefusedOp) int { return a.Index - b.Index })
		}
		r.Logs = append(r.Logs, res)
	}
}

// logOpOf is the operation a verified room message carries, if any.
func logOpOf(m *Message) (LogOp, bool) {
	raw, err := base64.StdEncoding.DecodeString(m.Proof.Envelope)
	if err != nil {
		return LogOp{}, false
	}
	env, err := hcrypto.UnmarshalEnvelope(raw)
	if err != nil {
		return LogOp{}, false
	}
	keyBytes, err := base64.StdEncoding.DecodeString(m.Proof.MessageKey)
	if err != nil || len(keyBytes) != hcrypto.MessageKeyLen {
		return LogOp{}, false
	}
	plain, err := env.OpenWithMessageKey([hcrypto.MessageKeyLen]byte(keyBytes))
	if err != nil {
		return LogOp{}, false
	}
	b, err := hcrypto.UnmarshalRoomBody(plain)
	if err != nil || !hcrypto.IsMemberOpKind(b.Kind) || b.Text == "" {
		return LogOp{}, false
	}
	op, err := hcrypto.UnmarshalMemberOp(b.Kind, []byte(b.Text))
	if err != nil {
		return LogOp{}, false
	}
	author, err := peer.IDFromBytes(env.Author)
	if err != nil {
		return LogOp{}, false
	}
	return LogOp{Hash: hcrypto.HashOp(raw), ID: env.ID(), Author: author.String(), Seq: env.Seq, Op: op, Name: b.Name}, true
}
