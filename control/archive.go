package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"hallway/core"
)

// ArchiveBackend is the part of the core service behind search, export,
// retention and backup.
type ArchiveBackend interface {
	Search(ctx context.Context, q core.SearchQuery) ([]core.SearchHit, error)
	Export(ctx context.Context, opt core.ExportOptions, w io.Writer) (core.ExportSummary, error)
	Retention(ctx context.Context) (core.RetentionStatus, error)
	SetRetention(ctx context.Context, in string, days int) (core.RetentionStatus, error)
	PlaceHold(ctx context.Context, in, reason string) (core.LegalHold, error)
	ReleaseHold(ctx context.Context, id string) (core.LegalHold, error)
	ApplyRetention(ctx context.Context) (core.SweepResult, error)
	Backup(ctx context.Context, w io.Writer) (core.BackupInfo, error)
}

var _ ArchiveBackend = (*core.Service)(nil)

type exportRequest struct {
	Format string    `json:"format,omitempty"`
	In     string    `json:"in,omitempty"`
	Since  time.Time `json:"since,omitzero"`
	Until  time.Time `json:"until,omitzero"`
}

type retentionRequest struct {
	In      string `json:"in,omitempty"`
	Days    int    `json:"days"`
	Inherit bool   `json:"inherit,omitempty"`
}

type holdRequest struct {
	In     string `json:"in,omitempty"`
	Reason string `json:"reason,omitempty"`
	ID     string `json:"id,omitempty"`
}

// Streamed replies (export, backup) report how they ended in trailers,
// as the status line is long gone when the end comes.
const (
	trailerError   = "Hallway-Error"
	trailerSummary = "Hallway-Summary"
)

func archiveRoutes(mux *http.ServeMux, b ArchiveBackend) {
	mux.HandleFunc("GET /v1/search", func(w http.ResponseWriter, r *http.Request) {
		q, err := searchQuery(r.URL.Query())
		if err != nil {
			fail(w, http.StatusBadRequest, err.Error())
			return
		}
		hits, err := b.Search(r.Context(), q)
		if hits == nil {
			hits = []core.SearchHit{}
		}
		reply(w, hits, err)
	})
	mux.HandleFunc("POST /v1/export", func(w http.ResponseWriter, r *http.Request) {
		var req exportRequest
		if !readJSON(w, r, &req) {
			return
		}
		opt := core.ExportOptions{Format: req.Format, In: req.In, Since: req.Since, Until: req.Until}
		contentType := "application/json"
		if opt.Format == core.ExportHTML {
			contentType = "text/html; charset=utf-8"
		}
		stream(w, contentType, func(out io.Writer) (any, error) { return b.Export(r.Context(), opt, out) })
	})
	mux.HandleFunc("POST /v1/backup", func(w http.ResponseWriter, r *http.Request) {
		stream(w, "application/gzip", func(out io.Writer) (any, error) { return b.Backup(r.Context(), out) })
	})
	mux.HandleFunc("GET /v1/retention", func(w http.ResponseWriter, r *http.Request) {
		to[core.RetentionStatus](w)(b.Retention(r.Context()))
	})
	mux.HandleFunc("POST /v1/retention", func(w http.ResponseWriter, r *http.Request) {
		var req retentionRequest
		if !readJSON(w, r, &req) {
			return
		}
		days := req.Days
		if req.Inherit {
			days = core.RetentionInherit
		}
		to[core.RetentionStatus](w)(b.SetRetention(r.Context(), req.In, days))
	})
	mux.HandleFunc("POST /v1/retention/hold", func(w http.ResponseWriter, r *http.Request) {
		var req holdRequest
		if readJSON(w, r, &req) {
			to[core.LegalHold](w)(b.PlaceHold(r.Context(), req.In, req.Reason))
		}
	})
	mux.HandleFunc("POST /v1/retention/release", func(w http.ResponseWriter, r *http.Request) {
		var req holdRequest
		if readJSON(w, r, &req) {
			to[core.LegalHold](w)(b.ReleaseHold(r.Context(), req.ID))
		}
	})
	mux.HandleFunc("POST /v1/retention/apply", func(w http.ResponseWriter, r *http.Request) {
		to[core.SweepResult](w)(b.ApplyRetention(r.Context()))
	})
}

func searchQuery(v url.Values) (core.SearchQuery, error) {
	q := core.SearchQuery{Text: v.Get("text"), From: v.Get("from"), In: v.Get("in"), HasFile: v.Get("has_file") == "true"}
	var err error
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &q.Since}, {"until", &q.Until}} {
		if s := v.Get(p.name); s != "" {
			if *p.dst, err = time.Parse(time.RFC3339Nano, s); err != nil {
				return q, fmt.Errorf("%s is a time like 2026-03-01T09:00:00Z", p.name)
			}
		}
	}
	if s := v.Get("limit"); s != "" {
		if q.Limit, err = strconv.Atoi(s); err != nil || q.Limit < 0 {
			return q, errors.New("limit is a whole number")
		}
	}
	return q, nil
}

