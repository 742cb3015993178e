package dm

import (
	"encoding/hex"
	"encoding/json"
	"fmt"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Direct messages are signed by their author when written (crypto/dmsig.go)
// and checked by the recipient before it stores them, so that either side
// can later export them with proof of who wrote what.

// wireKind is the kind a DM is signed and sent with: "" for text.
func wireKind(kind string) string {
	if k, err := chat.ParseKind(kind); err == nil && kind != "" {
		if w, ok := k.DM(); ok {
			return w
		}
	}
	return kind
}

// storedInvite is what a DM row's Meta holds of an invitation: the sender
// keeps the whole invitation (key included), the recipient the room, the
// name and the key's hash, which is what the signature covers.
type storedInvite struct {
	Room    string `json:"room"`
	Name    string `json:"name"`
	Key     []byte `json:"key,omitempty"`
	KeyHash string `json:"key_sha256,omitempty"`
}

// Content is what the author of the stored DM m signed. Attachments are
// read back from m.Meta as the sender or the recipient stored them.
func Content(m storage.Message, author, recipient peer.ID) (*hcrypto.DMContent, error) {
	c := &hcrypto.DMContent{ID: m.ID, Author: []byte(author), Recipient: []byte(recipient),
		SentAt: m.SentAt.UnixMilli(), Kind: wireKind(m.Kind), Text: m.Text}
	if m.RefID != "" {
		a, err := peer.Decode(m.RefAuthor)
		if err != nil {
			return nil, fmt.Errorf("ref of message %s: %w", m.ID, err)
		}
		c.Ref = &hcrypto.DMRef{Author: []byte(a), ID: m.RefID}
	}
	switch m.Kind {
	case p2p.DMKindInvite:
		var inv storedInvite
		if err := json.Unmarshal([]byte(m.Meta), &inv); err != nil {
			return nil, fmt.Errorf("invitation of message %s: %w", m.ID, err)
		}
		ref := &hcrypto.DMInvite{Room: inv.Room, Name: inv.Name}
		switch {
		case len(inv.Key) > 0:
			ref.KeyHash = hcrypto.RoomKeyHash(inv.Key)
		default:
			b, err := hex.DecodeString(inv.KeyHash)
			if err != nil || len(b) != len(ref.KeyHash) {
				return nil, fmt.Errorf("invitation of message %s keeps no key hash", m.ID)
			}
			copy(ref.KeyHash[:], b)
		}
		c.Invite = ref
	case p2p.DMKindFile:
		var o p2p.FileOffer
		if err := json.Unmarshal([]byte(m.Meta), &o); err != nil {
			return nil, fmt.Errorf("file offer of message %s: %w", m.ID, err)
		}
		c.File = fileRef(&o)
	case p2p.DMKindFileStatus:
		var st p2p.FileStatus
		if err := json.Unmarshal([]byte(m.Meta), &st); err != nil {
			return nil, fmt.Errorf("file status of message %s: %w", m.ID, err)
		}
		c.Status = &hcrypto.DMFileStatus{ID: st.ID, State: st.State, Reason: st.Reason}
	}
	return c, nil
}

func fileRef(o *p2p.FileOffer) *hcrypto.DMFile {
	return &hcrypto.DMFile{ID: o.ID, Name: o.Name, Size: o.Size, Files: int64(o.Files), Folder: o.Folder, Hash: o.Hash}
}

// wireContent is what the author of an incoming DM signed, from the frame.
func wireContent(m p2p.DM, author, recipient peer.ID) *hcrypto.DMContent {
	c := &hcrypto.DMContent{ID: m.ID, Author: []byte(author), Recipient: []byte(recipient),
		SentAt: m.SentAt, Kind: m.Kind, Text: m.Text}
	if m.Ref != nil {
		if a, err := peer.Decode(m.Ref.From); err == nil {
			c.Ref = &hcrypto.DMRef{Author: []byte(a), ID: m.Ref.ID}
		}
	}
	switch {
	case m.Invite != nil:
		c.Invite = &hcrypto.DMInvite{Room: m.Invite.Room, Name: m.Invite.Name, KeyHash: hcrypto.RoomKeyHash(m.Invite.Key)}
	case m.File != nil:
		c.File = fileRef(m.File)
	case m.FileStatus != nil:
		c.Status = &hcrypto.DMFileStatus{ID: m.FileStatus.ID, State: m.FileStatus.State, Reason: m.FileStatus.Reason}
	}
	return c
}

// Sign returns the signature of the holder of key, the author, over the
// outgoing DM m to recipient.
func Sign(key ic.PrivKey, m storage.Message, to peer.ID) (string, error) {
	author, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return "", fmt.Errorf("author of message %s: %w", m.ID, err)
	}
	c, err := Content(m, author, to)
	if err != nil {
		return "", err
	}
	sig, err := hcrypto.SignDM(key, c)
	if err != nil {
		return "", err
	}
	return string(sig), nil
}

// checkSignature verifies the signature an incoming DM carries; nil
// when it holds or there is none (an older Hallway signs nothing). The
// caller keeps a DM whose signature fails without it, so that nothing
// stored claims a proof it lacks.
func (s *Service) checkSignature(from peer.ID, m p2p.DM) error {
	if len(m.Sig) == 0 {
		return nil
	}
	if err := hcrypto.VerifyDM(wireContent(m, from, s.deps.Net.ID()), m.Sig); err != nil {
		return fmt.Errorf("message %s from %s: %w", m.ID, from.ShortString(), err)
	}
	return nil
}

// recipientInviteMeta is what the recipient keeps of an invitation: not
// the key, which lives with the room, but its hash, which the signature
// covers.
func recipientInviteMeta(inv *p2p.RoomInvite) string {
	h := hcrypto.RoomKeyHash(inv.Key)
	b, _ := json.Marshal(storedInvite{Room: inv.Room, Name: inv.Name, KeyHash: hex.EncodeToString(h[:])})
	return string(b)
}
