package storage

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// officeGen makes realistic office chat: a few rooms and DMs among
// colleagues, mostly short messages with some long ones, names, ticket and
// invoice codes, e-mail addresses, some Japanese and Chinese, and file
// offers, spread over two years.
type officeGen struct {
	r       *rand.Rand
	people  []string // peer IDs
	names   []string
	rooms   []string
	me      string
	t       time.Time
	seqs    map[[2]string]uint64
	hlc     uint64
	n       int
	planted map[string]bool // rare words, each in one message
	noise   []byte          // random bytes that envelopes are cut from
}

var (
	genWords = strings.Fields(`the a to and of in for on is it we you I that this with be have are at will can
		please thanks ok sure meeting project budget review deploy server customer invoice lunch tomorrow check
		report release bug fix ticket sprint planning design office coffee call client contract deadline update
		status team weekly notes agenda question answer great done later friday monday tuesday morning afternoon
		build test staging production database backup network printer vacation holiday training onboarding
		quarterly numbers forecast sales marketing legal compliance audit security password laptop screen
		presentation slides document draft final version feedback approve approved pending waiting blocked
		migration rollout incident postmortem outage latency dashboard metrics alert pager oncall handover
		warehouse shipment delivery supplier order purchase quote pricing discount renewal license support`)
	genFirst = strings.Fields(`Anna Bernd Chloé Dmitri Elif Fatima Giulia Hiroshi Ines Jonas Kristina Lars Mei
		Nikolai Olivia Pedro Quentin Rosa Søren Tomás Ursula Viktor Wanjiru Xavier Yuki Zofia Aiko Björn Carmen
		Deniz Emeka Freya`)
	genLast = strings.Fields(`Müller Schmidt García Rossi Tanaka Kowalski Nguyen Johansson Dubois Silva Yilmaz
		O'Brien Novak Fischer Weber Suzuki Ivanova Horvat`)
	genCJK = []string{"会議室を予約しました", "資料は明日までに送ります", "お疲れ様です、確認お願いします",
		"请确认一下这个报价", "明天下午三点开会", "发票已经寄出了", "週報を共有します", "出荷は来週になります",
		"新しいサーバーの設定が完了しました", "客户希望下周交货"}
)

func newOfficeGen(seed uint64, people, rooms int) *officeGen {
	g := &officeGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), seqs: map[[2]string]uint64{},
		t: time.Date(2024, 1, 8, 8, 0, 0, 0, time.UTC), hlc: 1 << 40, planted: map[string]bool{}}
	for i := range people {
		g.people = append(g.people, fmt.Sprintf("12D3KooW%044d", i))
		g.names = append(g.names, genFirst[i%len(genFirst)]+" "+genLast[(i*7)%len(genLast)])
	}
	g.me = g.people[0]
	g.noise = make([]byte, 1<<20)
	for i := 0; i < len(g.noise); i += 8 {
		binary.LittleEndian.PutUint64(g.noise[i:], g.r.Uint64())
	}
	for i := range rooms {
		g.rooms = append(g.rooms, fmt.Sprintf("room%022d", i))
	}
	return g
}

func (g *officeGen) pick(list []string) string { return list[g.r.IntN(len(list))] }

// text is one message: its length drawn so that most are a line or two.
func (g *officeGen) text() string {
	// Lengths as chat has them: about 100 bytes on average, most much
	// shorter, a few long write-ups.
	var words int
	switch p := g.r.Float64(); {
	case p < 0.08:
		return g.pick([]string{"ok", "thanks!", "👍", "sure", "done", "yes", "no", "on it", "ok 👍", "lol"})
	case p < 0.05+0.08:
		return g.pick(genCJK)
	case p < 0.70:
		words = 3 + g.r.IntN(10)
	case p < 0.98:
		words = 12 + g.r.IntN(30)
	default:
		words = 60 + g.r.IntN(200)
	}
	var b strings.Builder
	for i := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch p := g.r.Float64(); {
		case p < 0.03:
			b.WriteString(g.pick(genFirst))
		case p < 0.04:
			fmt.Fprintf(&b, "HW-%d", 1000+g.r.IntN(90000))
		case p < 0.045:
			fmt.Fprintf(&b, "INV-2025-%05d", g.r.IntN(100000))
		case p < 0.05:
			fmt.Fprintf(&b, "%s.%s@example.com", strings.ToLower(g.pick(genFirst)), strings.ToLower(g.pick(genLast)))
		case p < 0.052:
			b.WriteString(g.pick(genCJK))
		default:
			b.WriteString(g.pick(genWords))
		}
	}
	if g.r.IntN(4) == 0 {
		b.WriteString(g.pick([]string{".", "?", "!", " :)", "..."}))
	}
	return b.String()
}

