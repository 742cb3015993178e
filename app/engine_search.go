package app

import (
	"context"
	"strings"

	"hallway/core"
)

// searchCore is the one place the window's search reaches the core's
// archive search, converting between the window's conversation keys
// ("dm:<peer>", "room:<id>") and the core's references.
func searchCore(ctx context.Context, svc *core.Service, q SearchQuery) ([]SearchHit, error) {
	in := q.In
	for _, p := range []string{"dm:", "room:"} {
		in = strings.TrimPrefix(in, p)
	}
	hits, err := svc.Search(ctx, core.SearchQuery{
		Text: q.Text, From: q.From, In: in, Since: q.Since, Until: q.Until, HasFile: q.HasFile, Limit: q.Limit,
	})
	if err != nil {
		return nil, err
	}
	out := make([]SearchHit, len(hits))
	for i, h := range hits {
		conv := "dm:" + h.ConversationID
		if h.Room {
			conv = "room:" + h.ConversationID
		}
		out[i] = SearchHit{
			ID: h.ID, Conversation: conv, ConversationID: h.ConversationID, ConversationName: h.ConversationName,
			Room: h.Room, From: h.From, FromName: h.FromName, Time: h.Time, Text: h.Text, Snippet: h.Snippet,
		}
	}
	return out, nil
}
