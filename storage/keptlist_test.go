package storage

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// tableLists reads the names and the addresses of every colleague from
// the table itself, bypassing every cache, keyed by id.
func tableLists(t *testing.T, s *Store) (names, addrs map[string]string) {
	t.Helper()
	rows, err := s.reader.QueryContext(t.Context(), `SELECT id, name, first_seen, addrs FROM peers`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	names, addrs = map[string]string{}, map[string]string{}
	for rows.Next() {
		var id, name, raw string
		var first int64
		if err := rows.Scan(&id, &name, &first, &raw); err != nil {
			t.Fatal(err)
		}
		a, err := decodeAddrs(id, raw)
		if err != nil {
			t.Fatal(err)
		}
		names[id] = fmt.Sprint(name, "|", first)
		addrs[id] = strings.Join(a, ",")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names, addrs
}

// The lists of names and of addresses always say what the table says,
// through colleagues met, renamed, moved, or only seen again, in any
// order; and a write of one colleague that changes a list, made when the
// list held up to it, leaves it kept rather than to read again.
func TestPeerListsFollowEachWrite(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.UnixMilli(1_700_000_000_000)
	kept := map[string]int{}
	for i := range 400 {
		p := Peer{ID: fmt.Sprintf("12D3KooWColleague%02d", rng.IntN(40)), LastSeen: t0.Add(time.Duration(i) * time.Second)}
		switch rng.IntN(4) {
		case 0:
			p.Name = fmt.Sprint("Name", rng.IntN(5))
		case 1:
			p.Addrs = []string{fmt.Sprintf("/ip4/10.0.0.%d/tcp/4001", rng.IntN(5))}
		case 2:
			p.Name, p.Addrs = fmt.Sprint("Name", rng.IntN(5)), []string{fmt.Sprintf("/ip4/10.0.1.%d/tcp/4001", rng.IntN(5))}
		default:
			p.Status = "away" // neither list changes
		}
		if err := s.UpsertPeer(ctx, p); err != nil {
			t.Fatal(err)
		}
		for what, l := range map[string]*keptList[Peer]{"names": &s.nameBook, "addresses": &s.addrs} {
			count := &s.names
			if l == &s.addrs {
				count = &s.reach
			}
			version, _ := count.settled()
			if _, ok := l.get(version); ok && i > 0 {
				kept[what]++
			}
		}
		names, err := s.PeerNames(ctx)
		if err != nil {
			t.Fatal(err)
		}
		addrs, err := s.PeerAddrs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantNames, wantAddrs := tableLists(t, s)
		gotNames, gotAddrs := map[string]string{}, map[string]string{}
		for _, n := range names {
			gotNames[n.ID] = fmt.Sprint(n.Name, "|", n.FirstSeen.UnixMilli())
		}
		for _, a := range addrs {
			gotAddrs[a.ID] = strings.Join(a.Addrs, ",")
		}
		if len(names) != len(wantNames) || !equalMaps(gotNames, wantNames) {
			t.Fatalf("write %d (%+v): names %v, the table %v", i, p, gotNames, wantNames)
		}
		if len(addrs) != len(wantAddrs) || !equalMaps(gotAddrs, wantAddrs) {
			t.Fatalf("write %d (%+v): addresses %v, the table %v", i, p, gotAddrs, wantAddrs)
		}
	}
	// Each list, read after each write, held after the next: every write
	// but the first, made before any read, left the lists kept.
	if kept["names"] != 399 || kept["addresses"] != 399 {
		t.Fatalf("the lists were kept through %d (names) and %d (addresses) of the 399 writes after the first", kept["names"], kept["addresses"])
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// What a reader does with the list it got is its own: neither the list
// kept nor one that a write updates afterwards is it.
func TestPeerListsAreTheReadersOwn(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	for _, p := range []Peer{{ID: bob, Name: "Bob"}, {ID: "12D3KooWAnn", Name: "Ann"}} {
		if err := s.UpsertPeer(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	first, err := s.PeerNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertPeer(ctx, Peer{ID: "12D3KooWCat", Name: "Cat"}); err != nil {
		t.Fatal(err)
	}
	second, err := s.PeerNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range first {
		first[i].Name = "scribbled"
	}
	for i := range second {
		second[i].Name = "scribbled"
	}
	third, err := s.PeerNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range third {
		got = append(got, p.Name)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"Ann", "Bob", "Cat"}) {
		t.Fatalf("names after readers changed theirs: %v", got)
	}
}

// Readers of the names never get older ones than a read before them got,
// while a colleague is renamed over and over.
func TestPeerNamesNeverGoBack(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	name := func(i int) string { return fmt.Sprintf("Bob %04d", i) }
	write := func(i int) {
		t.Helper()
		if err := s.UpsertPeer(ctx, Peer{ID: bob, Name: name(i)}); err != nil {
			t.Fatal(err)
		}
	}
	read := func() (string, error) {
		list, err := s.PeerNames(ctx)
		if err != nil || len(list) != 1 {
			return "", fmt.Errorf("names %v: %w", list, err)
		}
		return list[0].Name, nil
	}
	write(0)
	stop := readersNeverGoBack(t, name(0), read, read, read, read)
	for i := 1; i <= 300 && !t.Failed(); i++ {
		write(i)
		if got, err := read(); err != nil || got != name(i) {
			t.Fatalf("after writing %s a read returned %q, %v", name(i), got, err)
		}
	}
	stop()
}

// What the lists of names, verifications and addresses cost their
// readers (the naming of colleagues, the dialer) after a colleague is new,
// in an office of 200: kept up to the write, and read from the tables
// again (the baseline, as before the lists were kept through writes).
func BenchmarkPeerListsAfterNewcomer(b *testing.B) {
	againstBaseline(b, "kept", "read again", func(b *testing.B, reread bool) {
		ctx := b.Context()
		s := storeOfColleagues(b, 200, "/ip4/192.168.1.20/tcp/4001", "/ip6/fd00::20/tcp/4001")
		i := 0
		for b.Loop() {
			b.StopTimer()
			i++
			p := Peer{ID: fmt.Sprintf("12D3KooWNewcomer%06d", i), Name: "Newcomer", Addrs: []string{"/ip4/192.168.1.99/tcp/4001"}}
			if err := s.UpsertPeer(ctx, p); err != nil {
				b.Fatal(err)
			}
			if reread {
				s.nameBook.list, s.addrs.list, s.verified.list = nil, nil, nil
			}
			b.StartTimer()
			if _, err := s.PeerNames(ctx); err != nil {
				b.Fatal(err)
			}
			if _, err := s.Verifications(ctx); err != nil {
				b.Fatal(err)
			}
			if _, err := s.PeerAddrs(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Colleagues written at once from several goroutines, as an office's
// profiles are taken: no read of a colleague, of the list of names or of
// the addresses ever goes back, and once the writes end every cached
// read says what the table says.
func TestPeerCachesUnderConcurrentWrites(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	const writers, rounds = 4, 60
	id := func(w int) string { return fmt.Sprintf("12D3KooWWriter%d", w) }
	name := func(i int) string { return fmt.Sprintf("n%04d", i) }
	for w := range writers {
		if err := s.UpsertPeer(ctx, Peer{ID: id(w), Name: name(0), Addrs: []string{"/ip4/10.0.0.1/tcp/1"}}); err != nil {
			t.Fatal(err)
		}
	}
	// Each reader follows writer 0's colleague, whose name only grows.
	one := func() (string, error) {
		p, _, err := s.Peer(ctx, id(0))
		return p.Name, err
	}
	names := func() (string, error) {
		list, err := s.PeerNames(ctx)
		for _, p := range list {
			if p.ID == id(0) {
				return p.Name, err
			}
		}
		return "", fmt.Errorf("no %s in %v: %w", id(0), list, err)
	}
	addrs := func() (string, error) {
		list, err := s.PeerAddrs(ctx)
		for _, p := range list {
			if p.ID == id(0) && len(p.Addrs) == 1 {
				return p.Addrs[0], err
			}
		}
		return "", fmt.Errorf("no %s in %v: %w", id(0), list, err)
	}
	stopNames := readersNeverGoBack(t, name(0), one, names, one, names)
	stopAddrs := readersNeverGoBack(t, "/ip4/10.0.0.1/tcp/1", addrs)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := 1; i <= rounds; i++ {
				// The port grows with i, as text: 10000+i.
				p := Peer{ID: id(w), Name: name(i), Addrs: []string{fmt.Sprintf("/ip4/10.0.0.1/tcp/%d", 10000+i)}}
				if err := s.UpsertPeer(ctx, p); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	stopNames()
	stopAddrs()
	wantNames, wantAddrs := tableLists(t, s)
	for range 2 { // read from the table, then kept
		for w := range writers {
			p, ok, err := s.Peer(ctx, id(w))
			if err != nil || !ok || p.Name != name(rounds) {
				t.Fatalf("%s: %+v %v %v, want the name %s", id(w), p, ok, err, name(rounds))
			}
		}
		ns, err := s.PeerNames(ctx)
		if err != nil {
			t.Fatal(err)
		}
		as, err := s.PeerAddrs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		gotNames, gotAddrs := map[string]string{}, map[string]string{}
		for _, n := range ns {
			gotNames[n.ID] = fmt.Sprint(n.Name, "|", n.FirstSeen.UnixMilli())
		}
		for _, a := range as {
			gotAddrs[a.ID] = strings.Join(a.Addrs, ",")
		}
		if !equalMaps(gotNames, wantNames) || !equalMaps(gotAddrs, wantAddrs) {
			t.Fatalf("after the writes: names %v addresses %v, the table %v %v", gotNames, gotAddrs, wantNames, wantAddrs)
		}
	}
}

// A list follows the writes of its rows only in the order they were
// counted: a write that comes to it before the one counted just before
// it leaves the list to read again, never kept without that write.
func TestKeptListTakesWritesInOrder(t *testing.T) {
	var l keptList[Peer]
	same := func(id string) func(Peer) bool { return func(q Peer) bool { return q.ID == id } }
	l.put([]Peer{{ID: "a", Name: "A0"}, {ID: "b", Name: "B0"}}, 5)
	l.wrote(Peer{ID: "a", Name: "A6"}, 6, same("a"))
	l.wrote(Peer{ID: "c", Name: "C7"}, 7, same("c"))
	got, ok := l.get(7)
	if !ok || fmt.Sprint(got) != fmt.Sprint([]Peer{{ID: "a", Name: "A6"}, {ID: "b", Name: "B0"}, {ID: "c", Name: "C7"}}) {
		t.Fatalf("after writes 6 and 7 in order: %v, %v", got, ok)
	}
	// Write 9 comes before write 8: the list held at 7 misses 8.
	l.wrote(Peer{ID: "b", Name: "B9"}, 9, same("b"))
	if got, ok := l.get(9); ok {
		t.Fatalf("write 9 taken without write 8: %v", got)
	}
	l.wrote(Peer{ID: "a", Name: "A8"}, 8, same("a"))
	if got, ok := l.get(8); ok {
		t.Fatalf("write 8 taken after write 9: %v", got)
	}
	// Read again at 9, it follows from there.
	l.put([]Peer{{ID: "a", Name: "A8"}, {ID: "b", Name: "B9"}, {ID: "c", Name: "C7"}}, 9)
	l.wrote(Peer{ID: "c", Name: "C10"}, 10, same("c"))
	if got, ok := l.get(10); !ok || got[2].Name != "C10" {
		t.Fatalf("after a read at 9 and write 10: %v, %v", got, ok)
	}
	// A read older than what the list holds is not kept over it.
	l.put([]Peer{{ID: "a", Name: "A0"}}, 4)
	if _, ok := l.get(10); !ok {
		t.Fatal("an older read replaced the list")
	}
}
