package rooms

import (
	"fmt"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// errCutOff refuses an envelope of a removed member, or of one that left,
// numbered past its cutoff. Whoever forwarded it may not know yet: it is
// ignored, not held against them.
var errCutOff = fmt.Errorf("%w: the author was removed from the room or left it", p2p.ErrIgnore)

// openEntry authenticates and opens an envelope of room j for the node
// self: signed by the key of the author it names, sealed with a key of its
// epoch.
func openEntry(self peer.ID, j *Joined, env *hcrypto.Envelope, raw []byte) (*storage.RoomEntry, error) {
	if env.Room != j.id {
		return nil, fmt.Errorf("envelope for room %q on room %q", env.Room, j.id)
	}
	author, err := peer.IDFromBytes(env.Author)
	if err != nil {
		return nil, fmt.Errorf("envelope author: %w", err)
	}
	if r := j.roster(); r != nil && r.pastCutoff(author.String(), env.Seq) {
		c, _ := r.cutoff(author.String())
		return nil, fmt.Errorf("%w: seq %d of %s is past its cutoff %d", errCutOff, env.Seq, author.ShortString(), c)
	}
	if err := verifyBy(env, author); err != nil {
		return nil, err
	}
	plain, err := openWithEpoch(j, env)
	if err != nil {
		return nil, err
	}
	body, err := hcrypto.UnmarshalRoomBody(plain)
	if err != nil {
		return nil, err
	}
	return makeEntry(self, j, env, raw, author, body), nil
}

// openWithEpoch opens env with a key of its epoch: one, or a few after
// a concurrent re-key.
func openWithEpoch(j *Joined, env *hcrypto.Envelope) ([]byte, error) {
	return openWithKeys(env, j.keysOf(env.Epoch))
}

// verifyBy checks env's signature by author's key.
func verifyBy(env *hcrypto.Envelope, author peer.ID) error {
	pub, err := author.ExtractPublicKey()
	if err != nil {
		return fmt.Errorf("envelope author key: %w", err)
	}
	return env.Verify(pub)
}

// openWithKeys opens env with the first of keys, those of its epoch, that
// fits.
func openWithKeys(env *hcrypto.Envelope, keys []hcrypto.RoomKey) ([]byte, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("no key for epoch %d of the room", env.Epoch)
	}
	var err error
	for _, k := range keys {
		var plain []byte
		if plain, err = env.Open(k); err == nil {
			return plain, nil
		}
	}
	return nil, err
}

// makeEntry is the storage form of an authenticated envelope and its body,
// as the node self keeps it.
func makeEntry(self peer.ID, j *Joined, env *hcrypto.Envelope, raw []byte, author peer.ID, body hcrypto.RoomBody) *storage.RoomEntry {
	name := shownName(body.Name)
	state := storage.StateReceived
	if author == self {
		state = storage.StateSent
	}
	e := &storage.RoomEntry{
		Room: j.id, Author: author.String(), Seq: env.Seq, HLC: env.HLC, Raw: raw,
		Message: storage.Message{
			ID: env.ID(), Conv: chat.RoomConv(j.id).String(), Author: author.String(), Text: body.Text,
			SentAt: time.UnixMilli(body.SentAt), State: state, Kind: bodyKind(body.Kind),
			HLC: env.HLC, AuthorSeq: env.Seq, Meta: storage.RoomMeta(name),
		},
	}
	if body.Chained {
		e.Prev = body.Prev[:]
	}
	switch {
	case hcrypto.IsMemberOpKind(body.Kind) && body.Text != "":
		// The body was validated: Text is the operation's encoding.
		e.Op = &storage.OpRecord{Hash: hcrypto.HashOp(raw), Op: []byte(body.Text), Name: name}
		e.Message.Text = hcrypto.DescribeBody(body)
	case hcrypto.IsRefKind(body.Kind):
		// The body was validated: Text is a ref body.
		if r, err := hcrypto.UnmarshalRefBody(body.Kind, []byte(body.Text)); err == nil {
			e.Message.Text, e.Message.RefAuthor, e.Message.RefID = r.Text, r.Author.String(), r.ID
		}
	case body.Kind == hcrypto.BodyJoin || body.Kind == hcrypto.BodyLeave:
		// A plain join or leave, from before operations: it counts only in
		// a room made before them (see memberlog.go).
		e.Member = &storage.MemberChange{Peer: author.String(), Name: name, Joined: body.Kind == hcrypto.BodyJoin}
	}
	return e
}

// shownName is the author's name a post carries, or "" when it is not one
// a profile could carry (invisible or formatting characters, too long):
// the post is kept, under its author's peer id, and the name is not shown.
func shownName(name string) string {
	if chat.CheckDisplayName(name) != nil {
		return ""
	}
	return name
}

// bodyKind is the stored kind of a room body's kind; the body was
// validated, so an unknown kind does not reach here, and would be text.
func bodyKind(k hcrypto.BodyKind) string {
	if kind, ok := chat.KindFromBody(byte(k)); ok {
		return string(kind)
	}
	return string(chat.KindText)
}

// toMessage turns a stored room row into the API form, without its
// author's name; self is our peer id, transferID finds the transfer a
// file message offers.
func toMessage(m storage.Message, self string, transferID func(storage.Message) string) chat.Message {
	out := chat.Message{
		ID: m.ID, Conversation: m.Conv, From: m.Author, Text: m.Text, Kind: m.Kind,
		State: string(m.State), Seq: m.Seq, HLC: m.HLC, AuthorSeq: m.AuthorSeq,
		Outgoing: m.Author == self, TransferID: transferID(m),
	}
	if m.RefID != "" {
		out.Ref = &chat.MessageRef{ID: m.RefID, From: m.RefAuthor}
	}
	if k := chat.Kind(m.Kind); k == chat.KindText || k == chat.KindReply || k == chat.KindEdit {
		out.Mentions = chat.Mentions(m.Text)
	}
	if k := chat.Kind(m.Kind); k != chat.KindText && k != chat.KindFile && !k.HasRef() {
		out.Text = codeText(m.Kind, m.Text)
	}
	out.SetTime(m.SentAt, m.ReceivedAt)
	return out
}
