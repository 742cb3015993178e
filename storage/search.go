package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// SearchQuery asks for the messages that contain every term.
type SearchQuery struct {
	// Terms must all occur in a message, each as a substring, ignoring
	// case (and, for terms of three characters or more, accents). At least
	// one term is required.
	Terms []string
	// Author, when set, keeps messages written by this peer ID only.
	Author string
	// Conv, when set, keeps messages of this conversation only.
	Conv string
	// Since (inclusive) and Until (exclusive) bound the author's time;
	// zero means unbounded.
	Since, Until time.Time
	// FilesOnly keeps file offers only.
	FilesOnly bool
	// Limit is how many hits to return: 0 means DefaultSearchLimit, and
	// more than MaxSearchLimit are never returned.
	Limit int
}

// SearchHit is one message found, with what the index holds of it.
type SearchHit struct {
	Message Message
	// Body is the searchable text: the message text, or the file name of
	// a room's file offer.
	Body string
	// Score orders hits, higher first: relevance weighed by age (see rank).
	Score float64
}

// Limits of a search.
const (
	DefaultSearchLimit = 50
	MaxSearchLimit     = 500
	// MaxSearchTerms and MaxSearchTermBytes bound what one query may ask.
	MaxSearchTerms     = 16
	MaxSearchTermBytes = 256
	// ScanWindow is how many of the newest messages (of the conversation,
	// when one is named) a query made only of terms shorter than three
	// characters reads: the trigram index cannot find those, so they are
	// looked for message by message, and older messages are not reached.
	ScanWindow = 20000

	// minIndexedRunes is the shortest term the trigram index can find.
	minIndexedRunes = 3
	// Relevance is computed for the newest matches only, at most this
	// many (and at least 4 per hit asked for): a word found in a hundred
	// thousand messages is ranked among its most recent uses.
	maxCandidates = 2000
	minCandidates = 200
	// recencyDays halves the weight of a match this many days old.
	recencyDays = 30
)

// ErrEmptySearch is returned (wrapped) for a query without terms.
var ErrEmptySearch = errors.New("storage: search: no terms")

// Search finds messages containing every term of q, best first: relevance
// weighed by age (see rank), among the newest matches.
//
// Terms of three characters or more are looked up in the trigram index.
// Shorter ones (a two-character Japanese word, "ok") cannot be: alone they
// are searched in the newest ScanWindow messages only; next to a longer
// term they filter what the index found.
func (s *Store) Search(ctx context.Context, q SearchQuery) ([]SearchHit, error) {
	terms := cleanTerms(q.Terms)
	if len(terms) == 0 {
		return nil, ErrEmptySearch
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	limit = min(limit, MaxSearchLimit)
	var indexed, short []string
	for _, t := range terms {
		if utf8.RuneCountInString(t) >= minIndexedRunes {
			indexed = append(indexed, t)
		} else {
			short = append(short, t)
		}
	}
	// Messages committed a moment ago may still wait in the backlog.
	if err := s.indexBacklog(ctx); err != nil {
		return nil, err
	}
	candidates := min(max(4*limit, minCandidates), maxCandidates)
	var cands []candidate
	var err error
	if len(indexed) > 0 {
		cands, err = s.indexCandidates(ctx, q, indexed, short, candidates)
	} else {
		cands, err = s.scanCandidates(ctx, q, short, candidates)
	}
	if err != nil {
		return nil, fmt.Errorf("storage: search: %w", err)
	}
	hits, err := s.loadHits(ctx, cands)
	if err != nil {
		return nil, fmt.Errorf("storage: search: %w", err)
	}
	rank(hits, terms, time.Now())
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits, nil
}

// candidate is a match before ranking.
type candidate struct {
	seq int64
}

// cleanTerms drops empty terms and duplicates and turns control characters
// (which FTS5 would cut a query at) into spaces; it keeps at most
// MaxSearchTerms terms of at most MaxSearchTermBytes each.
func cleanTerms(in []string) []string {
	var out []string
	for _, t := range in {
		t = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f || r == utf8.RuneError {
				return ' '
			}
			return r
		}, t)
		t = truncateUTF8(strings.TrimSpace(t), MaxSearchTermBytes)
		if t == "" || slices.Contains(out, t) {
			continue
		}
		out = append(out, t)
		if len(out) == MaxSearchTerms {
			break
		}
	}
	return out
}

func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// ftsPhrase quotes a term as an FTS5 string: inside double quotes nothing
// is syntax but the quote itself, which is doubled. With the trigram
// tokenizer a quoted string matches as a substring.
func ftsPhrase(term string) string {
	return `"` + strings.ReplaceAll(term, `"`, `""`) + `"`
}

// likePattern matches term anywhere, with LIKE's wildcards escaped.
func likePattern(term string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(term) + "%"
}

