package rooms

import (
	"context"
	"fmt"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// historyStore reads a room's log in display order.
type historyStore interface {
	RoomHistory(ctx context.Context, room string, before *storage.Cursor, limit int) ([]storage.Message, error)
	MarkRoomRead(ctx context.Context, id string, hlc uint64) error
}

// PostFile offers a file in a joined room: offer is the offer as its
// message text carries it.
func (m *Manager) PostFile(ctx context.Context, room, offer string) error {
	j := m.joined.Get(room)
	if j == nil {
		return chat.NewUserError("you are no longer in this room", chat.ErrUnknownRoom)
	}
	_, err := m.poster.post(ctx, j, hcrypto.RoomBody{Kind: hcrypto.BodyFile, Text: offer})
	return err
}

// Send posts a text message to a room.
func (m *Manager) Send(ctx context.Context, ref, text string) (chat.Message, error) {
	if err := chat.CheckText(text); err != nil {
		return chat.Message{}, chat.UserErrorf("%v", err)
	}
	j, err := m.joined.Resolve(ref)
	if err != nil {
		return chat.Message{}, err
	}
	e, err := m.poster.post(ctx, j, hcrypto.RoomBody{Kind: hcrypto.BodyText, Text: text})
	if err != nil {
		return chat.Message{}, err
	}
	return m.Message(ctx, e.Message), nil
}

// PostRef posts to a joined room, by its id, a message of kind k about the
// message ref names: a reply, an edit, a delete or a reaction.
func (m *Manager) PostRef(ctx context.Context, room string, k chat.Kind, ref chat.MessageRef, text string) (chat.Message, error) {
	j := m.joined.Get(room)
	if j == nil {
		return chat.Message{}, chat.NewUserError("you are no longer in this room", chat.ErrUnknownRoom)
	}
	b, ok := k.Body()
	author, err := peer.Decode(ref.From)
	if !ok || !k.HasRef() || err != nil {
		return chat.Message{}, fmt.Errorf("post %s: bad kind or author", k)
	}
	body := hcrypto.RoomBody{Kind: hcrypto.BodyKind(b), Text: string(hcrypto.RefBody{Author: author, ID: ref.ID, Text: text}.Marshal())}
	e, err := m.poster.post(ctx, j, body)
	if err != nil {
		return chat.Message{}, err
	}
	return m.Message(ctx, e.Message), nil
}

// Message turns a stored room row into the API form, its author named by
// their key.
func (m *Manager) Message(ctx context.Context, row storage.Message) chat.Message {
	out := toMessage(row, m.deps.Net.ID().String(), m.deps.TransferID)
	if out.Outgoing {
		out.FromName = m.deps.SelfName()
		return out
	}
	signed, _ := storage.SignedName(row.Meta)
	out.SetAuthor(m.deps.Author(ctx, row.Author, signed))
	return out
}

// History returns up to limit messages of a room in the order every
// member sees, oldest first, ending before cursor (nil: the newest).
// Reading the newest page marks the room read.
func (m *Manager) History(ctx context.Context, ref string, before *storage.Cursor, limit int) ([]chat.Message, error) {
	j, err := m.joined.Resolve(ref)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	rows, err := m.deps.Store.RoomHistory(ctx, j.id, before, limit)
	if err != nil {
		return nil, fmt.Errorf("read room history: %w", err)
	}
	out := make([]chat.Message, 0, len(rows))
	for _, r := range rows {
		out = append(out, m.Message(ctx, r))
	}
	if err := m.receipts.counts(ctx, j, out, m.memberName); err != nil {
		return nil, fmt.Errorf("room receipts: %w", err)
	}
	if before == nil && len(rows) > 0 {
		if err := m.markRead(ctx, j.id, rows[len(rows)-1].HLC); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MarkRead marks everything in a room read, by its id (a room left keeps
// its history, and its marker).
func (m *Manager) MarkRead(ctx context.Context, room string) error {
	rows, err := m.deps.Store.RoomHistory(ctx, room, nil, 1)
	if err != nil || len(rows) == 0 {
		return err
	}
	return m.markRead(ctx, room, rows[0].HLC)
}

// markRead moves a room's read marker to newest, the clock of its newest
// message, but never past what our clock believes now: a message stored
// with a clock far ahead (before envelopes were placed at their arrival,
// or while this machine's clock ran ahead) must not hide every later one
// behind the marker.
func (m *Manager) markRead(ctx context.Context, room string, newest uint64) error {
	if err := m.deps.Store.MarkRoomRead(ctx, room, min(newest, m.clock.ceiling())); err != nil {
		return fmt.Errorf("mark room read: %w", err)
	}
	if m.receipts.readShared() {
		m.receipts.touch(room)
	}
	return nil
}

// memberName is how receipts name a member: the name its key is known by,
// else the one it joined with, else its peer id.
func (m *Manager) memberName(mem storage.Member) string {
	if a := m.deps.Author(context.Background(), mem.Peer, mem.Name); a.Name != "" {
		return a.Name
	}
	return mem.Peer
}

// FillReceipts sets the receipts of our own messages among msgs, of the
// joined room with id room (a room left shows none).
func (m *Manager) FillReceipts(ctx context.Context, room string, msgs []chat.Message) error {
	j := m.joined.Get(room)
	if j == nil {
		return nil
	}
	if err := m.receipts.counts(ctx, j, msgs, m.memberName); err != nil {
		return fmt.Errorf("room receipts: %w", err)
	}
	return nil
}
