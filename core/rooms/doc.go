// Package rooms runs the group rooms of a node: the set of joined rooms and
// their membership (create, join by code or invitation, leave), posting,
// the writer that commits gossiped messages (and receipts) in batches, the catch-up sync
// that exchanges version vectors with members, the hybrid logical clock
// that orders every room the same way on every machine, and the intake
// rules that keep an author's lying clock or sequence numbers from
// pinning messages in the future or making members resend (admit.go).
//
// It does not open the network, the database or the keys: a Manager gets
// them through the small interfaces of Deps. It does not deliver the
// invitation DM itself, resolve colleagues or record room file offers as
// transfers; those belong to other features and arrive as hooks in Deps.
// It does not decide when to run: the caller starts Writer().Run and
// Syncer().Run and tells it when a peer connects.
package rooms
