package core

import (
	"context"
	"strings"

	"hallway/chat"
)

// Drafts: what the user wrote in a conversation and did not send yet,
// kept with history so that it survives a restart.

const draftPrefix = "draft."

// SetDraft keeps text as the draft of the conversation conv ("dm:…" or
// "room:…"); blank text forgets it.
func (s *Service) SetDraft(ctx context.Context, conv, text string) error {
	if _, err := chat.ParseConv(conv); err != nil {
		return chat.UserErrorf("%q is not a conversation", conv)
	}
	if len(text) > chat.MaxTextBytes {
		return chat.UserErrorf("a draft is at most 64 KiB")
	}
	if strings.TrimSpace(text) == "" {
		return s.store.DeleteSetting(ctx, draftPrefix+conv)
	}
	return s.store.SetSetting(ctx, draftPrefix+conv, text)
}

// Drafts returns the drafts kept, by conversation.
func (s *Service) Drafts(ctx context.Context) (map[string]string, error) {
	return s.store.SettingsWithPrefix(ctx, draftPrefix)
}
