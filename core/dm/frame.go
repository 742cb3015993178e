package dm

import (
	"encoding/json"

	"hallway/p2p"
	"hallway/storage"
)

// frame is the wire form of a queued DM: its attachment travels as the
// sender stored it in Meta.
func frame(m storage.Message) p2p.DM {
	d := p2p.DM{ID: m.ID, Text: m.Text, SentAt: m.SentAt.UnixMilli(), Sig: []byte(m.Sig)}
	if m.Sig == "" {
		d.Sig = nil
	}
	if m.RefID != "" {
		d.Kind, d.Ref = wireKind(m.Kind), &p2p.MessageRef{ID: m.RefID, From: m.RefAuthor}
	}
	switch m.Kind {
	case p2p.DMKindInvite:
		var inv p2p.RoomInvite
		if json.Unmarshal([]byte(m.Meta), &inv) == nil {
			d.Kind, d.Invite = p2p.DMKindInvite, &inv
		}
	case p2p.DMKindFile:
		var o p2p.FileOffer
		if json.Unmarshal([]byte(m.Meta), &o) == nil {
			d.Kind, d.File = p2p.DMKindFile, &o
		}
	case p2p.DMKindFileStatus:
		var st p2p.FileStatus
		if json.Unmarshal([]byte(m.Meta), &st) == nil {
			d.Kind, d.FileStatus = p2p.DMKindFileStatus, &st
		}
	case p2p.DMKindRoomKey:
		var k p2p.RoomKey
		if json.Unmarshal([]byte(m.Meta), &k) == nil {
			d.Kind, d.RoomKey = p2p.DMKindRoomKey, &k
		}
	}
	return d
}
