package rooms

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"hallway/chat"
)

// maxNamesListed bounds the rooms an error lists.
const maxNamesListed = 20

// Registry holds the joined rooms and finds one from what a user typed.
type Registry struct {
	mu   sync.Mutex // guards byID
	byID map[string]*Joined
}

func newRegistry() *Registry { return &Registry{byID: map[string]*Joined{}} }

// Get is the joined room with this id, or nil.
func (r *Registry) Get(id string) *Joined {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byID[id]
}

// All lists the joined rooms by id.
func (r *Registry) All() []*Joined {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*Joined, 0, len(r.byID))
	for _, j := range r.byID {
		out = append(out, j)
	}
	slices.SortFunc(out, func(a, b *Joined) int { return strings.Compare(a.id, b.id) })
	return out
}

// Len is the number of joined rooms.
func (r *Registry) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.byID)
}

func (r *Registry) add(j *Joined) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byID[j.id] = j
}

func (r *Registry) remove(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.byID, id)
}

// Resolve finds the joined room a user means. "#name" and a bare name are
// names, matched ignoring case: never an id, so no room a colleague hands
// over can take a name's place. An id is given explicitly as "room:<id>"
// (the room's conversation id), or bare in its own form, which no name
// reaches. "#general" is always the workspace's #general.
func (r *Registry) Resolve(ref string) (*Joined, error) {
	ref = strings.TrimSpace(ref)
	if id, ok := strings.CutPrefix(ref, chat.RoomIDRefPrefix); ok {
		return r.resolveID(id)
	}
	if name, ok := strings.CutPrefix(ref, "#"); ok {
		return r.resolveName(name)
	}
	if chat.ValidRoomID(ref) {
		return r.resolveID(ref)
	}
	return r.resolveName(ref)
}

func (r *Registry) resolveID(id string) (*Joined, error) {
	if j := r.Get(id); j != nil && !j.workspace {
		return j, nil
	}
	return nil, chat.NewUserError(fmt.Sprintf("you are in no room with id %q (hallway room list shows the ids)", id), chat.ErrUnknownRoom)
}

func (r *Registry) resolveName(name string) (*Joined, error) {
	name = strings.TrimSpace(name)
	all := r.All()
	var hits []*Joined
	var names []string
	all = slices.DeleteFunc(all, func(j *Joined) bool { return j.workspace })
	for _, j := range all {
		names = append(names, "#"+j.name)
		if strings.EqualFold(j.name, name) {
			hits = append(hits, j)
		}
	}
	if reservedName(name) {
		// Rooms named like #general before names were reserved stay
		// reachable by id only.
		if i := slices.IndexFunc(all, func(j *Joined) bool { return j.general }); i >= 0 {
			return all[i], nil
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		slices.Sort(names)
		if len(names) > maxNamesListed {
			names = append(names[:maxNamesListed], fmt.Sprintf("and %d more (hallway room list)", len(names)-maxNamesListed))
		}
		return nil, chat.NewUserError(fmt.Sprintf("you are in no room called %q; your rooms: %s", "#"+name, strings.Join(names, ", ")), chat.ErrUnknownRoom)
	}
	var cands []string
	for _, j := range hits {
		cands = append(cands, fmt.Sprintf("#%s (%s%s)", j.name, chat.RoomIDRefPrefix, j.id))
	}
	return nil, chat.NewUserError(fmt.Sprintf("%d rooms are called %q; name one by its id: %s", len(hits), "#"+name, strings.Join(cands, ", ")), chat.ErrAmbiguousRoom)
}
