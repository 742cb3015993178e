package crypto

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"hallway/chat"
)

// Known answers from the independent implementation; changing them would
// split every workspace's general room in two.
const (
	katGeneralID      = "general-642bbaa9f301"
	katGeneralKey     = "2abb8731a558d544eeda8c8a41827b8a86d8b1dfe03792f56a6f208e981f945c"
	katOpenGeneralID  = "general-288a536b0cdf"
	katOpenGeneralKey = "edb09b043c86971abc85c96142512a797eededdea5f919a97ab609e794d1b7aa"
	katSyncProof      = "7e4e5094288030abc5c0eb0f66769194bc57f1f2a6d19bda97a9a416bc27d9b0"
)

func TestNewRoomID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		id, err := NewRoomID()
		if err != nil {
			t.Fatal(err)
		}
		if len(id) != 26 || !chat.ValidRoomID(id) {
			t.Fatalf("NewRoomID = %q, want 26 characters passing ValidRoomID", id)
		}
		if strings.Trim(id, "0123456789abcdefghjkmnpqrstvwxyz") != "" {
			t.Fatalf("NewRoomID = %q uses characters outside lower-case Crockford base32", id)
		}
		if seen[id] {
			t.Fatalf("NewRoomID repeated %q", id)
		}
		seen[id] = true
	}
}

func TestNewRoomKey(t *testing.T) {
	a, b := randomRoomKey(t), randomRoomKey(t)
	if a == b || a == (RoomKey{}) {
		t.Error("NewRoomKey is not random")
	}
	for _, s := range []string{a.String(), fmt.Sprintf("%v", a), fmt.Sprint(a)} {
		if strings.Contains(strings.ToLower(s), hex.EncodeToString(a[:4])) || !strings.Contains(s, "redacted") {
			t.Errorf("printing a room key gives %q", s)
		}
	}
}

func TestGeneralRoom(t *testing.T) {
	ws := testWorkspaceKey()
	other := randomWorkspaceKey(t)
	tests := []struct {
		name    string
		ws      *WorkspaceKey
		wantID  string // "" when not pinned
		wantKey string
	}{
		{name: "fixed workspace key", ws: &ws, wantID: katGeneralID, wantKey: katGeneralKey},
		{name: "open workspace", ws: nil, wantID: katOpenGeneralID, wantKey: katOpenGeneralKey},
		{name: "random workspace key", ws: &other},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, key := GeneralRoom(tc.ws)
			id2, key2 := GeneralRoom(tc.ws)
			if id != id2 || key != key2 {
				t.Fatal("GeneralRoom is not stable")
			}
			if !chat.ValidRoomID(id) || !strings.HasPrefix(id, "general-") || len(id) != len("general-")+12 {
				t.Errorf("id = %q, want general- and 12 hex characters", id)
			}
			if tc.wantID != "" && id != tc.wantID {
				t.Errorf("id = %q, want %q", id, tc.wantID)
			}
			if tc.wantKey != "" && hex.EncodeToString(key[:]) != tc.wantKey {
				t.Errorf("key = %x, want %s", key[:], tc.wantKey)
			}
			if tc.ws != nil && key == RoomKey(*tc.ws) {
				t.Error("room key is the workspace key itself")
			}
		})
	}
	idA, keyA := GeneralRoom(&ws)
	idB, keyB := GeneralRoom(&other)
	idOpen, keyOpen := GeneralRoom(nil)
	if idA == idB || keyA == keyB || idA == idOpen || keyA == keyOpen {
		t.Error("different workspaces share a general room")
	}
}

func TestSyncProof(t *testing.T) {
	key := katRoomKey()
	req, resp := []byte("requester-peer"), []byte("responder-peer")
	proof := key.SyncProof(katRoom, req, resp)
	if got := hex.EncodeToString(proof[:]); got != katSyncProof {
		t.Errorf("SyncProof = %s, want %s", got, katSyncProof)
	}
	tests := []struct {
		name      string
		key       RoomKey
		room      string
		req, resp []byte
		proof     []byte
		want      bool
	}{
		{name: "genuine", key: key, room: katRoom, req: req, resp: resp, proof: proof[:], want: true},
		{name: "requester and responder swapped", key: key, room: katRoom, req: resp, resp: req, proof: proof[:]},
		{name: "other requester", key: key, room: katRoom, req: []byte("someone-else"), resp: resp, proof: proof[:]},
		{name: "other responder", key: key, room: katRoom, req: req, resp: []byte("someone-else"), proof: proof[:]},
		{name: "other room", key: key, room: "other-room", req: req, resp: resp, proof: proof[:]},
		{name: "other key", key: randomRoomKey(t), room: katRoom, req: req, resp: resp, proof: proof[:]},
		{name: "boundary moved between fields", key: key, room: katRoom, req: []byte("requester-peerr"), resp: []byte("esponder-peer"), proof: proof[:]},
		{name: "truncated proof", key: key, room: katRoom, req: req, resp: resp, proof: proof[:31]},
		{name: "empty proof", key: key, room: katRoom, req: req, resp: resp},
		{name: "flipped bit", key: key, room: katRoom, req: req, resp: resp, proof: flipFirstBit(proof[:])},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.key.CheckSyncProof(tc.room, tc.req, tc.resp, tc.proof); got != tc.want {
				t.Errorf("CheckSyncProof = %v, want %v", got, tc.want)
			}
		})
	}
}

func flipFirstBit(b []byte) []byte {
	out := append([]byte(nil), b...)
	out[0] ^= 1
	return out
}
