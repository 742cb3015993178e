// Package storage keeps the durable history of a Hallway node in a single
// SQLite file: the node's own settings, the colleagues it has met, the
// addresses the user pinned by hand, and every message together with the
// outbox of messages still waiting for an acknowledgement. For each room
// (group chat) it keeps the room's key, the signed envelopes its members
// replicate, the version vector that says which of them are held, and the
// membership the envelopes announce. For each file transfer it keeps what
// was offered and, on the receiving side, how far the download got, so that
// it can resume, and where the file ended up.
//
// What the store reports as saved has been committed with synchronous=FULL in
// WAL mode, so it survives the process being killed and the machine losing
// power. What others hold too and give again is committed Replicated
// (synchronous=NORMAL: it survives the process being killed, a power cut
// may take back its last moments): room messages received, a recipient's
// acknowledgement of a direct message, the search index, what colleagues
// say of themselves (their profiles, said again on every connection). Writes go
// through one connection and reads through a small pool of read-only
// connections, so readers never wait for a writer.
//
// The schema is created and upgraded by numbered SQL files embedded in the
// binary (migrations/NNNN_name.sql), applied in order, each in its own
// transaction, with the schema version kept in PRAGMA user_version.
//
// The package does not talk to the network, does not authenticate anyone and
// does not interpret message contents: callers pass peer IDs that the
// transport has already authenticated, and the store records them as given.
// It does not encrypt the file either; it only restricts it to its owner
// (mode 0600).
package storage
