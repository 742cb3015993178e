package chat

// Room is a group conversation as the user sees it.
type Room struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	General bool   `json:"general"`
	Members int    `json:"members"`
	Unread  int    `json:"unread"`
	// OpenLAN: the room key is public (#general of an open LAN workspace),
	// so anyone on this network can read it.
	OpenLAN bool `json:"open_lan"`
}

// RoomMember is a member of a room with their presence.
type RoomMember struct {
	Colleague
	You bool `json:"you"`
}
