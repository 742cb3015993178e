package core

import (
	"hallway/archive"
	"hallway/core/rooms"
)

// VerifyExport checks an export as archive.Verify does, and replays the
// membership log of each room it holds by the rules every member applies:
// the report then names the operations their authors had no right to
// make (a member's forged policy or grant), and whom each log leaves in
// its room with which role. It needs nothing but the export's bytes.
func VerifyExport(data []byte) *archive.Report {
	return archive.VerifyWith(data, archive.Options{Logs: replayLog})
}

func replayLog(room string, workspace bool, ops []archive.LogOp) archive.LogVerdict {
	in := make([]rooms.AuditOp, len(ops))
	for i, o := range ops {
		in[i] = rooms.AuditOp{Hash: o.Hash, ID: o.ID, Author: o.Author, Seq: o.Seq, Op: o.Op, Name: o.Name}
	}
	a := rooms.AuditLog(room, workspace, in)
	return archive.LogVerdict{Replayed: a.Owned, Refused: a.Refused, Roles: a.Roles, Removed: a.Removed, Policy: a.Policy}
}
