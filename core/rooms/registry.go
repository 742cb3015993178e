package rooms

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"hallway/chat"
)

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

// Resolve finds a joined room by "#name", "name", its id or an id prefix
// of six characters or more.
func (r *Registry) Resolve(ref string) (*Joined, error) {
	ref = strings.TrimSpace(ref)
	if j := r.Get(strings.TrimPrefix(ref, "#")); j != nil {
		return j, nil
	}
	name := strings.TrimPrefix(ref, "#")
	var hits []*Joined
	var names []string
	for _, j := range r.All() {
		names = append(names, "#"+j.name)
		if strings.EqualFold(j.name, name) || strings.HasPrefix(j.id, ref) && len(ref) >= 6 {
			hits = append(hits, j)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return nil, chat.NewUserError(fmt.Sprintf("you are in no room called %q; your rooms: %s", ref, strings.Join(names, ", ")), chat.ErrUnknownRoom)
	}
	var cands []string
	for _, j := range hits {
		cands = append(cands, fmt.Sprintf("#%s (%s)", j.name, j.id))
	}
	return nil, chat.NewUserError(fmt.Sprintf("%d rooms match %q; use the id: %s", len(hits), ref, strings.Join(cands, ", ")), chat.ErrAmbiguousRoom)
}
