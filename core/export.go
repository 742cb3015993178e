package core

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"hallway/archive"
	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// ExportOptions chooses what an export holds and how it is written.
type ExportOptions struct {
	Format string    // "json" (the default) or "html"
	In     string    // one conversation (colleague, "#room" or room id); "" for all
	Since  time.Time // zero = unbounded
	Until  time.Time // zero = unbounded
}

// ExportSummary says what an export holds.
type ExportSummary struct {
	Format   string `json:"format"`
	Messages int    `json:"messages"`
	Signed   int    `json:"signed"`
	Unsigned int    `json:"unsigned"`
}

// Export formats.
const (
	ExportJSON = "json"
	ExportHTML = "html"
)

// Export writes the history in scope to w as a signed export (see
// docs/ARCHIVE.md): every message with its author's proof, the authors
// with their keys and fingerprints, the rooms and the file records, and a
// digest of it all signed with this node's identity. HTML is the same
// export rendered as one self-contained page that embeds it.
//
// A room message's proof includes the key of that one message, never the
// room's key, so the export discloses no other message of the room.
func (s *Service) Export(ctx context.Context, opt ExportOptions, w io.Writer) (ExportSummary, error) {
	format := strings.ToLower(strings.TrimSpace(opt.Format))
	if format == "" {
		format = ExportJSON
	}
	if format != ExportJSON && format != ExportHTML {
		return ExportSummary{}, chat.UserErrorf("export format is json or html, not %q", opt.Format)
	}
	if !opt.Since.IsZero() && !opt.Until.IsZero() && !opt.Until.After(opt.Since) {
		return ExportSummary{}, chat.UserErrorf("the end of the period comes before its start")
	}
	ex, err := s.newExporter(ctx, opt)
	if err != nil {
		return ExportSummary{}, err
	}
	sum := ExportSummary{Format: format}
	if format == ExportJSON {
		err = ex.write(ctx, w, &sum)
		return sum, err
	}
	// The page embeds the JSON export, which is written first to a private
	// file, then rendered from it message by message.
	tmp, err := os.CreateTemp(s.cfg.DataDir, ".export-*.json")
	if err != nil {
		return sum, fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := ex.write(ctx, tmp, &sum); err != nil {
		return sum, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return sum, fmt.Errorf("export: %w", err)
	}
	if err := archive.WriteHTML(w, tmp); err != nil {
		return sum, err
	}
	return sum, nil
}

// exporter gathers one export.
type exporter struct {
	s        *Service
	scope    storage.ExportScope
	head     archive.Body
	names    *nameBook
	roomKeys map[string]hcrypto.RoomKey
}

func (s *Service) newExporter(ctx context.Context, opt ExportOptions) (*exporter, error) {
	ex := &exporter{s: s, scope: storage.ExportScope{Since: opt.Since, Until: opt.Until}, roomKeys: map[string]hcrypto.RoomKey{}}
	ex.head.Scope = archive.Scope{Since: archive.FormatTime(opt.Since), Until: archive.FormatTime(opt.Until)}
	var only *conversation
	if strings.TrimSpace(opt.In) != "" {
		c, err := s.resolveConversation(ctx, opt.In)
		if err != nil {
			return nil, err
		}
		only = &c
		ex.scope.Conv = c.conv
		ex.head.Scope.Conversation, ex.head.Scope.ConversationID = c.ref, c.id
	}
	var err error
	if ex.names, err = s.conversationNames(ctx); err != nil {
		return nil, err
	}
	self, err := ex.author(ctx, s.node.ID().String())
	if err != nil {
		return nil, err
	}
	ex.head.ExportedAt = archive.FormatTime(time.Now())
	ex.head.ExportedBy = self
	ids, err := s.store.ExportParticipants(ctx, ex.scope)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	for _, id := range ids {
		a, err := ex.author(ctx, id)
		if err != nil {
			s.log.Warn("export: an author without a usable key", "peer", id, "err", err)
			continue
		}
		ex.head.Authors = append(ex.head.Authors, a)
	}
	rooms, err := s.store.Rooms(ctx, true)
	if err != nil {
		return nil, fmt.Errorf("export: read rooms: %w", err)
	}
	for _, r := range rooms {
		ex.roomKeys[r.ID] = hcrypto.RoomKey(r.Key)
		if only != nil && (!only.room || only.id != r.ID) {
			continue
		}
		members, err := s.store.RoomMembers(ctx, r.ID)
		if err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		ar := archive.Room{ID: r.ID, Name: r.Name, General: r.General, Left: r.Left, Members: []string{}}
		for _, m := range members {
			ar.Members = append(ar.Members, m.Peer)
		}
		ex.head.Rooms = append(ex.head.Rooms, ar)
	}
	if err := ex.files(ctx); err != nil {
		return nil, err
	}
	return ex, nil
}

// author describes a participant by key; the name is the one known now.
func (ex *exporter) author(ctx context.Context, id string) (archive.Author, error) {
	pid, err := peer.Decode(id)
	if err != nil {
		return archive.Author{}, err
	}
	pub, err := pid.ExtractPublicKey()
	if err != nil {
		return archive.Author{}, err
	}
	raw, err := ic.MarshalPublicKey(pub)
	if err != nil {
		return archive.Author{}, err
	}
	name := ex.names.peers[id]
	if id == ex.names.self {
		name = ex.names.selfName
	}
	if name == "" {
		if meta, err := ex.s.store.LatestRoomMeta(ctx, id); err == nil {
			var rm roomMeta
			if json.Unmarshal([]byte(meta), &rm) == nil {
				name = rm.Name
			}
		}
	}
	return archive.Author{PeerID: id, Name: name, Fingerprint: hcrypto.Fingerprint(pub),
		PublicKey: base64.StdEncoding.EncodeToString(raw)}, nil
}

// files lists the transfer records of the conversations in scope.
func (ex *exporter) files(ctx context.Context) error {
	ts, err := ex.s.store.Transfers(ctx)
	if err != nil {
		return fmt.Errorf("export: read transfers: %w", err)
	}
	for _, t := range ts {
		switch {
		case ex.scope.Conv != "" && t.Conv != ex.scope.Conv,
			!ex.scope.Since.IsZero() && t.CreatedAt.Before(ex.scope.Since),
			!ex.scope.Until.IsZero() && !t.CreatedAt.Before(ex.scope.Until):
			continue
		}
		f := archive.File{ID: t.ID, Direction: t.Direction, Peer: t.Peer, Conversation: ex.names.of(t.Conv).id,
			Name: t.Name, Folder: t.Folder, Size: t.Size, Files: t.Files, Hash: t.ManifestHash, State: t.State,
			CreatedAt: archive.FormatTime(t.CreatedAt), UpdatedAt: archive.FormatTime(t.UpdatedAt)}
		if t.FinalPath != "" {
			f.SavedAs = filepath.Base(t.FinalPath)
		}
		ex.head.Files = append(ex.head.Files, f)
	}
	return nil
}

// signer is this node's identity as the archive signs with it.
type signer struct{ s *Service }

func (g signer) PeerID() string { return g.s.node.ID().String() }
func (g signer) PublicKey() []byte {
	b, _ := ic.MarshalPublicKey(g.s.key.GetPublic())
	return b
}
func (g signer) Sign(data []byte) ([]byte, error) { return g.s.key.Sign(data) }

func (ex *exporter) write(ctx context.Context, out io.Writer, sum *ExportSummary) error {
	w, err := archive.NewWriter(out, ex.head)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	err = ex.s.store.ExportMessages(ctx, ex.scope, func(r storage.ExportRow) error {
		m, err := ex.message(r)
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
	if err := w.Close(signer{ex.s}); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// message turns a stored message and its proof into the export's form.
func (ex *exporter) message(r storage.ExportRow) (archive.Message, error) {
	m := r.Message
	c := ex.names.of(m.Conv)
	out := archive.Message{
		ID: m.ID, Conversation: c.ref, ConversationID: c.id, ConversationName: c.name, Room: c.room,
		From: m.Author, FromName: ex.names.author(m), Time: archive.FormatTime(m.SentAt),
		ReceivedAt: archive.FormatTime(m.ReceivedAt), Kind: m.Kind, Text: m.Text, State: string(m.State),
		Proof: archive.Proof{Type: archive.ProofNone},
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
	content, err := dmContent(m, author, recipient)
	if err != nil {
		ex.s.log.Warn("export: a message's attachment cannot be read", "id", m.ID, "err", err)
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
	// Exactly the name the author signed, even an empty one.
	var meta roomMeta
	json.Unmarshal([]byte(m.Meta), &meta)
	out.FromName = meta.Name
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
		ex.s.log.Warn("export: a stored envelope does not decode", "id", m.ID, "err", err)
		return
	}
	mk, err := env.MessageKey(key)
	if err != nil {
		return
	}
	out.Proof = archive.Proof{Type: archive.ProofRoom, Envelope: base64.StdEncoding.EncodeToString(raw),
		MessageKey: base64.StdEncoding.EncodeToString(mk[:])}
}
