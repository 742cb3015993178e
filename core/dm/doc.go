// Package dm carries direct messages between two colleagues: it commits a
// message to history and to the outbox, signs it, delivers the outbox to
// each colleague in order (one flusher per colleague), and commits and
// announces the messages colleagues send, checking their signatures.
//
// It does not resolve names, dial colleagues, join rooms or move files:
// those belong to other parts of the node and reach this package through
// the small interfaces of Deps. It does not route "#room" references
// either; the caller sends only direct messages here.
package dm
