package records

import (
	"context"
	"fmt"

	"hallway/chat"
	"hallway/storage"
)

// nameBook names conversations and authors for results.
type nameBook struct {
	self     string
	selfName string
	peers    map[string]string // peer id → display name
	rooms    map[string]string // room id → name
}

func (k *Keeper) conversationNames(ctx context.Context) (*nameBook, error) {
	nb := &nameBook{self: k.self.String(), selfName: k.deps.People.SelfName(),
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

// author names the writer of m: in rooms as they signed it, in DMs as the
// colleague last called themselves.
func (nb *nameBook) author(m storage.Message) string {
	if chat.IsRoomConv(m.Conv) {
		if name, ok := storage.SignedName(m.Meta); ok && name != "" {
			return name
		}
	}
	if m.Author == nb.self {
		return nb.selfName
	}
	return nb.peers[m.Author]
}
