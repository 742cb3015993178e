package storage

import (
	"fmt"
	"testing"
	"time"
)

// An imported history is searchable like one that arrived message by
// message, and importing it again adds nothing, to the table or the index.
func TestImportedMessagesAreSearchable(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t)
	var msgs []Message
	for i := range 20 {
		text := fmt.Sprintf("weekly note %d", i)
		if i == 7 {
			text = "the quarterly invoice is late"
		}
		msgs = append(msgs, Message{ID: fmt.Sprint("m", i), Conv: "dm:p1", Author: "p1", Text: text,
			SentAt: time.UnixMilli(int64(1000 + i)), State: StateReceived})
	}
	if n, err := s.ImportMessages(ctx, msgs); err != nil || n != 20 {
		t.Fatalf("imported %d: %v", n, err)
	}
	if n, err := s.ImportMessages(ctx, msgs); err != nil || n != 0 {
		t.Fatalf("imported again %d: %v", n, err)
	}
	hits, err := s.Search(ctx, SearchQuery{Terms: []string{"invoice"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].Message.ID != "m7" {
		t.Fatalf("search for a word of an imported message: %+v", hits)
	}
	var indexed int
	if err := s.indexBacklog(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM message_fts WHERE message_fts MATCH 'weekly'`).Scan(&indexed); err != nil {
		t.Fatal(err)
	}
	if indexed != 19 {
		t.Fatalf("%d imported messages in the index, want 19", indexed)
	}
	ftsIntegrity(t, s)
}
