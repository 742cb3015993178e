package core

import (
	"context"

	"hallway/chat"
	"hallway/core/dm"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

func dmConv(id peer.ID) string { return chat.DMConv(id.String()).String() }

func (s *Service) toMessage(m storage.Message, names map[string]string) chat.Message {
	out := chat.Message{
		ID: m.ID, Conversation: m.Conv, From: m.Author, Text: m.Text, Kind: m.Kind,
		State: string(m.State), Seq: m.Seq,
		Outgoing: m.Author == s.node.ID().String(), TransferID: transferIDOf(m),
	}
	out.SetTime(m.SentAt, m.ReceivedAt)
	if m.RefID != "" {
		out.Ref = &chat.MessageRef{ID: m.RefID, From: m.RefAuthor}
	}
	if k := chat.Kind(m.Kind); k == chat.KindText || k == chat.KindReply || k == chat.KindEdit {
		out.Mentions = chat.Mentions(m.Text)
	}
	if out.Outgoing {
		out.ReadAt = m.ReadAt
		out.FromName = s.currentProfile().Name
	} else if names != nil {
		// The colleague's name by their key, with the verified mark and
		// any warning the trust store raises for it.
		who := s.authors.Author(context.Background(), m.Author, "")
		if who.Name == "" {
			who.Name = names[m.Author]
		}
		out.SetAuthor(who)
	}
	return out
}

// queueDM commits a DM (plain text, or a kind with its Meta) to history
// and the outbox, then starts delivery.
func (s *Service) queueDM(ctx context.Context, to peer.ID, text, kind, meta string) (chat.Message, error) {
	return s.dm.Queue(ctx, to, text, kind, meta)
}

// dmContent is what the author of the stored DM m signed.
func dmContent(m storage.Message, author, recipient peer.ID) (*hcrypto.DMContent, error) {
	return dm.Content(m, author, recipient)
}

// newDMs builds the direct messages over this service. The network host
// is read when a message needs it, as it starts after this.
func newDMs(s *Service) *dm.Service {
	w := (*dmWiring)(s)
	return dm.New(dm.Config{Logger: s.log}, dm.Deps{
		Key: s.key, Store: s.store, Net: w, Publisher: w, Spawner: w,
		Colleagues: w, Messages: w, Dialer: w, Transfers: w, Invites: w, Blocks: s.blocks, Reads: w,
	})
}

// dmWiring is the Service as the direct messages see it.
type dmWiring Service

func (w *dmWiring) svc() *Service { return (*Service)(w) }

func (w *dmWiring) ID() peer.ID                 { return w.svc().node.ID() }
func (w *dmWiring) IsConnected(id peer.ID) bool { return w.svc().node.IsConnected(id) }
func (w *dmWiring) SendDMs(ctx context.Context, to peer.ID, msgs []p2p.DM, onAck func(p2p.DM) error) error {
	return w.svc().node.SendDMs(ctx, to, msgs, onAck)
}
func (w *dmWiring) Publish(e chat.Event)                      { w.svc().bus.publish(e) }
func (w *dmWiring) Go(fn func(ctx context.Context))           { w.svc().spawn(fn) }
func (w *dmWiring) Reconnect(ctx context.Context, id peer.ID) { w.svc().dial.Reconnect(ctx, id) }
func (w *dmWiring) Resolve(ctx context.Context, ref string) (peer.ID, error) {
	return w.svc().Resolve(ctx, ref)
}
func (w *dmWiring) Name(ctx context.Context, id peer.ID) string {
	// The name alone, from the store's cache: describing the colleague
	// (fingerprint, route, presence) for it cost each message received
	// a few per cent of its CPU.
	name, _ := w.svc().colleagueNamed(ctx, id)
	return name
}
func (w *dmWiring) ToMessage(m storage.Message, names map[string]string) chat.Message {
	return w.svc().toMessage(m, names)
}
func (w *dmWiring) OfferReceived(ctx context.Context, from peer.ID, conv string, o *p2p.FileOffer) {
	w.svc().offerReceived(ctx, from, conv, o)
}
func (w *dmWiring) FileStatusReceived(ctx context.Context, from peer.ID, st *p2p.FileStatus) {
	w.svc().fileStatusReceived(ctx, from, st)
}
func (w *dmWiring) RoomKeyReceived(ctx context.Context, from peer.ID, k *p2p.RoomKey) {
	w.svc().rooms.RoomKeyReceived(ctx, from, k)
}

func (w *dmWiring) InviteReceived(ctx context.Context, from peer.ID, inv *p2p.RoomInvite) {
	w.svc().inviteReceived(ctx, from, inv)
}
