package core

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"hallway/chat"
	"hallway/core/rooms"
	hcrypto "hallway/crypto"

	"github.com/libp2p/go-libp2p/core/peer"
)

// The workspace room file names the room of a private workspace's admins
// and policy (core/rooms/workspace.go), next to its key: the id every
// member follows, and on the node that made the workspace the seed that
// proves it did. A workspace from before admins has none.

const workspaceRoomHeader = "hallway workspace room 1"

// ReadWorkspaceRoom returns the data folder's workspace room, ok=false
// when it has none.
func ReadWorkspaceRoom(dir string) (wr rooms.WorkspaceRoom, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, workspaceRoomFile))
	if errors.Is(err, fs.ErrNotExist) {
		return wr, false, nil
	}
	if err != nil {
		return wr, false, fmt.Errorf("read workspace room: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(b) > 512 || len(lines) < 2 || len(lines) > 3 || lines[0] != workspaceRoomHeader {
		return wr, false, chat.UserErrorf("the workspace room file %s is damaged; join the workspace again with its invite code",
			filepath.Join(dir, workspaceRoomFile))
	}
	id, ok := strings.CutPrefix(lines[1], "id ")
	if !ok || !chat.ValidRoomID(id) {
		return wr, false, chat.UserErrorf("the workspace room file %s names no room", filepath.Join(dir, workspaceRoomFile))
	}
	wr.ID = id
	if len(lines) == 3 {
		s, ok := strings.CutPrefix(lines[2], "seed ")
		if wr.Seed, err = hex.DecodeString(s); !ok || err != nil {
			return wr, false, chat.UserErrorf("the workspace room file %s has a damaged seed", filepath.Join(dir, workspaceRoomFile))
		}
	}
	return wr, true, nil
}

// writeWorkspaceRoom records wr, readable by the owner only.
func writeWorkspaceRoom(dir string, wr rooms.WorkspaceRoom) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nid %s\n", workspaceRoomHeader, wr.ID)
	if len(wr.Seed) > 0 {
		fmt.Fprintf(&b, "seed %x\n", wr.Seed)
	}
	if err := hcrypto.WriteFileAtomic(filepath.Join(dir, workspaceRoomFile), b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write workspace room: %w", err)
	}
	return nil
}

// removeWorkspaceRoom forgets the workspace room (a workspace without one,
// or the open LAN).
func removeWorkspaceRoom(dir string) error {
	return removeIfPresent(dir, workspaceRoomFile, "workspace room")
}

// NewWorkspaceRoom makes the room of a workspace this folder's identity
// creates (making the identity if the folder has none yet): its creator
// is the workspace's first admin. WriteWorkspaceRoom records it.
func NewWorkspaceRoom(dir string) (rooms.WorkspaceRoom, error) {
	if err := ensureDataDir(dir); err != nil {
		return rooms.WorkspaceRoom{}, err
	}
	key, _, err := hcrypto.LoadOrCreateIdentity(filepath.Join(dir, identityFile))
	if err != nil {
		return rooms.WorkspaceRoom{}, fmt.Errorf("identity: %w", err)
	}
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return rooms.WorkspaceRoom{}, fmt.Errorf("identity: %w", err)
	}
	room, seed, err := hcrypto.NewOwnedRoomID([]byte(id))
	if err != nil {
		return rooms.WorkspaceRoom{}, err
	}
	return rooms.WorkspaceRoom{ID: room, Seed: seed}, nil
}

// WriteWorkspaceRoom records the workspace room, or forgets any when wr
// names none (a workspace from before admins).
func WriteWorkspaceRoom(dir string, wr rooms.WorkspaceRoom) error {
	if wr.ID == "" {
		return removeWorkspaceRoom(dir)
	}
	if !chat.ValidRoomID(wr.ID) {
		return fmt.Errorf("workspace room %q is not a room id", wr.ID)
	}
	return writeWorkspaceRoom(dir, wr)
}
