// Package transfer moves files and folders between colleagues: it records
// offers made and received, applies the receiver's policy, accepts,
// declines and cancels them, downloads accepted content chunk by chunk
// (over the bulk lane or libp2p streams, from the sender or from any room
// member who has it), serves content to those allowed to fetch it (only
// as it was offered, checked chunk by chunk, confined to where it was
// offered from, and only while it is shared: until it expires, is
// withdrawn or changes), paces each peer's requests and reports progress.
//
// It does not deliver the messages that carry offers and answers (a Poster
// queues them into a conversation), does not know how rooms are joined or
// keyed beyond the Rooms it is given, does not resolve or name colleagues
// itself, and draws nothing. Hashing, naming and the partial files on disk
// belong to package files; the wire format to package p2p.
package transfer
