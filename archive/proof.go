package archive

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"hallway/chat"
	hcrypto "hallway/crypto"

	"github.com/libp2p/go-libp2p/core/peer"
)

// checkMessage gives one message's verdict: first that no field changed
// since export (its hash), then that its author's proof covers what it
// shows.
func checkMessage(i int, m *Message) MessageResult {
	res := MessageResult{Index: i, ID: m.ID, Status: StatusTampered}
	if m.RecordHash() != m.Hash {
		res.Reason = "changed after export: it no longer matches its recorded hash"
		return res
	}
	var err error
	switch m.Proof.Type {
	case ProofDM:
		err = checkDM(m)
	case ProofRoom:
		err = checkRoom(m)
	case ProofNone:
		if m.Proof.Signature != "" || m.Proof.Envelope != "" || m.Proof.MessageKey != "" {
			err = errors.New("an unsigned message carries proof fields")
			break
		}
		res.Status = StatusUnsigned
		res.Reason = "stored before messages were signed: unchanged since export, but its author's signature is not available"
		return res
	default:
		err = fmt.Errorf("unknown proof type %q", m.Proof.Type)
	}
	if err != nil {
		res.Reason = err.Error()
		return res
	}
	res.Status = StatusVerified
	return res
}

func sentAt(m *Message) (int64, error) {
	t, err := ParseTime(m.Time)
	if err != nil {
		return 0, fmt.Errorf("time %q: %v", m.Time, err)
	}
	return t.UnixMilli(), nil
}

func decodePeer(what, s string) (peer.ID, error) {
	id, err := peer.Decode(s)
	if err != nil {
		return "", fmt.Errorf("%s %q is not a peer ID", what, s)
	}
	return id, nil
}

// checkDM verifies the author's signature over the direct message.
func checkDM(m *Message) error {
	if m.Room {
		return errors.New("a room message with a direct message's proof")
	}
	from, err := decodePeer("author", m.From)
	if err != nil {
		return err
	}
	to, err := decodePeer("recipient", m.To)
	if err != nil {
		return err
	}
	if m.ConversationID != m.From && m.ConversationID != m.To {
		return errors.New("the conversation is neither the author's nor the recipient's")
	}
	at, err := sentAt(m)
	if err != nil {
		return err
	}
	// A DM is signed with its kind's DM form ("" for text); other kinds
	// are checked as shown.
	kind := m.Kind
	if k, err := chat.ParseKind(m.Kind); err == nil && m.Kind != "" {
		if w, ok := k.DM(); ok {
			kind = w
		}
	}
	c := &hcrypto.DMContent{ID: m.ID, Author: []byte(from), Recipient: []byte(to), SentAt: at, Kind: kind, Text: m.Text}
	switch {
	case m.File != nil:
		c.File = &hcrypto.DMFile{ID: m.File.ID, Name: m.File.Name, Size: m.File.Size, Files: m.File.Files,
			Folder: m.File.Folder, Hash: m.File.Hash}
	case m.Invite != nil:
		inv := &hcrypto.DMInvite{Room: m.Invite.Room, Name: m.Invite.Name}
		h, err := hex.DecodeString(m.Invite.KeySHA256)
		if err != nil || len(h) != len(inv.KeyHash) {
			return errors.New("the invitation's key hash is not 32 bytes of hex")
		}
		copy(inv.KeyHash[:], h)
		c.Invite = inv
	case m.FileStatus != nil:
		c.Status = &hcrypto.DMFileStatus{ID: m.FileStatus.ID, State: m.FileStatus.State, Reason: m.FileStatus.Reason}
	case m.Ref != nil:
		a, err := decodePeer("the named message's author", m.Ref.From)
		if err != nil {
			return err
		}
		c.Ref = &hcrypto.DMRef{Author: []byte(a), ID: m.Ref.ID}
	}
	sig, err := base64.StdEncoding.DecodeString(m.Proof.Signature)
	if err != nil {
		return fmt.Errorf("signature: %v", err)
	}
	if err := hcrypto.VerifyDM(c, sig); err != nil {
		return fmt.Errorf("the author's signature does not cover this message: %v", err)
	}
	return nil
}

