package records

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hallway/archive"
	"hallway/chat"
	hcrypto "hallway/crypto"
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
func (k *Keeper) Export(ctx context.Context, opt ExportOptions, w io.Writer) (ExportSummary, error) {
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
	ex, err := k.newExporter(ctx, opt)
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
	tmp, err := os.CreateTemp(k.cfg.DataDir, ".export-*.json")
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
	k        *Keeper
	scope    storage.ExportScope
	head     archive.Body
	names    *nameBook
	roomKeys map[string]hcrypto.RoomKey
	// epochKeys are the keys of rooms' later epochs, by room.
	epochKeys map[string]map[uint64][]hcrypto.RoomKey
}

func (k *Keeper) newExporter(ctx context.Context, opt ExportOptions) (*exporter, error) {
	ex := &exporter{k: k, scope: storage.ExportScope{Since: opt.Since, Until: opt.Until}, roomKeys: map[string]hcrypto.RoomKey{},
		epochKeys: map[string]map[uint64][]hcrypto.RoomKey{}}
	ex.head.Scope = archive.Scope{Since: archive.FormatTime(opt.Since), Until: archive.FormatTime(opt.Until)}
	var only *conversation
	if strings.TrimSpace(opt.In) != "" {
		c, err := k.resolveConversation(ctx, opt.In)
		if err != nil {
			return nil, err
		}
		only = &c
		ex.scope.Conv = c.conv
		ex.head.Scope.Conversation, ex.head.Scope.ConversationID = c.ref, c.id
	}
	var err error
	if ex.names, err = k.conversationNames(ctx); err != nil {
		return nil, err
	}
	self, err := ex.author(ctx, k.self.String())
	if err != nil {
		return nil, err
	}
	ex.head.ExportedAt = archive.FormatTime(time.Now())
	ex.head.ExportedBy = self
	store := k.deps.Store
	ids, err := store.ExportParticipants(ctx, ex.scope)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	for _, id := range ids {
		a, err := ex.author(ctx, id)
		if err != nil {
			k.deps.Log.Warn("export: an author without a usable key", "peer", id, "err", err)
			continue
		}
		ex.head.Authors = append(ex.head.Authors, a)
	}
	rooms, err := store.Rooms(ctx, true)
	if err != nil {
		return nil, fmt.Errorf("export: read rooms: %w", err)
	}
	for _, r := range rooms {
		ex.roomKeys[r.ID] = hcrypto.RoomKey(r.Key)
		later, err := store.RoomEpochKeys(ctx, r.ID)
		if err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		for _, k := range later {
			if ex.epochKeys[r.ID] == nil {
				ex.epochKeys[r.ID] = map[uint64][]hcrypto.RoomKey{}
			}
			ex.epochKeys[r.ID][k.Epoch] = append(ex.epochKeys[r.ID][k.Epoch], hcrypto.RoomKey(k.Key))
		}
		if only != nil && (!only.room || only.id != r.ID) {
			continue
		}
		members, err := store.RoomMembers(ctx, r.ID)
		if err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		ar := archive.Room{ID: r.ID, Name: r.Name, General: r.General, Left: r.Left, Members: []string{}}
		ar.Workspace = k.deps.Workspace != nil && r.ID == k.deps.Workspace.WorkspaceRoomID()
		for _, m := range members {
			ar.Members = append(ar.Members, m.Peer)
		}
		forks, err := store.RoomForks(ctx, r.ID)
		if err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		for _, f := range forks {
			af := archive.Fork{Author: f.Author, Seq: f.Seq, Envelopes: []string{
				base64.StdEncoding.EncodeToString(f.Held), base64.StdEncoding.EncodeToString(f.Other)}}
			af.MessageKey = chainBreakKey(f, hcrypto.RoomKey(r.Key))
			ar.Forks = append(ar.Forks, af)
		}
		ex.head.Rooms = append(ex.head.Rooms, ar)
	}
	if err := ex.files(ctx); err != nil {
		return nil, err
	}
	return ex, nil
}

// author describes a participant by key; the name is the one their key is
// known by now, with the verified mark and any warning, and for a key
// never met the last name it signed, checked like a profile's.
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
	var who chat.Author
	if id == ex.names.self {
		who.Name = ex.names.selfName
	} else {
		var signed string
		if meta, err := ex.k.deps.Store.LatestRoomMeta(ctx, id); err == nil {
			signed, _ = storage.SignedName(meta)
		}
		who = ex.k.deps.People.Author(ctx, id, signed)
	}
	a := archive.Author{PeerID: id, Name: who.Name, Fingerprint: hcrypto.Fingerprint(pub),
		PublicKey: base64.StdEncoding.EncodeToString(raw), Verified: who.Verified}
	if who.Warning != nil {
		a.Warning = who.Warning.Message
	}
	return a, nil
}

// files lists the transfer records of the conversations in scope.
func (ex *exporter) files(ctx context.Context) error {
	ts, err := ex.k.deps.Store.Transfers(ctx)
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

// chainBreakKey is, for a fork that is a broken chain (the held envelope
// one seq below the other), the message key of the other, which lets a
// reader of the export open that one body and see the link it names;
// "" for two envelopes under one seq.
func chainBreakKey(f storage.RoomFork, key hcrypto.RoomKey) string {
	held, err1 := hcrypto.UnmarshalEnvelope(f.Held)
	other, err2 := hcrypto.UnmarshalEnvelope(f.Other)
	if err1 != nil || err2 != nil || held.Seq == other.Seq {
		return ""
	}
	k, err := other.MessageKey(key)
	if err != nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(k[:])
}
