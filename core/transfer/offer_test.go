package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"hallway/chat"
	"hallway/files"
	"hallway/p2p"
	"hallway/storage"
)

func validOffer(id string, size int64) *p2p.FileOffer {
	return &p2p.FileOffer{ID: id, Name: "report.pdf", Size: size, Files: 1, Hash: strings.Repeat("ab", 32)}
}

func TestOfferReceivedAppliesPolicy(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cfg       Config
		offer     *p2p.FileOffer
		wantState string // "" = not recorded
		wantWhy   string
		toldAnn   bool
	}{
		{"kept for the user", Config{}, validOffer(strings.Repeat("1", 32), 10), storage.TransferOffered, "", false},
		{"transfers off", Config{Policy: files.Policy{Disabled: true}}, validOffer(strings.Repeat("2", 32), 10),
			storage.TransferDeclined, "file transfer is turned off on this computer", true},
		{"over the size limit", Config{Policy: files.Policy{MaxSize: 5}}, validOffer(strings.Repeat("3", 32), 10),
			storage.TransferDeclined, "10 B is more than the 5 B limit", true},
		{"malformed", Config{}, &p2p.FileOffer{ID: strings.Repeat("4", 32), Name: "x", Hash: "short"}, "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, tc.cfg)
			conv := chat.DMConv(ann.String()).String()
			r.OfferReceived(context.Background(), ann, conv, tc.offer)
			got, err := r.store.Transfer(context.Background(), tc.offer.ID)
			if tc.wantState == "" {
				if !errors.Is(err, storage.ErrNoTransfer) {
					t.Fatalf("a malformed offer was recorded: %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.State != tc.wantState || got.Error != tc.wantWhy || got.Direction != storage.TransferIn || got.Conv != conv {
				t.Fatalf("recorded %+v", got)
			}
			msgs := r.post.all()
			if told := len(msgs) == 1; told != tc.toldAnn {
				t.Fatalf("sender told: %v, want %v (%+v)", told, tc.toldAnn, msgs)
			}
			if tc.toldAnn {
				var st p2p.FileStatus
				if err := json.Unmarshal([]byte(msgs[0].meta), &st); err != nil || msgs[0].to != ann ||
					msgs[0].kind != p2p.DMKindFileStatus || st.State != storage.TransferDeclined || st.Reason != tc.wantWhy {
					t.Fatalf("status sent: %+v (%v)", msgs[0], err)
				}
			}
		})
	}
}

func TestOfferRecordedOnce(t *testing.T) {
	r := newRig(t, Config{})
	o := validOffer(strings.Repeat("5", 32), 10)
	conv := chat.DMConv(ann.String()).String()
	r.OfferReceived(context.Background(), ann, conv, o)
	r.bus.waitState(t, o.ID, storage.TransferOffered)
	r.OfferReceived(context.Background(), ann, conv, o)
	if n := len(r.bus.events); n != 0 {
		t.Fatalf("an offer announced again made %d more events", n)
	}
}

func TestSendFileToColleague(t *testing.T) {
	r := newRig(t, Config{})
	p := content(t, "notes.txt", 3000)
	tr, err := r.SendFile(context.Background(), "Ann", p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Direction != storage.TransferOut || tr.State != storage.TransferOffered || tr.Size != 3000 || tr.PeerName != "Ann" {
		t.Fatalf("transfer %+v", tr)
	}
	msgs := r.post.all()
	if len(msgs) != 1 || msgs[0].to != ann || msgs[0].kind != p2p.DMKindFile || msgs[0].text != "sent notes.txt (3.0 kB)" {
		t.Fatalf("sent %+v", msgs)
	}
	var o p2p.FileOffer
	if err := json.Unmarshal([]byte(msgs[0].meta), &o); err != nil || o.ID != tr.ID || o.Hash != tr.Hash || p2p.CheckFileOffer(&o) != nil {
		t.Fatalf("offer %+v (%v)", o, err)
	}
	if got := r.state(t, tr.ID); got.SourcePath != p || len(got.Manifest) == 0 {
		t.Fatalf("stored %+v", got)
	}
}

func TestSendFileInRoom(t *testing.T) {
	r := newRig(t, Config{})
	tr, err := r.SendFile(context.Background(), "#"+r.rooms.id, content(t, "plan.txt", 10), 0)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Conversation != chat.RoomConv(r.rooms.id).String() || tr.Peer != bob.String() {
		t.Fatalf("transfer %+v", tr)
	}
	if msgs := r.post.all(); len(msgs) != 1 || msgs[0].room != r.rooms.id {
		t.Fatalf("posted %+v", msgs)
	}
}

func TestSendFileRefusals(t *testing.T) {
	p := content(t, "a.txt", 10)
	for _, tc := range []struct {
		name, ref, path string
		cfg             Config
		want            string
	}{
		{"transfers off", "Ann", p, Config{Policy: files.Policy{Disabled: true}}, "file transfer is turned off"},
		{"missing file", "Ann", p + ".gone", Config{}, "cannot send"},
		{"to oneself", "Bob", p, Config{}, "that is you"},
		{"unknown colleague", "Dave", p, Config{}, "no colleague"},
		{"unknown room", "#nowhere", p, Config{}, "no room"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, tc.cfg)
			_, err := r.SendFile(context.Background(), tc.ref, tc.path, 0)
			if err == nil || !strings.Contains(chat.UserMessage(err), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if ts, _ := r.store.Transfers(context.Background()); len(ts) != 0 {
				t.Fatalf("%d transfers recorded", len(ts))
			}
		})
	}
}

// A message that cannot be queued fails the offer.
func TestSendFileFailsWhenTheOfferCannotBeSent(t *testing.T) {
	r := newRig(t, Config{})
	r.post.fail = errors.New("disk full")
	if _, err := r.SendFile(context.Background(), "Ann", content(t, "a.txt", 10), 0); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("got %v", err)
	}
}
