package records

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"

	"hallway/archive"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// signer is this node's identity as the archive signs with it.
type signer struct{ k *Keeper }

func (g signer) PeerID() string { return g.k.self.String() }
func (g signer) PublicKey() []byte {
	b, _ := ic.MarshalPublicKey(g.k.deps.Key.GetPublic())
	return b
}
func (g signer) Sign(data []byte) ([]byte, error) { return g.k.deps.Key.Sign(data) }

func (ex *exporter) write(ctx context.Context, out io.Writer, sum *ExportSummary) error {
	w, err := archive.NewWriter(out, ex.head)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	err = ex.k.deps.Store.ExportMessages(ctx, ex.scope, func(r storage.ExportRow) error {
		m, err := ex.message(ctx, r)
		if err != nil {
			return err
		}
		if m.Proof.Type == archive.ProofNone {
			sum.Unsigned++
		} else {
			sum.Signed++
		}
		return w.Message(m)
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	sum.Messages = w.Messages()
	if err := w.Close(signer{ex.k}); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// message turns a stored message and its proof into the export's form.
func (ex *exporter) message(ctx context.Context, r storage.ExportRow) (archive.Message, error) {
	m := r.Message
	c := ex.names.of(m.Conv)
	out := archive.Message{
		ID: m.ID, Conversation: c.ref, ConversationID: c.id, ConversationName: c.name, Room: c.room,
		From: m.Author, FromName: ex.names.author(ctx, m).Name, Time: archive.FormatTime(m.SentAt),
		ReceivedAt: archive.FormatTime(m.ReceivedAt), Kind: m.Kind, Text: m.Text, State: string(m.State),
		Proof: archive.Proof{Type: archive.ProofNone},
	}
	if m.RefID != "" {
		out.Ref = &archive.Ref{ID: m.RefID, From: m.RefAuthor}
	}
	if m.Redacted {
		// Deleted by its author with no hold: a stub, with nothing to
		// prove (the author's signed delete says what became of it).
		return out, nil
	}
	if c.room {
		ex.roomProof(&out, m, r.Envelope)
		return out, nil
	}
	out.To = ex.names.self
	if m.Author == ex.names.self {
		out.To = c.id
	}
	author, err1 := peer.Decode(out.From)
	recipient, err2 := peer.Decode(out.To)
	if err1 != nil || err2 != nil {
		return out, nil // not a peer ID: shown, but nothing to prove
	}
	content, err := ex.k.deps.DMContent(m, author, recipient)
	if err != nil {
		ex.k.deps.Log.Warn("export: a message's attachment cannot be read", "id", m.ID, "err", err)
		return out, nil
	}
	switch {
	case content.File != nil:
		f := content.File
		out.File = &archive.Offer{ID: f.ID, Name: f.Name, Size: f.Size, Files: f.Files, Folder: f.Folder, Hash: f.Hash}
	case content.Invite != nil:
		out.Invite = &archive.Invite{Room: content.Invite.Room, Name: content.Invite.Name, KeySHA256: hex.EncodeToString(content.Invite.KeyHash[:])}
	case content.Status != nil:
		out.FileStatus = &archive.FileStatus{ID: content.Status.ID, State: content.Status.State, Reason: content.Status.Reason}
	}
	if m.Sig != "" {
		out.Proof = archive.Proof{Type: archive.ProofDM, Signature: base64.StdEncoding.EncodeToString([]byte(m.Sig))}
	}
	return out, nil
}

// roomProof attaches the signed envelope and the key of this envelope
// alone, and the file a file message offers.
func (ex *exporter) roomProof(out *archive.Message, m storage.Message, raw []byte) {
	out.HLC = strconv.FormatUint(m.HLC, 10)
	out.AuthorSeq = strconv.FormatUint(m.AuthorSeq, 10)
	// Exactly the name the author signed, even an empty one: it is what
	// the proof shows. Who wrote it is From, named in the authors.
	out.FromName, _ = storage.SignedName(m.Meta)
	if m.Kind == storage.KindFile {
		var o p2p.FileOffer
		if json.Unmarshal([]byte(m.Text), &o) == nil {
			out.File = &archive.Offer{ID: o.ID, Name: o.Name, Size: o.Size, Files: int64(o.Files), Folder: o.Folder, Hash: o.Hash}
		}
	}
	key, ok := ex.roomKeys[out.ConversationID]
	if raw == nil || !ok {
		return
	}
	env, err := hcrypto.UnmarshalEnvelope(raw)
	if err != nil {
		ex.k.deps.Log.Warn("export: a stored envelope does not decode", "id", m.ID, "err", err)
		return
	}
	if env.Epoch > 0 {
		// A later epoch's key: the one of its epoch that opens it.
		ks := ex.epochKeys[out.ConversationID][env.Epoch]
		i := slices.IndexFunc(ks, func(k hcrypto.RoomKey) bool { _, err := env.Open(k); return err == nil })
		if i < 0 {
			return
		}
		key = ks[i]
	}
	mk, err := env.MessageKey(key)
	if err != nil {
		return
	}
	// History keeps no name a profile could not carry; the proof needs
	// the one the author signed, hidden characters and all.
	if plain, err := env.Open(key); err == nil {
		if body, err := hcrypto.UnmarshalRoomBody(plain); err == nil {
			out.FromName = body.Name
		}
	}
	// The clock its author signed: a message is stored at its arrival
	// when that clock was far ahead, or at its neighbours' when it broke
	// its author's order (see rooms), and the proof is of what was signed.
	out.HLC = strconv.FormatUint(env.HLC, 10)
	out.Proof = archive.Proof{Type: archive.ProofRoom, Envelope: base64.StdEncoding.EncodeToString(raw),
		MessageKey: base64.StdEncoding.EncodeToString(mk[:])}
}
