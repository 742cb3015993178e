package transfer

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"hallway/chat"
	"hallway/p2p"
	"hallway/storage"
)

// offerFromAnn records an offer from ann in a DM, as OfferReceived does.
func offerFromAnn(t *testing.T, r *rig, id string) {
	t.Helper()
	r.OfferReceived(context.Background(), ann, chat.DMConv(ann.String()).String(), validOffer(id, 10))
	if got := r.state(t, id); got.State != storage.TransferOffered {
		t.Fatalf("offer is %s", got.State)
	}
}

func TestDeclineTellsTheSender(t *testing.T) {
	r := newRig(t, Config{})
	id := strings.Repeat("6", 32)
	offerFromAnn(t, r, id)
	if err := r.Decline(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if got := r.state(t, id); got.State != storage.TransferDeclined || got.Error != "declined" {
		t.Fatalf("after decline: %s (%s)", got.State, got.Error)
	}
	msgs := r.post.all()
	var st p2p.FileStatus
	if len(msgs) != 1 || json.Unmarshal([]byte(msgs[0].meta), &st) != nil || msgs[0].to != ann ||
		st != (p2p.FileStatus{ID: id, State: storage.TransferDeclined, Reason: "declined"}) || msgs[0].text != "declined report.pdf" {
		t.Fatalf("sender told %+v", msgs)
	}
}

func TestDeclineRefusals(t *testing.T) {
	r := newRig(t, Config{})
	if err := r.Decline(context.Background(), "nope"); err == nil || !strings.Contains(chat.UserMessage(err), "no incoming transfer nope") {
		t.Fatalf("unknown id: %v", err)
	}
	out, err := r.SendFile(context.Background(), "Ann", content(t, "mine.txt", 5), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Decline(context.Background(), out.ID); err == nil {
		t.Fatal("declined an offer of our own")
	}
	id := strings.Repeat("7", 32)
	offerFromAnn(t, r, id)
	done := storage.TransferDone
	r.store.UpdateTransfer(context.Background(), id, storage.TransferUpdate{State: &done})
	if err := r.Decline(context.Background(), id); err == nil || !strings.Contains(chat.UserMessage(err), "already here") {
		t.Fatalf("declined a finished download: %v", err)
	}
}

func TestCancelOwnOfferTellsTheColleague(t *testing.T) {
	r := newRig(t, Config{})
	tr, err := r.SendFile(context.Background(), "Ann", content(t, "memo.txt", 5), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Cancel(context.Background(), tr.ID); err != nil {
		t.Fatal(err)
	}
	if got := r.state(t, tr.ID); got.State != storage.TransferCancelled {
		t.Fatalf("after cancel: %s", got.State)
	}
	msgs := r.post.all()
	var st p2p.FileStatus
	if len(msgs) != 2 || json.Unmarshal([]byte(msgs[1].meta), &st) != nil || msgs[1].kind != p2p.DMKindFileStatus ||
		st.State != storage.TransferCancelled || st.ID != tr.ID || msgs[1].to != ann {
		t.Fatalf("colleague told %+v", msgs)
	}
	if err := r.Cancel(context.Background(), "nope"); err == nil || !strings.Contains(chat.UserMessage(err), "no transfer nope") {
		t.Fatalf("unknown id: %v", err)
	}
}

func TestStatusReceived(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, Config{})
	declined, _ := r.SendFile(ctx, "Ann", content(t, "a.txt", 5), 0)
	done, _ := r.SendFile(ctx, "Ann", content(t, "b.txt", 5), 0)
	ignored, _ := r.SendFile(ctx, "Ann", content(t, "c.txt", 5), 0)
	withdrawn := strings.Repeat("8", 32)
	offerFromAnn(t, r, withdrawn)

	r.StatusReceived(ctx, ann, &p2p.FileStatus{ID: declined.ID, State: storage.TransferDeclined, Reason: "too big"})
	r.StatusReceived(ctx, ann, &p2p.FileStatus{ID: done.ID, State: storage.TransferDone})
	r.StatusReceived(ctx, carol, &p2p.FileStatus{ID: ignored.ID, State: storage.TransferDeclined}) // not carol's offer
	r.StatusReceived(ctx, ann, &p2p.FileStatus{ID: withdrawn, State: storage.TransferCancelled})

	for _, want := range []struct {
		id, state, why string
		bytes          int64
	}{
		{declined.ID, storage.TransferDeclined, "too big", 0},
		{done.ID, storage.TransferDone, "", 5},
		{ignored.ID, storage.TransferOffered, "", 0},
		{withdrawn, storage.TransferCancelled, "the sender cancelled it", 0},
	} {
		if got := r.state(t, want.id); got.State != want.state || got.Error != want.why || got.BytesDone != want.bytes {
			t.Errorf("%s: %s (%q, %d bytes), want %s (%q, %d)", want.id, got.State, got.Error, got.BytesDone, want.state, want.why, want.bytes)
		}
	}
}
