package chaos

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hallway/storage"
)

// R4 kills a writing process at random moments, many times over one
// database: the file must pass integrity_check every time and hold every
// write the writer reported as committed before it died.

const writerDBEnv = "HALLWAY_CHAOS_WRITER_DB"

const (
	writerSelf  = "12D3KooWSelf"
	writerOther = "12D3KooWOther"
)

// TestR4Writer is the child process: it writes direct messages, outbox
// changes and room envelopes (both durabilities) and prints each one after
// its commit. It does nothing in a normal run.
func TestR4Writer(t *testing.T) {
	path := os.Getenv(writerDBEnv)
	if path == "" {
		t.Skip("runs only as the child process of TestR4KillWriter")
	}
	ctx := context.Background()
	s, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	tag := fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())
	// Bounded so an orphaned child stops by itself.
	for i := range 200_000 {
		id := fmt.Sprintf("%s-%d", tag, i)
		var line string
		switch i % 5 {
		case 0:
			_, _, err = s.InsertIncoming(ctx, storage.Message{ID: id, Conv: "dm:" + writerOther, Author: writerOther, Text: "in"})
			line = "in " + id
		case 1:
			_, err = s.InsertOutgoing(ctx, storage.Message{ID: id, Conv: "dm:" + writerOther, Author: writerSelf, Text: "out"}, writerOther)
			line = "out " + id
		case 2:
			_, _, err = s.MarkDelivered(ctx, writerSelf, fmt.Sprintf("%s-%d", tag, i-1))
			line = "delivered " + fmt.Sprintf("%s-%d", tag, i-1)
		default:
			d := storage.Durable
			if i%5 == 4 {
				d = storage.Replicated
			}
			var batch []storage.RoomEntry
			for k := range 1 + i%7 {
				author := fmt.Sprintf("author-%s-%d", tag, k)
				batch = append(batch, storage.RoomEntry{Room: "chaos", Author: author, Seq: uint64(i + 1), HLC: uint64(i + 1),
					Raw: []byte("envelope"), Message: storage.Message{ID: fmt.Sprintf("%s-%d-%d", tag, i, k), Text: "room"}})
			}
			_, err = s.InsertRoomEntriesWith(ctx, d, batch)
			line = fmt.Sprintf("room %s-%d %d", tag, i, len(batch))
		}
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		if _, err := fmt.Fprintln(os.Stdout, line); err != nil {
			return
		}
	}
}

func TestR4KillWriter(t *testing.T) {
	r := scenario(t, "R4", "SIGKILL a writer at random moments, 1000 times",
		"integrity_check ok 1000/1000; every acknowledged write present")
	if os.Getenv(writerDBEnv) != "" {
		t.Skip("child process")
	}
	kills := pick(20, 1000)
	path := filepath.Join(t.TempDir(), "hallway.db")
	all := map[string]int{} // every acknowledged write: "in/out/room id" → rows (or state)
	acked := 0
	for k := range kills {
		round := map[string]int{}
		acked += killWriter(t, path, round)
		s, err := storage.Open(context.Background(), path)
		if err != nil {
			t.Fatalf("kill %d: reopen: %v", k+1, err)
		}
		if err := s.IntegrityCheck(context.Background()); err != nil {
			t.Fatalf("kill %d: %v", k+1, err)
		}
		// This round's writes one by one; the earlier ones by count (a
		// full check of everything after every kill would be quadratic).
		checkWrites(t, s, k+1, round)
		for key, v := range round {
			all[key] = v
		}
		checkCounts(t, s, k+1, all)
		s.Close()
	}
	s, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkWrites(t, s, kills, all)
	r.measure(t, "integrity_check ok %d/%d; all %d acknowledged writes present after every kill", kills, kills, acked)
}

// checkCounts checks that the store holds at least as many messages as
// were acknowledged (unacknowledged commits may add more).
func checkCounts(t *testing.T, s *storage.Store, k int, want map[string]int) {
	t.Helper()
	ctx := context.Background()
	dms, rooms := 0, 0
	for key, v := range want {
		if strings.HasPrefix(key, "room ") {
			rooms += v
		} else {
			dms++
		}
	}
	gotDMs, err := s.CountMessages(ctx, "dm:"+writerOther)
	if err != nil {
		t.Fatal(err)
	}
	gotRooms, err := s.CountRoomEnvelopes(ctx, "chaos")
	if err != nil {
		t.Fatal(err)
	}
	if gotDMs < dms || gotRooms < rooms {
		t.Fatalf("kill %d: %d direct and %d room messages stored, %d and %d acknowledged", k, gotDMs, gotRooms, dms, rooms)
	}
}

// killWriter runs the child, kills it with SIGKILL at a random moment
// within its first 300 ms of writing, and records what it acknowledged.
func killWriter(t *testing.T, path string, want map[string]int) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestR4Writer$", "-test.count=1")
	cmd.Env = append(os.Environ(), writerDBEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	// The first acknowledgement means the database is open and writing;
	// the kill then lands anywhere in the write loop.
	n := 0
	record := func(line string) {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && (f[0] == "in" || f[0] == "out" || f[0] == "delivered"):
			if f[0] == "delivered" {
				want["out "+f[1]] = 2
			} else if want[f[0]+" "+f[1]] == 0 {
				want[f[0]+" "+f[1]] = 1
			}
			n++
		case len(f) == 3 && f[0] == "room":
			var k int
			fmt.Sscan(f[2], &k)
			want["room "+f[1]] = k
			n++
		}
	}
	first, ok := <-lines
	if !ok {
		t.Fatalf("writer died before writing: %v", cmd.Wait())
	}
	record(first)
	timer := time.NewTimer(time.Duration(rand.Int64N(int64(300 * time.Millisecond))))
	func() {
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					return
				}
				record(l)
			case <-timer.C:
				cmd.Process.Kill()
				for l := range lines { // committed before the kill too
					record(l)
				}
				return
			}
		}
	}()
	if err := cmd.Wait(); err == nil {
		t.Fatal("writer exited cleanly instead of being killed")
	}
	return n
}

func checkWrites(t *testing.T, s *storage.Store, k int, want map[string]int) {
	t.Helper()
	ctx := context.Background()
	for key, v := range want {
		kind, id, _ := strings.Cut(key, " ")
		switch kind {
		case "in", "out":
			author := writerOther
			if kind == "out" {
				author = writerSelf
			}
			m, ok, err := s.MessageByID(ctx, author, id)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				t.Fatalf("kill %d: acknowledged %s message %s lost", k, kind, id)
			}
			if v == 2 && m.State != storage.StateDelivered {
				t.Fatalf("kill %d: %s acknowledged as delivered is %s", k, id, m.State)
			}
		case "room":
			for j := range v {
				author := fmt.Sprintf("author-%s-%d", strings.Join(strings.Split(id, "-")[:2], "-"), j)
				if _, ok, err := s.MessageByID(ctx, author, fmt.Sprintf("%s-%d", id, j)); err != nil || !ok {
					t.Fatalf("kill %d: acknowledged room message %s-%d lost (%v)", k, id, j, err)
				}
			}
		}
	}
}
