package core

import (
	"context"

	"hallway/chat"
	"hallway/core/people"
)

// MaxLabelLen is the longest label, in characters.
const MaxLabelLen = people.MaxLabelLen

// SetLabel files a colleague under label (e.g. "Accounting"), which groups
// them in the window's sidebar; an empty label removes it.
func (s *Service) SetLabel(ctx context.Context, ref, label string) (chat.Trust, error) {
	return s.trust.SetLabel(ctx, ref, label)
}

// Labels lists the labels in use, sorted, without repeats.
func (s *Service) Labels(ctx context.Context) ([]string, error) { return s.trust.Labels(ctx) }
