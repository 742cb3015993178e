package rooms

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"hallway/chat"
	"hallway/lookalike"
)

// Room names are labels this node keeps; only the id and the key travel
// with a room. So that "#name" always means one room, and "#general"
// always the workspace's own, no two joined rooms carry names that may
// look the same: a room joining under such a name (or under #general's)
// takes it with the first free number, "project (2)".

// nameKey folds what a reader does not see (lookalike.Key), as people's
// display names are compared.
func nameKey(name string) string { return lookalike.Key(name) }

var generalKey = nameKey(chat.GeneralRoomName)

// reservedName reports whether name may be read as #general's.
func reservedName(name string) bool { return nameKey(name) == generalKey }

// byNameKey is the joined room other than except whose name may look like
// name, or nil. #general's name is reserved whether or not it is followed.
func (r *Registry) byNameKey(name, except string) *Joined {
	key := nameKey(name)
	for _, j := range r.All() {
		if j.id != except && !j.workspace && nameKey(j.name) == key {
			return j
		}
	}
	return nil
}

// localName is the name a room with this id joins under here: name, or
// name with the first free number when it may look like #general or like
// a joined room's name.
func (r *Registry) localName(name, id string) string {
	taken := func(n string) bool { return reservedName(n) || r.byNameKey(n, id) != nil }
	if !taken(name) {
		return name
	}
	for n := 2; ; n++ {
		suffix := fmt.Sprintf(" (%d)", n)
		base := name
		if over := utf8.RuneCountInString(base) + len(suffix) - chat.MaxNameRunes; over > 0 {
			runes := []rune(base)
			base = strings.TrimSpace(string(runes[:max(1, len(runes)-over)]))
		}
		if c := base + suffix; !taken(c) {
			return c
		}
	}
}