// plant puts word into the current message once: rare words to look for.
func (g *officeGen) plant(text string) string {
	if g.n%997 != 13 {
		return text
	}
	w := fmt.Sprintf("zephyr%05d", g.n)
	g.planted[w] = true
	return text + " " + w
}

// next returns the next message: a room entry (raw envelope of realistic
// size) or a DM.
func (g *officeGen) next() (RoomEntry, Message, bool) {
	g.n++
	g.t = g.t.Add(time.Duration(5+g.r.IntN(120)) * time.Second)
	author := g.people[g.r.IntN(len(g.people))]
	text := g.plant(g.text())
	kind := KindText
	if g.r.IntN(50) == 0 {
		kind = KindFile
		name := g.pick([]string{"report", "budget", "slides", "contract", "photo", "floorplan", "invoice", "設計書"}) +
			fmt.Sprintf("-%d.", g.r.IntN(100)) + g.pick([]string{"pdf", "xlsx", "pptx", "png", "zip"})
		text = fmt.Sprintf(`{"id":"f%d","name":%q,"size":%d,"files":1,"hash":"%064x"}`, g.n, name, 1000+g.r.IntN(1<<24), g.r.Uint64())
	}
	if g.r.IntN(10) < 7 {
		room := g.rooms[g.r.IntN(len(g.rooms))]
		k := [2]string{room, author}
		g.seqs[k]++
		g.hlc += uint64(1 + g.r.IntN(1000))
		// An envelope: ids, clock, nonce, sealed body and name, signature;
		// random bytes, as sealed ones are.
		size := 210 + len(text)
		off := g.r.IntN(len(g.noise) - size)
		raw := g.noise[off : off+size]
		meta, _ := json.Marshal(map[string]string{"name": g.names[indexOf(g.people, author)]})
		return RoomEntry{Room: room, Author: author, Seq: g.seqs[k], HLC: g.hlc, Raw: raw,
			Message: Message{ID: g.messageID(), Text: text, SentAt: g.t, Kind: kind, Meta: string(meta)}}, Message{}, true
	}
	other := g.people[1+g.r.IntN(len(g.people)-1)]
	from := other
	if g.r.IntN(2) == 0 {
		from = g.me
	}
	m := Message{ID: g.messageID(), Conv: "dm:" + other, Author: from, Text: text, SentAt: g.t,
		State: StateReceived, Kind: kind, Sig: string(make([]byte, 64))}
	if kind == KindFile {
		m.Meta, m.Text = text, "sent a file"
	}
	return RoomEntry{}, m, false
}

// messageID is an id as Hallway's are: in no order (a hash of the
// envelope for a room message, 16 random bytes for a direct one), so
// the indexes on ids take their inserts all over, as a real archive's do.
func (g *officeGen) messageID() string {
	return fmt.Sprintf("%016x%016x", g.r.Uint64(), g.r.Uint64())
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return 0
}

// fill stores n generated messages in batches of batch, rooms through
// InsertRoomEntries and DMs through the same insert and index statements
// as InsertIncoming, one transaction per batch. It returns the time spent
// storing, generating left out.
func (g *officeGen) fill(tb testing.TB, s *Store, n, batch int) (storing time.Duration) {
	tb.Helper()
	ctx := context.Background()
	var entries []RoomEntry
	var dms []Message
	// Each batch is indexed for search before the next is generated, and
	// that counts as storing: the background indexer would otherwise do
	// some of it while the next batch is being generated, unmeasured.
	s.index.stop()
	defer s.startIndexer()
	flush := func() {
		start := time.Now()
		defer func() {
			if err := s.indexBacklog(ctx); err != nil {
				tb.Fatal(err)
			}
			storing += time.Since(start)
		}()
		if len(entries) > 0 {
			if _, err := s.InsertRoomEntriesWith(ctx, Replicated, entries); err != nil {
				tb.Fatal(err)
			}
			entries = entries[:0]
		}
		if len(dms) > 0 {
			if err := insertDMBatch(ctx, s, dms); err != nil {
				tb.Fatal(err)
			}
			dms = dms[:0]
		}
	}
	for range n {
		e, m, room := g.next()
		if room {
			entries = append(entries, e)
		} else {
			dms = append(dms, m)
		}
		if len(entries)+len(dms) >= batch {
			flush()
		}
	}
	flush()
	return storing
}