// filters renders the conditions on messages m shared by both paths.
func filters(q SearchQuery) (string, []any) {
	var b strings.Builder
	var args []any
	if q.Author != "" {
		b.WriteString(" AND m.author = ?")
		args = append(args, q.Author)
	}
	if q.Conv != "" {
		b.WriteString(" AND m.conv = ?")
		args = append(args, q.Conv)
	}
	if !q.Since.IsZero() {
		b.WriteString(" AND m.sent_at >= ?")
		args = append(args, toMillis(q.Since))
	}
	if !q.Until.IsZero() {
		b.WriteString(" AND m.sent_at < ?")
		args = append(args, toMillis(q.Until))
	}
	if q.FilesOnly {
		b.WriteString(" AND m.kind = ?")
		args = append(args, KindFile)
	}
	return b.String(), args
}

// indexCandidates walks the index's matches newest first (FTS5 reads its
// lists in rowid order, so this stops after n) and keeps those that pass
// the filters and contain the short terms. The filters' tags narrow the
// walk inside the index; the filters themselves then decide.
func (s *Store) indexCandidates(ctx context.Context, q SearchQuery, indexed, short []string, n int) ([]candidate, error) {
	var match []string
	for _, t := range indexed {
		match = append(match, "body : "+ftsPhrase(t))
	}
	match = append(match, tagFilters(q)...)
	where, args := filters(q)
	args = append([]any{strings.Join(match, " AND ")}, args...)
	for _, t := range short {
		where += ` AND message_fts.body LIKE ? ESCAPE '\'`
		args = append(args, likePattern(t))
	}
	args = append(args, n)
	query := `
		SELECT message_fts.rowid
		FROM message_fts JOIN messages m ON m.seq = message_fts.rowid
		WHERE message_fts MATCH ?` + where + `
		ORDER BY message_fts.rowid DESC LIMIT ?`
	return s.queryCandidates(ctx, query, args)
}

// scanCandidates reads the newest ScanWindow messages that the filters'
// tags allow (all messages without filters) and keeps those that pass the
// filters and contain every term.
func (s *Store) scanCandidates(ctx context.Context, q SearchQuery, terms []string, n int) ([]candidate, error) {
	window := `SELECT seq FROM messages WHERE seq > (SELECT coalesce(max(seq), 0) FROM messages) - ?`
	args := []any{ScanWindow}
	if tags := tagFilters(q); len(tags) > 0 {
		window = `SELECT rowid AS seq FROM message_fts WHERE message_fts MATCH ? ORDER BY rowid DESC LIMIT ?`
		args = []any{strings.Join(tags, " AND "), ScanWindow}
	}
	where, fargs := filters(q)
	args = append(args, fargs...)
	for _, t := range terms {
		where += ` AND v.body LIKE ? ESCAPE '\'`
		args = append(args, likePattern(t))
	}
	args = append(args, n)
	query := `
		SELECT m.seq FROM (` + window + `) w
		JOIN messages m ON m.seq = w.seq
		JOIN message_search v ON v.seq = w.seq
		WHERE true` + where + `
		ORDER BY m.seq DESC LIMIT ?`
	return s.queryCandidates(ctx, query, args)
}

// Tags as migrations/0005's message_search view makes them.
const (
	tagConvMark   = 0xE000
	tagAuthorMark = 0xE001
	tagMonthMark  = 0xE002
	tagFileMark   = 0xE003
	tagIDBase     = 0xE100
	tagMonthBase  = 0xE200
	// maxTagMonths bounds the 30-day periods a time filter lists; a longer
	// span is left to the time filter alone.
	maxTagMonths = 40
)

// idTag is the tag of a conversation or author id: the marker, then its
// last two characters shifted into the Private Use Area.
func idTag(mark rune, id string) string {
	r := []rune(id)
	if len(r) < 2 {
		return ""
	}
	return string([]rune{mark, tagIDBase + r[len(r)-2], tagIDBase + r[len(r)-1]})
}

// periodMillis is the span of a period tag: 30 days.
const periodMillis = 30 * 24 * 60 * 60 * 1000

// monthOf numbers the 30-day period since 1970 that t falls in, as the
// view does (-1 before 1970).
func monthOf(t time.Time) int {
	ms := t.UnixMilli()
	if ms < 0 {
		return -1
	}
	return int(ms / periodMillis)
}

func monthTag(mo int) string {
	return string([]rune{tagMonthMark, tagMonthBase + rune(mo/64), tagMonthBase + rune(mo%64)})
}

