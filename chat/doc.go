// Package chat is Hallway's vocabulary: the words every layer uses for the
// same things. It names conversations (ConvID), message kinds and every form
// a kind takes on disk and on the wire (Kind), transfer states and presence
// statuses, the limits and validators of what a user or a peer may say
// (texts, room ids and names, profile fields), the plain values a user
// interface shows (Message, Room, Colleague, Transfer, ...) and the events a
// node publishes (Event).
//
// chat does no I/O, no cryptography and no networking, and it imports only
// the standard library. It decides what words mean, never how they travel
// or where they are kept: encoding frames, sealing envelopes and storing
// rows belong to p2p, crypto and storage, which speak this vocabulary.
package chat
