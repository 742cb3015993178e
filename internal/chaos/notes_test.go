package chaos

// notes closes the reliability report: what the table does not show.
const notes = `
## Notes

- Latencies and durations are measured, not asserted: the scenarios assert delivery, convergence and
  what is stored; the figures come from one run on a shared 2-core machine where the lab's daemons, the
  hostile peer and the flood generators all compete for the same cores.
- "Converged" is read from every peer's SQLite database after its daemon stopped: integrity_check ok,
  the same message ids everywhere, no id twice, per author sequence numbers 1..n without a hole, one
  stored envelope per message.
- S1: a second identity with the same display name is listed apart with both flagged, never merged,
  and a bare name no longer picks anyone. The loud warning when a *verified* colleague's name is taken
  belongs to the desktop window's verified mark and is covered by the window's trust tests.
- S3: replays within gossipsub's two-minute seen-cache never reach Hallway's checks; the full form
  waits five minutes so the original signed gossip is re-validated and refused by storage
  idempotence, not by the cache.
- S4/S6: the hostile peer runs inside the test process, on its own namespace host. Connection limits
  count per address, so its floods come from one LAN address; a flood spread over many addresses is
  bounded by the node-wide limits instead (see docs/PROTOCOLS.md, "Limits per peer").
- S16 searches every captured frame (and the seam with the frame before it) for each secret; a plaintext
  control datagram proves the capture hears the LAN. mDNS is plaintext by design and carries only the
  peer id, the public workspace tag and a version.
- S23: the sync figures count, on every member, the envelopes its sync answers carried while the
  periodic comparisons ran after everyone held every post. Members that do not say what they hold
  above a hole (the Hallway before this rule) sent 204 envelopes everyone held in 9 answers: the
  whole holed log again at every comparison. The full form (1,000 holed posts) measured 62 answers
  carrying 0 envelopes.
- Not covered here: power loss (SQLite's synchronous=FULL is trusted, kill -9 is what is tested), IPv6
  labs, more than 6 daemons, and a hostile peer with many LAN addresses at once.
`