// tagFilters turns q's filters into index conditions on the tag columns.
func tagFilters(q SearchQuery) []string {
	var out []string
	if t := idTag(tagConvMark, q.Conv); t != "" {
		out = append(out, "tag_conv : "+ftsPhrase(t))
	}
	if t := idTag(tagAuthorMark, q.Author); t != "" {
		out = append(out, "tag_author : "+ftsPhrase(t))
	}
	if q.FilesOnly {
		out = append(out, "tag_kind : "+ftsPhrase(string([]rune{tagFileMark, tagFileMark, tagFileMark})))
	}
	if !q.Since.IsZero() && !q.Until.IsZero() {
		first, last := monthOf(q.Since), monthOf(q.Until.Add(-time.Millisecond))
		if first >= 0 && last < 4096 && first <= last && last-first < maxTagMonths {
			var months []string
			for mo := first; mo <= last; mo++ {
				months = append(months, ftsPhrase(monthTag(mo)))
			}
			out = append(out, "tag_month : ("+strings.Join(months, " OR ")+")")
		}
	}
	return out
}

func (s *Store) queryCandidates(ctx context.Context, query string, args []any) ([]candidate, error) {
	rows, err := s.reader.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, "search", func(sc scanner) (candidate, error) {
		var c candidate
		err := sc.Scan(&c.seq)
		return c, err
	})
}

// rank orders hits best first: relevance (BM25's saturating term
// frequency with length normalization: several uses of the words in a
// short message count more than one in a long one) weighed by age, so that
// of two equal matches the recent one comes first.
//
// Relevance is computed here from the hits' own text rather than by
// FTS5's bm25(), which counts every message holding each word to weigh
// rare words up: for a common word in a large history that count cost
// more than the whole rest of the search. Every hit holds every word, so
// only term frequency and length tell them apart anyway.
func rank(hits []SearchHit, terms []string, now time.Time) {
	const k1, b = 1.2, 0.75
	lowered := make([]string, len(terms))
	for i, t := range terms {
		lowered[i] = strings.ToLower(t)
	}
	lengths := make([]float64, len(hits))
	var total float64
	for i, h := range hits {
		lengths[i] = float64(max(1, utf8.RuneCountInString(h.Body)))
		total += lengths[i]
	}
	avg := total / float64(max(1, len(hits)))
	nowMS := toMillis(now)
	for i := range hits {
		h := &hits[i]
		body := strings.ToLower(h.Body)
		relevance := 0.0
		for _, t := range lowered {
			// At least one: the index matched it, maybe through an accent.
			tf := float64(max(1, strings.Count(body, t)))
			relevance += tf * (k1 + 1) / (tf + k1*(1-b+b*lengths[i]/avg))
		}
		ageDays := math.Max(0, float64(nowMS-toMillis(h.Message.SentAt))/float64(24*time.Hour/time.Millisecond))
		h.Score = relevance / (1 + ageDays/recencyDays)
	}
	slices.SortStableFunc(hits, func(a, b SearchHit) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return -cmpInt64(a.Message.Seq, b.Message.Seq)
	})
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// loadHits reads the messages of the ranked candidates, in their order.
func (s *Store) loadHits(ctx context.Context, cands []candidate) ([]SearchHit, error) {
	if len(cands) == 0 {
		return nil, nil
	}
	seqs := make([]int64, len(cands))
	for i, c := range cands {
		seqs[i] = c.seq
	}
	arg, err := json.Marshal(seqs)
	if err != nil {
		return nil, err
	}
	rows, err := s.reader.QueryContext(ctx, `
		SELECT `+prefixed("m", messageColumns)+`, v.body
		FROM messages m JOIN message_search v ON v.seq = m.seq
		WHERE m.seq IN (SELECT value FROM json_each(?))`, string(arg))
	if err != nil {
		return nil, err
	}
	found, err := scanAll(rows, "search hits", func(sc scanner) (SearchHit, error) {
		var h SearchHit
		var body string
		m, err := scanMessage(scanFunc(func(dest ...any) error { return sc.Scan(append(dest, &body)...) }))
		h.Message, h.Body = m, body
		return h, err
	})
	if err != nil {
		return nil, err
	}
	bySeq := make(map[int64]SearchHit, len(found))
	for _, h := range found {
		bySeq[h.Message.Seq] = h
	}
	hits := make([]SearchHit, 0, len(cands))
	for _, c := range cands {
		if h, ok := bySeq[c.seq]; ok { // gone if deleted meanwhile
			hits = append(hits, h)
		}
	}
	return hits, nil
}

// scanFunc adapts a function to the scanner interface.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// CheckSearchIndex verifies that the search index is sound and holds
// exactly what the messages say it should (FTS5's integrity-check against
// its content); it returns an error naming the problem otherwise.
func (s *Store) CheckSearchIndex(ctx context.Context) error {
	if err := s.indexBacklog(ctx); err != nil {
		return err
	}
	if _, err := s.writer.ExecContext(ctx, `INSERT INTO message_fts (message_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		return fmt.Errorf("storage: search index check: %w", err)
	}
	return nil
}
