package control

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/core"
)

// fakeArchive answers the archive endpoints; the rest of Backend is never
// called by these tests.
type fakeArchive struct {
	Backend
	query     chat.SearchQuery
	days      int
	in        string
	exportErr error // returned after writing half the export
	early     error // returned before writing anything
}

func (f *fakeArchive) Search(_ context.Context, q chat.SearchQuery) ([]chat.SearchHit, error) {
	f.query = q
	return []chat.SearchHit{{ID: "m1", Text: "hello", Snippet: "«hello»"}}, nil
}

func (f *fakeArchive) Export(_ context.Context, opt core.ExportOptions, w io.Writer) (core.ExportSummary, error) {
	if f.early != nil {
		return core.ExportSummary{}, f.early
	}
	w.Write([]byte(strings.Repeat("x", 100000)))
	if f.exportErr != nil {
		return core.ExportSummary{}, f.exportErr
	}
	w.Write([]byte(opt.Format + opt.In))
	return core.ExportSummary{Format: opt.Format, Messages: 7}, nil
}

func (f *fakeArchive) Backup(_ context.Context, w io.Writer) (core.BackupInfo, error) {
	w.Write([]byte("backup bytes"))
	return core.BackupInfo{PeerID: "me", Messages: 3}, nil
}

func (f *fakeArchive) Retention(context.Context) (core.RetentionStatus, error) {
	return core.RetentionStatus{WorkspaceDays: f.days}, nil
}

func (f *fakeArchive) SetRetention(_ context.Context, in string, days int) (core.RetentionStatus, error) {
	f.in, f.days = in, days
	return core.RetentionStatus{WorkspaceDays: days}, nil
}

func (f *fakeArchive) PlaceHold(_ context.Context, in, reason string) (core.LegalHold, error) {
	return core.LegalHold{ID: "h1", Scope: in, Reason: reason}, nil
}

func (f *fakeArchive) ReleaseHold(_ context.Context, id string) (core.LegalHold, error) {
	if id != "h1" {
		return core.LegalHold{}, errors.New("no such hold")
	}
	return core.LegalHold{ID: id}, nil
}

func (f *fakeArchive) ApplyRetention(context.Context) (chat.SweepResult, error) {
	return chat.SweepResult{Messages: 2}, nil
}

func serveFake(t *testing.T, b Backends) *Client {
	t.Helper()
	dir, err := os.MkdirTemp("", "hwc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	l, err := Listen(core.SocketPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { Serve(ctx, l, b, nil); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return NewClient(dir)
}

func TestArchiveEndpoints(t *testing.T) {
	f := &fakeArchive{}
	c := serveFake(t, BackendsOf(f))
	ctx := context.Background()
	since := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	hits, err := c.Search(ctx, chat.SearchQuery{Text: "hello wörld", From: "Bob", In: "#x", Since: since, HasFile: true, Limit: 7})
	if err != nil || len(hits) != 1 || hits[0].Snippet != "«hello»" {
		t.Fatalf("search: %+v, %v", hits, err)
	}
	if q := f.query; q.Text != "hello wörld" || q.From != "Bob" || q.In != "#x" || !q.Since.Equal(since) || !q.Until.IsZero() || !q.HasFile || q.Limit != 7 {
		t.Errorf("the backend got %+v", q)
	}

	var out bytes.Buffer
	sum, err := c.Export(ctx, core.ExportOptions{Format: "html", In: "#x"}, &out)
	if err != nil || sum.Messages != 7 || !strings.HasSuffix(out.String(), "html#x") || out.Len() != 100006 {
		t.Fatalf("export: %+v, %v, %d bytes", sum, err, out.Len())
	}
	f.exportErr = errors.New("disk on fire")
	out.Reset()
	if _, err := c.Export(ctx, core.ExportOptions{}, &out); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("an export failing midway: %v", err)
	}
	f.early = errors.New("no room called #y")
	if _, err := c.Export(ctx, core.ExportOptions{}, &out); err == nil || !strings.Contains(err.Error(), "no room called #y") {
		t.Errorf("an export failing at once: %v", err)
	}

	out.Reset()
	info, err := c.Backup(ctx, &out)
	if err != nil || info.Messages != 3 || out.String() != "backup bytes" {
		t.Fatalf("backup: %+v, %v, %q", info, err, out.String())
	}

	if st, err := c.SetRetention(ctx, "#x", 30); err != nil || st.WorkspaceDays != 30 || f.in != "#x" {
		t.Errorf("set retention: %+v, %v", st, err)
	}
	if _, err := c.SetRetention(ctx, "#x", core.RetentionInherit); err != nil || f.days != core.RetentionInherit {
		t.Errorf("inherit: %v, days %d", err, f.days)
	}
	if h, err := c.PlaceHold(ctx, "#x", "audit"); err != nil || h.Reason != "audit" || h.Scope != "#x" {
		t.Errorf("hold: %+v, %v", h, err)
	}
	if _, err := c.ReleaseHold(ctx, "nope"); err == nil {
		t.Error("released an unknown hold")
	}
	if r, err := c.ApplyRetention(ctx); err != nil || r.Messages != 2 {
		t.Errorf("apply: %+v, %v", r, err)
	}
	if _, err := c.Retention(ctx); err != nil {
		t.Error(err)
	}
}

func TestSearchQueryParams(t *testing.T) {
	for _, bad := range []string{"since=yesterday", "until=2026-13-01T00:00:00Z", "limit=-1", "limit=x"} {
		v, _ := url.ParseQuery(bad)
		if _, err := searchQuery(v); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
