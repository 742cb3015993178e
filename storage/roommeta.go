package storage

import "encoding/json"

// roomMeta is what a room message row keeps beside its text: the author's
// name as they signed it, so history shows names of people never met.
type roomMeta struct {
	Name string `json:"name"`
}

// RoomMeta is the meta column of a room message row whose author signed
// name.
func RoomMeta(name string) string {
	b, _ := json.Marshal(roomMeta{Name: name})
	return string(b)
}

// SignedName reads the author's signed name from a room message row's
// meta; ok is false when the meta does not decode.
func SignedName(meta string) (name string, ok bool) {
	var rm roomMeta
	if json.Unmarshal([]byte(meta), &rm) != nil {
		return "", false
	}
	return rm.Name, true
}
