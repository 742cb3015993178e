package archive

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"

	hcrypto "hallway/crypto"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Fork is the evidence that a room member signed two histories: an author
// showing different histories to different members. Envelopes are base64
// of two signed envelopes, the one the exporter's log keeps first; anyone
// can check both signatures with the author's peer ID alone. Either both
// are under Seq and sign different content, or (a broken chain) the first
// is under Seq-1 and the second, under Seq, names another predecessor in
// its sealed body: MessageKey (base64) then opens that body, and only it.
type Fork struct {
	Author     string   `json:"author"`
	Seq        uint64   `json:"seq"`
	Envelopes  []string `json:"envelopes"`
	MessageKey string   `json:"message_key,omitempty"`
}

// ForkResult is a fork's verdict: Proven when both envelopes are the
// author's, of the room, under Seq, and sign different content.
type ForkResult struct {
	Room   string `json:"room"`
	Author string `json:"author"`
	Seq    uint64 `json:"seq"`
	Proven bool   `json:"proven"`
	Reason string `json:"reason,omitempty"`
}

// checkForks checks the fork evidence of each room.
func checkForks(r *Report, rooms []Room) {
	for _, room := range rooms {
		for _, f := range room.Forks {
			res := ForkResult{Room: room.ID, Author: f.Author, Seq: f.Seq, Proven: true}
			if err := CheckFork(room.ID, f); err != nil {
				res.Proven, res.Reason = false, err.Error()
				r.problem("room %s: fork evidence of %s at %d does not hold: %v", room.ID, f.Author, f.Seq, err)
			}
			r.Forks = append(r.Forks, res)
		}
	}
}

// CheckFork checks one fork's evidence in room: nil when both envelopes
// are f.Author's, under f.Seq in room, and sign different content.
func CheckFork(room string, f Fork) error {
	author, err := peer.Decode(f.Author)
	if err != nil {
		return fmt.Errorf("author: %w", err)
	}
	pub, err := author.ExtractPublicKey()
	if err != nil {
		return fmt.Errorf("author key: %w", err)
	}
	if len(f.Envelopes) != 2 {
		return fmt.Errorf("%d envelopes, want 2", len(f.Envelopes))
	}
	var signed [2][]byte
	var envs [2]*hcrypto.Envelope
	var raws [2][]byte
	for i, b64 := range f.Envelopes {
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return fmt.Errorf("envelope %d: %w", i+1, err)
		}
		env, err := hcrypto.UnmarshalEnvelope(raw)
		if err != nil {
			return fmt.Errorf("envelope %d: %w", i+1, err)
		}
		want := f.Seq
		if i == 0 && f.MessageKey != "" {
			want = f.Seq - 1
		}
		if env.Room != room || env.Seq != want || !bytes.Equal(env.Author, []byte(author)) {
			return fmt.Errorf("envelope %d is not the author's seq %d in this room", i+1, want)
		}
		if err := env.Verify(pub); err != nil {
			return fmt.Errorf("envelope %d: %w", i+1, err)
		}
		signed[i], envs[i], raws[i] = env.SignedBytes(), env, raw
	}
	if f.MessageKey != "" {
		return checkChainBreak(envs[1], raws[0], f.MessageKey)
	}
	if bytes.Equal(signed[0], signed[1]) {
		return errors.New("the two envelopes sign the same content")
	}
	return nil
}

// checkChainBreak checks that next, opened with its message key, names
// another predecessor than prev.
func checkChainBreak(next *hcrypto.Envelope, prev []byte, key64 string) error {
	k, err := base64.StdEncoding.DecodeString(key64)
	if err != nil || len(k) != hcrypto.MessageKeyLen {
		return errors.New("message key: not a base64 key")
	}
	plain, err := next.OpenWithMessageKey([hcrypto.MessageKeyLen]byte(k))
	if err != nil {
		return fmt.Errorf("envelope 2: %w", err)
	}
	body, err := hcrypto.UnmarshalRoomBody(plain)
	if err != nil {
		return fmt.Errorf("envelope 2: %w", err)
	}
	if !body.Chained {
		return errors.New("envelope 2 names no predecessor")
	}
	if body.Prev == hcrypto.ChainHash(prev) {
		return errors.New("envelope 2 names envelope 1: the chain holds")
	}
	return nil
}