func insertDMBatch(ctx context.Context, s *Store, msgs []Message) error {
	return s.inTxWith(ctx, Replicated, func(tx *sql.Tx) error {
		ins := tx.StmtContext(ctx, s.stmts.insertMessage)
		var seqs []int64
		for _, m := range msgs {
			if err := checkMessage(m); err != nil {
				return err
			}
			seq, ok, err := insertMessage(ctx, ins, stamp(m, StateReceived))
			if err != nil {
				return err
			}
			if ok {
				seqs = append(seqs, seq)
			}
		}
		return queueIndex(ctx, tx.StmtContext(ctx, s.stmts.queueIndex), seqs)
	})
}

// The generator's small run, part of every test run: realistic messages
// land, stay searchable in every way the benchmark asks, and the index
// stays consistent.
func TestOfficeGeneratorSmall(t *testing.T) {
	s := newTestStore(t)
	g := newOfficeGen(1, 12, 4)
	g.fill(t, s, 1000, 250)
	var total int
	if err := s.reader.QueryRow(`SELECT count(*) FROM messages`).Scan(&total); err != nil || total != 1000 {
		t.Fatalf("%d messages stored, %v", total, err)
	}
	for _, q := range benchQueries(g, 0) {
		if _, err := s.Search(t.Context(), q.q); err != nil {
			t.Errorf("%s %+v: %v", q.kind, q.q, err)
		}
	}
	for w := range g.planted {
		if got := searchIDs(t, s, SearchQuery{Terms: []string{w}}); len(got) != 1 {
			t.Errorf("planted %s found %d times", w, len(got))
		}
	}
	if hits := searchIDs(t, s, SearchQuery{Terms: []string{"会議室"}}); len(hits) == 0 {
		t.Error("no Japanese found")
	}
	must(t, s.CheckSearchIndex(t.Context()))
}

// benchQuery is one search of the benchmark mix.
type benchQuery struct {
	kind string
	q    SearchQuery
}

// benchQueries is the mix of searches: common and rare words, substrings,
// codes, Japanese, short words, and filtered searches. Variant i varies
// the words and filters.
func benchQueries(g *officeGen, i int) []benchQuery {
	r := rand.New(rand.NewPCG(uint64(i), 7))
	pick := func(l []string) string { return l[r.IntN(len(l))] }
	var planted []string
	for w := range g.planted {
		planted = append(planted, w)
	}
	rare := "zephyr99999"
	if len(planted) > 0 {
		rare = planted[r.IntN(len(planted))]
	}
	room := g.rooms[r.IntN(len(g.rooms))]
	person := g.people[1+r.IntN(len(g.people)-1)]
	month := g.t.Add(-time.Duration(r.IntN(600)) * 24 * time.Hour)
	return []benchQuery{
		{"common word", SearchQuery{Terms: []string{pick([]string{"meeting", "please", "budget", "review", "thanks"})}}},
		{"rare word", SearchQuery{Terms: []string{rare}}},
		{"substring", SearchQuery{Terms: []string{pick([]string{"eting", "udge", "ploy", "voic", "ristin", "ohanss"})}}},
		{"code", SearchQuery{Terms: []string{fmt.Sprintf("HW-%d", 1000+r.IntN(90000))}}},
		{"two words", SearchQuery{Terms: []string{pick(genWords[10:]), pick(genWords[10:])}}},
		{"japanese", SearchQuery{Terms: []string{pick([]string{"会議室", "確認お願い", "报价", "サーバー"})}}},
		{"short word", SearchQuery{Terms: []string{pick([]string{"ok", "予約", "HW"})}}},
		{"in a room", SearchQuery{Terms: []string{pick(genWords[10:])}, Conv: RoomConv(room)}},
		{"from someone", SearchQuery{Terms: []string{pick(genWords[10:])}, Author: person}},
		{"in a month", SearchQuery{Terms: []string{pick(genWords[10:])}, Since: month, Until: month.Add(30 * 24 * time.Hour)}},
		{"files", SearchQuery{Terms: []string{pick([]string{"pdf", "report", "budget", "設計書"})}, FilesOnly: true}},
	}
}
