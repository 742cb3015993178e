package adversary

import (
	"crypto/rand"
	"fmt"
	"time"

	hcrypto "hallway/crypto"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Post is a well-formed room envelope of the adversary's own, sealed with
// the room key it holds and signed by its own key.
func (p *Peer) Post(key hcrypto.RoomKey, room string, seq uint64, text string) (*hcrypto.Envelope, error) {
	return p.PostAs(key, room, seq, "Mallory", text)
}

// PostAs is Post with a body that says its author is called name: a
// member passing for a colleague (a verified one's name with a zero-width
// space, a look-alike letter, a bidi override) in every room view and
// export that believes what a message says about its author. The
// envelope is genuine; only the claim inside is false.
func (p *Peer) PostAs(key hcrypto.RoomKey, room string, seq uint64, name, text string) (*hcrypto.Envelope, error) {
	body := hcrypto.RoomBody{Kind: hcrypto.BodyText, Name: name, SentAt: time.Now().UnixMilli(), Text: text}
	return hcrypto.SealEnvelope(key, 0, p.Key, room, []byte(p.ID()), seq, hlcNow(), body.Marshal())
}

// PostAt is a post of the adversary's own with the sequence number and
// the date it chooses: a clock a year ahead, seqs that leave holes (2, 4,
// 6, …) or jump a million ahead. Its clock and its sent-at time are both
// at.
func (p *Peer) PostAt(key hcrypto.RoomKey, room string, seq uint64, at time.Time, text string) (*hcrypto.Envelope, error) {
	body := hcrypto.RoomBody{Kind: hcrypto.BodyText, Name: "Mallory", SentAt: at.UnixMilli(), Text: text}
	return hcrypto.SealEnvelope(key, 0, p.Key, room, []byte(p.ID()), seq, uint64(at.UnixMilli())<<16, body.Marshal())
}

// ForgeAuthor is an envelope that claims claimed wrote text: sealed with
// the room key (an insider holds it) and signed, but by the adversary's key,
// since the claimed author's is out of reach.
func (p *Peer) ForgeAuthor(key hcrypto.RoomKey, room string, claimed peer.ID, seq uint64, text string) (*hcrypto.Envelope, error) {
	env, err := p.Post(key, room, seq, text)
	if err != nil {
		return nil, err
	}
	env.Author = []byte(claimed)
	if env.Sig, err = p.Key.Sign(env.SignedBytes()); err != nil {
		return nil, err
	}
	return env, nil
}

func hlcNow() uint64 { return uint64(time.Now().UnixMilli()) << 16 }

// ForgePubsub is a gossip message that claims author sent data on a
// room's topic (RoomTopic), with a signature made of random bytes. Hallway
// gossip carries no pubsub author or signature (StrictNoSign), so members
// refuse it before they read it.
func ForgePubsub(topic string, author peer.ID, data []byte) *pb.Message {
	seqno := make([]byte, 8)
	sig := make([]byte, 64)
	rand.Read(seqno)
	rand.Read(sig)
	return &pb.Message{From: []byte(author), Data: data, Seqno: seqno, Topic: &topic, Signature: sig}
}

// Retopic is a captured gossip message moved to another room's topic
// (RoomTopic), its signature left as it was.
func Retopic(m *pb.Message, topic string) *pb.Message {
	return &pb.Message{From: m.From, Data: m.Data, Seqno: m.Seqno, Topic: &topic, Signature: m.Signature, Key: m.Key}
}

// Envelopes decodes the room envelopes of captured gossip messages.
func Envelopes(msgs []*pb.Message) ([]*hcrypto.Envelope, error) {
	var out []*hcrypto.Envelope
	for _, m := range msgs {
		env, err := hcrypto.UnmarshalEnvelope(m.Data)
		if err != nil {
			return nil, fmt.Errorf("adversary: captured envelope: %w", err)
		}
		out = append(out, env)
	}
	return out, nil
}

// Gossip is a gossip message from the adversary as Hallway publishes one
// (no pubsub author, sequence number or signature: the envelope's own
// signature proves who wrote it), written by hand onto a raw stream, e.g.
// to follow forgeries on the same stream.
func (p *Peer) Gossip(room string, data []byte) (*pb.Message, error) {
	topic := p.topicOf(room)
	if topic == "" {
		return nil, fmt.Errorf("adversary: join %s first: its topic name comes from its key", room)
	}
	return &pb.Message{Data: data, Topic: &topic}, nil
}

// PostKind is an envelope of the adversary's own of a kind without text
// (a join, a leave), sealed with the epoch 0 key it holds.
func (p *Peer) PostKind(key hcrypto.RoomKey, room string, seq uint64, kind hcrypto.BodyKind) (*hcrypto.Envelope, error) {
	body := hcrypto.RoomBody{Kind: kind, Name: "Mallory", SentAt: time.Now().UnixMilli()}
	return hcrypto.SealEnvelope(key, 0, p.Key, room, []byte(p.ID()), seq, hlcNow(), body.Marshal())
}

// Readable opens every envelope it can of msgs (captured gossip) or of
// raws (sync answers) with the keys it kept, whatever their epoch: what a
// member left out of a re-key still reads. It returns the texts opened
// and how many envelopes it saw.
func Readable(keys []hcrypto.RoomKey, raws [][]byte) (texts []string, seen int) {
	for _, raw := range raws {
		env, err := hcrypto.UnmarshalEnvelope(raw)
		if err != nil {
			continue
		}
		seen++
		for _, k := range keys {
			if plain, err := env.Open(k); err == nil {
				if b, err := hcrypto.UnmarshalRoomBody(plain); err == nil {
					texts = append(texts, b.Text)
				}
				break
			}
		}
	}
	return texts, seen
}

// Data is the payloads of captured gossip messages.
func Data(msgs []*pb.Message) [][]byte {
	out := make([][]byte, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, m.Data)
	}
	return out
}