// roomKind is the message kind of a room body's kind, "" for none.
func roomKind(k hcrypto.BodyKind) string {
	kind, _ := chat.KindFromBody(byte(k))
	return string(kind)
}

// checkRoom verifies the author's signature over the envelope, opens it
// with its own key and compares what it holds with what the export shows.
func checkRoom(m *Message) error {
	if !m.Room {
		return errors.New("a direct message with a room message's proof")
	}
	raw, err := base64.StdEncoding.DecodeString(m.Proof.Envelope)
	if err != nil {
		return fmt.Errorf("envelope: %v", err)
	}
	env, err := hcrypto.UnmarshalEnvelope(raw)
	if err != nil {
		return err
	}
	author, err := peer.IDFromBytes(env.Author)
	if err != nil {
		return fmt.Errorf("envelope author: %v", err)
	}
	pub, err := author.ExtractPublicKey()
	if err != nil {
		return fmt.Errorf("envelope author key: %v", err)
	}
	if err := env.Verify(pub); err != nil {
		return fmt.Errorf("the author's signature does not hold: %v", err)
	}
	switch {
	case author.String() != m.From:
		return fmt.Errorf("signed by %s, shown as from %s", author, m.From)
	case env.Room != m.ConversationID:
		return fmt.Errorf("signed for room %s, shown in %s", env.Room, m.ConversationID)
	case env.ID() != m.ID:
		return fmt.Errorf("the envelope is message %s", env.ID())
	case strconv.FormatUint(env.Seq, 10) != m.AuthorSeq || strconv.FormatUint(env.HLC, 10) != m.HLC:
		return errors.New("sequence number or clock differ from the envelope's")
	}
	keyBytes, err := base64.StdEncoding.DecodeString(m.Proof.MessageKey)
	if err != nil || len(keyBytes) != hcrypto.MessageKeyLen {
		return errors.New("the message key is not 32 bytes of base64")
	}
	var key [hcrypto.MessageKeyLen]byte
	copy(key[:], keyBytes)
	plain, err := env.OpenWithMessageKey(key)
	if err != nil {
		return err
	}
	body, err := hcrypto.UnmarshalRoomBody(plain)
	if err != nil {
		return err
	}
	at, err := sentAt(m)
	if err != nil {
		return err
	}
	switch {
	case roomKind(body.Kind) != m.Kind:
		return fmt.Errorf("the author wrote a %q message, shown as %q", roomKind(body.Kind), m.Kind)
	case body.SentAt != at:
		return errors.New("the time differs from the author's")
	case body.Name != m.FromName:
		return fmt.Errorf("the author signed as %q, shown as %q", body.Name, m.FromName)
	case hcrypto.DescribeBody(body) != m.Text:
		return errors.New("the text differs from what the author wrote")
	}
	if m.File != nil {
		var o Offer
		if body.Kind != hcrypto.BodyFile || json.Unmarshal([]byte(body.Text), &o) != nil || o != *m.File {
			return errors.New("the file differs from the one the author offered")
		}
	}
	if m.Invite != nil || m.FileStatus != nil {
		return errors.New("a room message shown with a direct message's attachment")
	}
	var signed *Ref
	if hcrypto.IsRefKind(body.Kind) {
		r, err := hcrypto.UnmarshalRefBody(body.Kind, []byte(body.Text))
		if err != nil {
			return err
		}
		signed = &Ref{ID: r.ID, From: r.Author.String()}
	}
	if (signed == nil) != (m.Ref == nil) || (signed != nil && *signed != *m.Ref) {
		return errors.New("the message it is about differs from the one the author named")
	}
	return nil
}
