package policy

import (
	"slices"

	"hallway/files"
)

// FilePolicy lays the workspace's file rules over a node's own: the
// stricter of the two wins on each point (the user may refuse more than
// the workspace does, never less).
func (d Document) FilePolicy(own files.Policy) files.Policy {
	p := own
	p.BlockedExtensions = slices.Clone(own.BlockedExtensions)
	if d.Files.Disabled {
		p.Disabled = true
	}
	if m := d.Files.MaxSize; m > 0 && (p.MaxSize == 0 || m < p.MaxSize) {
		p.MaxSize = m
	}
	for _, e := range d.Files.Blocked {
		if !slices.Contains(p.BlockedExtensions, e) {
			p.BlockedExtensions = append(p.BlockedExtensions, e)
		}
	}
	if len(d.Files.Allowed) > 0 {
		if len(p.AllowedExtensions) == 0 {
			p.AllowedExtensions = slices.Clone(d.Files.Allowed)
		} else {
			// Both restrict: only what both allow.
			p.AllowedExtensions = slices.DeleteFunc(slices.Clone(p.AllowedExtensions), func(e string) bool {
				return !slices.Contains(d.Files.Allowed, e)
			})
			if len(p.AllowedExtensions) == 0 {
				p.Disabled = true
			}
		}
	}
	return p
}

// AutoAcceptMax caps a user's auto-accept size by the workspace's.
func (d Document) AutoAcceptMax(own int64) int64 {
	if c := d.Files.AutoAcceptMax; c > 0 && (own == 0 || own > c) {
		return c
	}
	return own
}

// MayCreateRooms reports whether a member with admin rights (or without)
// may make a room.
func (d Document) MayCreateRooms(admin bool) bool {
	return admin || d.RoomCreation != RoomsByAdmins
}
