package crypto

import "crypto/sha256"

// ChainHashLen is the length of a chain link.
const ChainHashLen = sha256.Size

// ChainHash is the link a body of the author's next post names as Prev:
// SHA-256 of the envelope's encoding, which is unique per envelope (one
// encoding each, signature included), so a chain names exactly one
// history and two versions of a post cannot share a successor.
func ChainHash(raw []byte) [ChainHashLen]byte { return sha256.Sum256(raw) }