// lazyWriter sends the status line with the first byte, so that a call
// failing before it writes anything still gets an ordinary error reply.
type lazyWriter struct {
	w           http.ResponseWriter
	contentType string
	started     bool
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		l.w.Header().Set("Content-Type", l.contentType)
		l.w.Header().Set("Trailer", trailerError+", "+trailerSummary)
		l.w.WriteHeader(http.StatusOK)
	}
	return l.w.Write(p)
}

// stream runs fn with the response body as its output.
func stream(w http.ResponseWriter, contentType string, fn func(io.Writer) (any, error)) {
	lw := &lazyWriter{w: w, contentType: contentType}
	summary, err := fn(lw)
	if !lw.started {
		if err != nil {
			reply[any](w, nil, err)
			return
		}
		lw.Write(nil)
	}
	if err != nil {
		w.Header().Set(trailerError, core.UserMessage(err))
		return
	}
	if b, err := json.Marshal(summary); err == nil {
		w.Header().Set(trailerSummary, string(b))
	}
}

// Search finds messages.
func (c *Client) Search(ctx context.Context, q core.SearchQuery) ([]core.SearchHit, error) {
	v := url.Values{"text": {q.Text}}
	for k, s := range map[string]string{"from": q.From, "in": q.In} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if !q.Since.IsZero() {
		v.Set("since", q.Since.Format(time.RFC3339Nano))
	}
	if !q.Until.IsZero() {
		v.Set("until", q.Until.Format(time.RFC3339Nano))
	}
	if q.HasFile {
		v.Set("has_file", "true")
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	var hits []core.SearchHit
	return hits, c.do(ctx, "GET", "/v1/search?"+v.Encode(), nil, &hits)
}

// Export writes an export to out.
func (c *Client) Export(ctx context.Context, opt core.ExportOptions, out io.Writer) (core.ExportSummary, error) {
	var sum core.ExportSummary
	req := exportRequest{Format: opt.Format, In: opt.In, Since: opt.Since, Until: opt.Until}
	return sum, c.stream(ctx, "/v1/export", req, out, &sum)
}

// Backup writes a backup of the running node to out.
func (c *Client) Backup(ctx context.Context, out io.Writer) (core.BackupInfo, error) {
	var info core.BackupInfo
	return info, c.stream(ctx, "/v1/backup", struct{}{}, out, &info)
}

// stream posts in and copies a streamed reply to out, then reads how it
// ended from the trailers into summary.
func (c *Client) stream(ctx context.Context, path string, in any, out io.Writer, summary any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", "http://hallway"+path, bytesReader(b))
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if _, serr := os.Stat(c.path); serr != nil || isRefused(err) {
			return c.notRunning()
		}
		return fmt.Errorf("control API: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e errorBody
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			return errors.New(e.Error)
		}
		return fmt.Errorf("control API: %s", resp.Status)
	}
	if _, err := io.Copy(out, resp.Body); err != nil {
		return fmt.Errorf("control API: %w", err)
	}
	if msg := resp.Trailer.Get(trailerError); msg != "" {
		return errors.New(msg)
	}
	s := resp.Trailer.Get(trailerSummary)
	if s == "" {
		return errors.New("control API: the reply ended early")
	}
	return json.Unmarshal([]byte(s), summary)
}

// Retention describes the retention policies and legal holds.
func (c *Client) Retention(ctx context.Context) (core.RetentionStatus, error) {
	var v core.RetentionStatus
	return v, c.do(ctx, "GET", "/v1/retention", nil, &v)
}

// SetRetention sets a policy; days core.RetentionInherit clears a
// conversation's own.
func (c *Client) SetRetention(ctx context.Context, in string, days int) (core.RetentionStatus, error) {
	req := retentionRequest{In: in, Days: days}
	if days == core.RetentionInherit {
		req = retentionRequest{In: in, Inherit: true}
	}
	var v core.RetentionStatus
	return v, c.do(ctx, "POST", "/v1/retention", req, &v)
}

// PlaceHold places a legal hold.
func (c *Client) PlaceHold(ctx context.Context, in, reason string) (core.LegalHold, error) {
	var v core.LegalHold
	return v, c.do(ctx, "POST", "/v1/retention/hold", holdRequest{In: in, Reason: reason}, &v)
}

// ReleaseHold releases a legal hold.
func (c *Client) ReleaseHold(ctx context.Context, id string) (core.LegalHold, error) {
	var v core.LegalHold
	return v, c.do(ctx, "POST", "/v1/retention/release", holdRequest{ID: id}, &v)
}

// ApplyRetention applies the policies now.
func (c *Client) ApplyRetention(ctx context.Context) (core.SweepResult, error) {
	var v core.SweepResult
	return v, c.do(ctx, "POST", "/v1/retention/apply", struct{}{}, &v)
}
