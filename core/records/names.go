package records

import (
	"context"
	"fmt"

	"hallway/chat"
	"hallway/storage"
)

// nameBook names conversations and authors for results.
type nameBook struct {
	people   People
	self     string
	selfName string
	peers    map[string]string // peer id → display name
	rooms    map[string]string // room id → name
}

func (k *Keeper) conversationNames(ctx context.Context) (*nameBook, error) {
	nb := &nameBook{people: k.deps.People, self: k.self.String(), selfName: k.deps.People.SelfName(),
		peers: map[string]string{}, rooms: map[string]string{}}
	peers, err := k.deps.Store.Peers(ctx)
	if err != nil {
		return nil, fmt.Errorf("read colleagues: %w", err)
	}
	for _, p := range peers {
		nb.peers[p.ID] = p.Name
	}
	rooms, err := k.deps.Store.Rooms(ctx, true)
	if err != nil {
		return nil, fmt.Errorf("read rooms: %w", err)
	}
	for _, r := range rooms {
		nb.rooms[r.ID] = r.Name
	}
	return nb, nil
}

func (nb *nameBook) of(conv string) conversation {
	if id, ok := chat.RoomOf(conv); ok {
		return conversation{conv: conv, id: id, ref: "#" + nb.rooms[id], name: nb.rooms[id], room: true}
	}
	id, _ := chat.PeerOf(conv)
	return conversation{conv: conv, id: id, ref: id, name: nb.peers[id]}
}

// author names the writer of m by their key, as the trust book knows it;
// the name a room message signed counts only for a key never met.
func (nb *nameBook) author(ctx context.Context, m storage.Message) chat.Author {
	if m.Author == nb.self {
		return chat.Author{Name: nb.selfName}
	}
	var signed string
	if chat.IsRoomConv(m.Conv) {
		signed, _ = storage.SignedName(m.Meta)
	}
	return nb.people.Author(ctx, m.Author, signed)
}
