package core

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// post seals, signs and commits one of our own room messages, then gossips
// it to the members online. Members offline get it from anyone through
// sync, so a failed publish loses nothing.
func (s *Service) post(ctx context.Context, st *roomState, body hcrypto.RoomBody) (*storage.RoomEntry, error) {
	s.postMu.Lock()
	defer s.postMu.Unlock()
	self := s.node.ID()
	seq, err := s.store.NextRoomSeq(ctx, st.id, self.String())
	if err != nil {
		return nil, fmt.Errorf("room sequence: %w", err)
	}
	body.Name = s.currentProfile().Name
	body.SentAt = time.Now().UnixMilli()
	if err := body.Validate(); err != nil {
		return nil, chat.UserErrorf("cannot post this message: %v", err)
	}
	env, err := hcrypto.SealEnvelope(st.key, s.key, st.id, []byte(self), seq, s.clock.Now(), body.Marshal())
	if err != nil {
		return nil, fmt.Errorf("seal room message: %w", err)
	}
	raw := env.Marshal()
	// Sealed here a moment ago: no need to verify and open it again.
	entry := s.makeEntry(st, env, raw, self, body)
	if _, err := s.commitEntries(ctx, storage.Durable, []pendingEntry{{entry: entry}}); err != nil {
		return nil, err
	}
	if err := st.topic.Publish(ctx, raw); err != nil {
		s.log.Debug("room publish failed; sync will deliver it", "room", st.id, "err", err)
	}
	return entry, nil
}

// SendRoom posts a text message to a room.
func (s *Service) SendRoom(ctx context.Context, ref, text string) (chat.Message, error) {
	if err := chat.CheckText(text); err != nil {
		return chat.Message{}, chat.UserErrorf("%v", err)
	}
	st, err := s.resolveRoom(ref)
	if err != nil {
		return chat.Message{}, err
	}
	e, err := s.post(ctx, st, hcrypto.RoomBody{Kind: hcrypto.BodyText, Text: text})
	if err != nil {
		return chat.Message{}, err
	}
	return s.roomMessage(e.Message), nil
}

// roomMeta is what a room message row keeps beside its text: the author's
// name as they signed it, so history shows names of people never met.
type roomMeta struct {
	Name string `json:"name"`
}

// entryFromEnvelope authenticates and opens an envelope of room st. When it
// came over gossip, gossipAuthor is the pubsub author, which must be the
// envelope's author: a member cannot speak for another.
func (s *Service) entryFromEnvelope(st *roomState, env *hcrypto.Envelope, raw []byte, gossipAuthor *peer.ID) (*storage.RoomEntry, error) {
	if env.Room != st.id {
		return nil, fmt.Errorf("envelope for room %q on room %q", env.Room, st.id)
	}
	author, err := peer.IDFromBytes(env.Author)
	if err != nil {
		return nil, fmt.Errorf("envelope author: %w", err)
	}
	if gossipAuthor != nil && author != *gossipAuthor {
		return nil, fmt.Errorf("envelope author %s differs from the sender %s", author.ShortString(), gossipAuthor.ShortString())
	}
	pub, err := author.ExtractPublicKey()
	if err != nil {
		return nil, fmt.Errorf("envelope author key: %w", err)
	}
	if err := env.Verify(pub); err != nil {
		return nil, err
	}
	plain, err := env.Open(st.key)
	if err != nil {
		return nil, err
	}
	body, err := hcrypto.UnmarshalRoomBody(plain)
	if err != nil {
		return nil, err
	}
	return s.makeEntry(st, env, raw, author, body), nil
}

// makeEntry is the storage form of an authenticated envelope and its body.
func (s *Service) makeEntry(st *roomState, env *hcrypto.Envelope, raw []byte, author peer.ID, body hcrypto.RoomBody) *storage.RoomEntry {
	meta, _ := json.Marshal(roomMeta{Name: body.Name})
	state := storage.StateReceived
	if author == s.node.ID() {
		state = storage.StateSent
	}
	e := &storage.RoomEntry{
		Room: st.id, Author: author.String(), Seq: env.Seq, HLC: env.HLC, Raw: raw,
		Message: storage.Message{
			ID: env.ID(), Conv: roomConv(st.id), Author: author.String(), Text: body.Text,
			SentAt: time.UnixMilli(body.SentAt), State: state, Kind: bodyKind(body.Kind),
			HLC: env.HLC, AuthorSeq: env.Seq, Meta: string(meta),
		},
	}
	if body.Kind == hcrypto.BodyJoin || body.Kind == hcrypto.BodyLeave {
		e.Member = &storage.MemberChange{Peer: author.String(), Name: body.Name, Joined: body.Kind == hcrypto.BodyJoin}
	}
	return e
}

// bodyKind is the stored kind of a room body's kind; the body was
// validated, so an unknown kind does not reach here, and would be text.
func bodyKind(k hcrypto.BodyKind) string {
	if kind, ok := chat.KindFromBody(byte(k)); ok {
		return string(kind)
	}
	return string(chat.KindText)
}

// roomMessage turns a stored room row into the API form.
func (s *Service) roomMessage(m storage.Message) chat.Message {
	out := chat.Message{
		ID: m.ID, Conversation: m.Conv, From: m.Author, Text: m.Text, Kind: m.Kind,
		Time: m.SentAt, State: string(m.State), Seq: m.Seq, HLC: m.HLC, AuthorSeq: m.AuthorSeq,
		Outgoing: m.Author == s.node.ID().String(), TransferID: transferIDOf(m),
	}
	var meta roomMeta
	if json.Unmarshal([]byte(m.Meta), &meta) == nil {
		out.FromName = meta.Name
	}
	return out
}

// RoomHistory returns up to limit messages of a room in the order every
// member sees, oldest first, ending before cursor (nil: the newest). Reading
// the newest page marks the room read.
func (s *Service) RoomHistory(ctx context.Context, ref string, before *storage.Cursor, limit int) ([]chat.Message, error) {
	st, err := s.resolveRoom(ref)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.store.RoomHistory(ctx, st.id, before, limit)
	if err != nil {
		return nil, fmt.Errorf("read room history: %w", err)
	}
	out := make([]chat.Message, 0, len(rows))
	for _, r := range rows {
		out = append(out, s.roomMessage(r))
	}
	if before == nil && len(rows) > 0 {
		if err := s.store.MarkRoomRead(ctx, st.id, rows[len(rows)-1].HLC); err != nil {
			return nil, fmt.Errorf("mark room read: %w", err)
		}
	}
	return out, nil
}
