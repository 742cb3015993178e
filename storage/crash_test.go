package storage

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The crash test runs a writer in a separate process and kills it with
// SIGKILL at an arbitrary point of its write loop. Everything the writer
// reported as committed before it died must be in the database afterwards,
// and the file must be intact. (Power loss is what synchronous=FULL is for;
// a test cannot pull the plug, but it can make sure nothing acknowledged
// lives only in process memory.)

const (
	crashDBEnv    = "HALLWAY_STORAGE_CRASH_DB"
	crashRoundEnv = "HALLWAY_STORAGE_CRASH_ROUND"
	crashKillAt   = 200 // committed operations to see before killing
)

// TestCrashWriter is the child process body; it does nothing in a normal run.
func TestCrashWriter(t *testing.T) {
	path := os.Getenv(crashDBEnv)
	if path == "" {
		t.Skip("runs only as the child process of TestCrashSafety")
	}
	round := os.Getenv(crashRoundEnv)
	ctx := t.Context()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	// Bounded so an orphaned child stops by itself; the parent kills it
	// long before.
	for i := range 1_000_000 {
		id := fmt.Sprintf("r%s-%d", round, i)
		var line string
		switch i % 4 {
		case 0:
			if _, _, err := s.InsertIncoming(ctx, Message{ID: id, Conv: "dm:" + bob, Author: bob, Text: "in"}); err != nil {
				t.Fatalf("InsertIncoming: %v", err)
			}
			line = "received " + id
		case 3:
			// Acknowledge the outgoing message sent just before.
			prev := fmt.Sprintf("r%s-%d", round, i-1)
			if _, _, err := s.MarkDelivered(ctx, me, prev); err != nil {
				t.Fatalf("MarkDelivered: %v", err)
			}
			line = "delivered " + prev
		default:
			if _, err := s.InsertOutgoing(ctx, Message{ID: id, Conv: "dm:" + bob, Author: me, Text: "out"}, bob); err != nil {
				t.Fatalf("InsertOutgoing: %v", err)
			}
			line = "sent " + id
		}
		// Printed only after the call returned, i.e. after COMMIT. One
		// short write is atomic on a pipe, so the parent never sees half
		// a line.
		if _, err := fmt.Fprintln(os.Stdout, line); err != nil {
			return // parent gone
		}
	}
}

func TestCrashSafety(t *testing.T) {
	rounds := 10
	if testing.Short() {
		rounds = 5
	}
	// One file for all rounds, so each start also recovers the WAL left
	// by the previous kill.
	path := filepath.Join(t.TempDir(), "hallway.db")
	want := map[string]State{} // message id -> state the writer reported
	for round := range rounds {
		crashRound(t, path, round, want)

		s, err := Open(t.Context(), path)
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		checkAfterCrash(t, s, round, want)
		if err := s.Close(); err != nil {
			t.Fatalf("round %d: close: %v", round, err)
		}
	}
}

// crashRound runs the child writer until it has reported crashKillAt
// commits, kills it, and records every operation it reported in want.
func crashRound(t *testing.T, path string, round int, want map[string]State) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashWriter$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDBEnv+"="+path, fmt.Sprintf("%s=%d", crashRoundEnv, round))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start writer: %v", err)
	}
	seen, killed := 0, false
	sc := bufio.NewScanner(stdout)
	// Keep reading after the kill: lines already in the pipe were
	// committed too and must be checked as well.
	for sc.Scan() {
		op, id, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue // test framework chatter
		}
		switch op {
		case "received":
			want[id] = StateReceived
		case "sent":
			want[id] = StateSent
		case "delivered":
			want[id] = StateDelivered
		default:
			continue
		}
		seen++
		if seen == crashKillAt && !killed {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatalf("kill writer: %v", err)
			}
			killed = true
		}
	}
	werr := cmd.Wait()
	if !killed {
		t.Fatalf("round %d: writer stopped after %d commits without being killed: %v\n%s", round, seen, werr, stderr.String())
	}
	if werr == nil {
		t.Fatalf("round %d: writer exited cleanly despite SIGKILL", round)
	}
}

func checkAfterCrash(t *testing.T, s *Store, round int, want map[string]State) {
	t.Helper()
	ctx := t.Context()
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	outbox, err := s.Outbox(ctx, bob, 0)
	if err != nil {
		t.Fatal(err)
	}
	queued := map[string]bool{}
	for _, m := range outbox {
		queued[m.ID] = true
	}
	for id, st := range want {
		author := me
		if st == StateReceived {
			author = bob
		}
		m, ok, err := s.MessageByID(ctx, author, id)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			t.Errorf("round %d: committed message %s lost", round, id)
			continue
		}
		// A "sent" report may have been followed by an unreported
		// delivery just before the kill, so sent may have become delivered.
		if m.State != st && !(st == StateSent && m.State == StateDelivered) {
			t.Errorf("round %d: %s state %q, want %q", round, id, m.State, st)
		}
		if (m.State == StateSent) != queued[id] {
			t.Errorf("round %d: %s state %q but queued=%v", round, id, m.State, queued[id])
		}
	}
	// Message and outbox row are written together or not at all.
	var sent, rows int
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE state = 'sent'`).Scan(&sent); err != nil {
		t.Fatal(err)
	}
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM outbox`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if sent != rows {
		t.Errorf("round %d: %d messages in state sent but %d outbox rows", round, sent, rows)
	}
}
