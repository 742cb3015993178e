package people

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"hallway/chat"
)

// MaxLabelLen is the longest label, in characters.
const MaxLabelLen = 64

// SetLabel files a colleague under label (e.g. "Accounting"), which groups
// them in the window's sidebar; an empty label removes it.
func (b *TrustBook) SetLabel(ctx context.Context, ref, label string) (chat.Trust, error) {
	label = strings.Join(strings.Fields(label), " ")
	if utf8.RuneCountInString(label) > MaxLabelLen {
		return chat.Trust{}, chat.UserErrorf("a label has at most %d characters", MaxLabelLen)
	}
	for _, r := range label {
		if r < 0x20 || r == 0x7f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return chat.Trust{}, chat.UserErrorf("a label cannot contain control characters")
		}
	}
	id, err := b.resolver.Resolve(ctx, ref)
	if err != nil {
		return chat.Trust{}, err
	}
	if id == b.self.ID() {
		return chat.Trust{}, chat.UserErrorf("that is you; labels are for colleagues")
	}
	if err := b.store.SetLabel(ctx, id.String(), label); err != nil {
		return chat.Trust{}, fmt.Errorf("save label: %w", err)
	}
	return b.publish(ctx, id.String())
}

// Labels lists the labels in use, sorted, without repeats.
func (b *TrustBook) Labels(ctx context.Context) ([]string, error) {
	m, err := b.store.Labels(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, l := range m {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	sortFold(out)
	return out, nil
}

func sortFold(ss []string) {
	slices.SortFunc(ss, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
}
