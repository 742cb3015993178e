package rooms

import (
	"context"
	"fmt"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Room codes. A code names a room, its issuer and a random token; the
// issuer seals a record of the token's hash, expiry and uses into the room,
// so every member's node learns it (by gossip or sync) and can redeem it
// while the issuer is away (redeem.go). Nothing here keeps a token.

// codeStore is what members know of their rooms' codes.
type codeStore interface {
	PutRoomCode(ctx context.Context, c storage.RoomCode) error
	RevokeRoomCode(ctx context.Context, room string, hash [32]byte) error
	RevokeRoomCodes(ctx context.Context, room string, hlc uint64) error
	AddRoomCodeUse(ctx context.Context, room string, hash [32]byte, joiner string) error
	RoomCodeByLookup(ctx context.Context, room string, lookup [16]byte, except string) (storage.RoomCode, bool, error)
}

// CodeOptions shape a new code; zero values are the defaults.
type CodeOptions struct {
	// Expires is how long the code works: DefaultCodeLifetime (24 h)
	// unless set, at most hcrypto.MaxCodeLifetime (30 days).
	Expires time.Duration
	// Uses is how many colleagues may join with it; 0 is any number
	// until it expires.
	Uses int
}

// canIssueCodes reports whether who may issue and revoke codes of room j:
// its owner and admins by the membership log; in a room from before
// roles, any member.
func canIssueCodes(j *Joined, who peer.ID) bool {
	r := j.roster()
	if r == nil || !r.owned {
		_, in := r.role(who.String())
		return r == nil || in
	}
	return r.canManage(who.String())
}

// IssueCode makes a new code for a room and seals its record into the
// room, so any member's node redeems it.
func (m *Manager) IssueCode(ctx context.Context, ref string, opt CodeOptions) (chat.RoomCode, error) {
	j, err := m.joined.Resolve(ref)
	if err != nil {
		return chat.RoomCode{}, err
	}
	if j.general {
		return chat.RoomCode{}, chat.UserErrorf("everyone in the workspace is in #general already; newcomers join the workspace (hallway workspace invite)")
	}
	self := m.deps.Net.ID()
	if !canIssueCodes(j, self) {
		return chat.RoomCode{}, chat.UserErrorf("only the owner and admins of #%s may issue codes", j.name)
	}
	switch {
	case opt.Expires == 0:
		opt.Expires = hcrypto.DefaultCodeLifetime
	case opt.Expires < time.Second || opt.Expires > hcrypto.MaxCodeLifetime:
		return chat.RoomCode{}, chat.UserErrorf("a code may last from a second to %d days, not %v", hcrypto.MaxCodeLifetime/(24*time.Hour), opt.Expires)
	}
	if opt.Uses < 0 || opt.Uses > hcrypto.MaxCodeUses {
		return chat.RoomCode{}, chat.UserErrorf("a code may allow 1 to %d uses (or any number: 0), not %d", hcrypto.MaxCodeUses, opt.Uses)
	}
	tok, err := hcrypto.NewCodeToken()
	if err != nil {
		return chat.RoomCode{}, err
	}
	code := hcrypto.RoomCode{Room: j.id, Issuer: self, Token: tok}
	text, err := code.Encode()
	if err != nil {
		return chat.RoomCode{}, err
	}
	expires := time.UnixMilli(time.Now().Add(opt.Expires).UnixMilli())
	rec := hcrypto.CodeIssued{Hash: code.Hash(), ExpiresAt: expires.UnixMilli(), Uses: uint32(opt.Uses)}
	if _, err := m.poster.post(ctx, j, hcrypto.RoomBody{Kind: hcrypto.BodyCodeIssued, Text: rec.Text()}); err != nil {
		return chat.RoomCode{}, err
	}
	return chat.RoomCode{Code: text, Room: j.id, ExpiresAt: expires.UTC(), Uses: opt.Uses}, nil
}

// RevokeCode withdraws one code of a room, or with code "" every code
// issued so far, at every member as the record reaches them.
func (m *Manager) RevokeCode(ctx context.Context, ref, code string) error {
	j, err := m.joined.Resolve(ref)
	if err != nil {
		return err
	}
	if j.general {
		return chat.UserErrorf("#general has no codes")
	}
	if !canIssueCodes(j, m.deps.Net.ID()) {
		return chat.UserErrorf("only the owner and admins of #%s may revoke codes", j.name)
	}
	rec := hcrypto.CodeRevoked{All: true}
	if code != "" {
		c, err := hcrypto.ParseRoomCode(code)
		if err != nil {
			return chat.UserErrorf("that room code does not work: %v", err)
		}
		if c.Room != j.id {
			return chat.UserErrorf("that code is for another room, not #%s", j.name)
		}
		rec = hcrypto.CodeRevoked{Hash: c.Hash()}
	}
	_, err = m.poster.post(ctx, j, hcrypto.RoomBody{Kind: hcrypto.BodyCodeRevoked, Text: rec.Text()})
	return err
}

// codesSeen records what room messages just stored say of codes: issued,
// revoked, and used by a join. A revocation by a member without the right,
// or a code lasting longer than a code may, is ignored.
func (m *Manager) codesSeen(ctx context.Context, entries []*storage.RoomEntry) {
	for _, e := range entries {
		if err := m.codeSeen(ctx, e); err != nil {
			m.log.Warn("room code record", "room", e.Room, "author", e.Author, "err", err)
		}
	}
}

func (m *Manager) codeSeen(ctx context.Context, e *storage.RoomEntry) error {
	kind := chat.Kind(e.Message.Kind)
	if kind != chat.KindCodeIssued && kind != chat.KindCodeRevoked && kind != chat.KindJoin {
		return nil
	}
	author, err := peer.Decode(e.Author)
	if err != nil {
		return err
	}
	j := m.joined.Get(e.Room)
	// A revocation counts only from someone with the right. An issued
	// code is kept whoever sealed it: the log that shows its issuer's
	// right may reach us after it, and redemption checks the right then
	// (ServeRedeem), so a code of someone without it gives nothing.
	if kind == chat.KindCodeRevoked && (j == nil || !canIssueCodes(j, author)) {
		return nil
	}
	switch kind {
	case chat.KindCodeIssued:
		rec, err := hcrypto.ParseCodeIssued(e.Message.Text)
		if err != nil {
			return err
		}
		exp := time.UnixMilli(rec.ExpiresAt)
		if exp.Sub(e.Message.SentAt) > hcrypto.MaxCodeLifetime+time.Minute {
			return fmt.Errorf("a code lasting %v", exp.Sub(e.Message.SentAt))
		}
		return m.deps.Store.PutRoomCode(ctx, storage.RoomCode{Room: e.Room, Hash: rec.Hash, Lookup: rec.Hash.Lookup(),
			Issuer: e.Author, IssuedHLC: e.HLC, ExpiresAt: exp, MaxUses: int(rec.Uses)})
	case chat.KindCodeRevoked:
		rec, err := hcrypto.ParseCodeRevoked(e.Message.Text)
		if err != nil {
			return err
		}
		if rec.All {
			return m.deps.Store.RevokeRoomCodes(ctx, e.Room, e.HLC)
		}
		return m.deps.Store.RevokeRoomCode(ctx, e.Room, rec.Hash)
	default:
		if e.Op == nil || len(e.Op.Op) < 2 {
			return nil // a plain join, from before operations
		}
		op, err := hcrypto.UnmarshalMemberOp(hcrypto.BodyKind(e.Op.Op[1]), e.Op.Op)
		if err != nil {
			return err
		}
		h, byCode := op.Code()
		if !byCode {
			return nil
		}
		return m.deps.Store.AddRoomCodeUse(ctx, e.Room, h, e.Author)
	}
}

// codeText is how a code record shows in a room's history.
func codeText(kind, text string) string {
	switch chat.Kind(kind) {
	case chat.KindCodeIssued:
		rec, err := hcrypto.ParseCodeIssued(text)
		if err != nil {
			return "issued a room code"
		}
		uses := "any number of uses"
		if rec.Uses > 0 {
			uses = fmt.Sprintf("%d uses", rec.Uses)
		}
		return fmt.Sprintf("issued a room code (until %s, %s)", time.UnixMilli(rec.ExpiresAt).UTC().Format("2006-01-02 15:04 MST"), uses)
	case chat.KindCodeRevoked:
		if rec, err := hcrypto.ParseCodeRevoked(text); err == nil && rec.All {
			return "revoked every room code"
		}
		return "revoked a room code"
	}
	return text
}
