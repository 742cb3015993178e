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
- S24: every member applies the room quota to the gossip it receives, and members catch up from each
  other, so the victim may hold what any member took of the flood: the bound is members × quota. The
  flooder's own catch-up answers are not subject to the quota (docs/ROOMS.md); this flooder serves
  none. S2's canary comes from a fresh identity because the forger is graylisted by then.
- S16 searches every captured frame (and the seam with the frame before it) for each secret; a plaintext
  control datagram proves the capture hears the LAN. mDNS is plaintext by design and carries only the
  peer id, the public workspace tag and a version.
- S17 checks two halves, each an entry of s17Halves with what it does before the meeting and what it
  checks after. #general history: each side talks in #general before the meeting, then every other
  room is caught up both ways (a witness that the catch-up which meeting starts has run), and a
  modified Hallway asks every node for #general with a proof anyone can make from the public key.
  #general files: each side offers a file in #general before the meeting (in the office, the
  colleague there downloads it); after it, no node of the other side holds the offer or a transfer
  of it, and the modified Hallway, given each file's hash, asks every node (sharer, downloader,
  stranger to it) for its chunks with the public key's proof. The laptop's offer is from before its
  restart; the office's is still live, refused because the asker was not in the room when it was
  offered. A file offered live after the meeting is downloaded by the other side.
- S18: invitations beyond the per-colleague cap (5 pending) are dropped and logged; their direct
  messages ("invited you to #…") are still stored like any DM, whose floods S6 bounds. Look-alike names
  are compared by case, width and the Unicode confusable skeleton. The catch-up figure is the time from
  the restarted daemon being up to every room's post being stored.
- S19: a claim with a character no profile name may carry shows no name at all (the window and the
  command line then show the key); one that passes shows as written, warned when its TR39 skeleton is
  a verified colleague's name or your own. Once the key is met, its profile name is what shows,
  whatever its posts claim.
- S20: the member asking for chunks is the in-process hostile peer holding the room key; it checks every
  byte it is sent against the manifest, so a sharer that sent changed bytes would show here even though an
  honest receiver would refuse them. The chunks served are those read before the change was met (the
  reset that ends the stream drops any the requester had not read yet, so the count varies from run to
  run); the changed chunk and everything after it is refused.
- S21: the modified client joins the way a room-code holder's node does (a join operation with no
  parents, sealed with the room key it was handed), so it is a member in every log before the owner
  removes it. It reads with every key it ever held: what it captured by gossip and what sync from
  each member serves it when it proves those keys. The first-epoch topic is the only one it follows;
  gossip is not filtered by proof (docs/ROOMS.md), so a client that copies the new epoch's topic name
  from the members' subscription announcements gets its ciphertexts, which the same count shows it
  cannot open. Forged membership operations (removing the owner, granting itself admin) are refused
  by every member: internal/e2e TestRoomRolesAndRemoval; leaving instead of removal, with a member
  away during two re-keys: TestRoomLeaveRekeysAndShutsOutTheLeaver.
- S22: the adversary writes each version by gossip to one member only, both under one gossip sequence
  number (a member naming gossip by author and that number would drop the second as seen); the
  members' gossip carries each on, so every online member sees both. Dan, away during it, is answered by several members at
  once when he comes back and may get both versions that way; a member that can only learn of the fork
  from the evidence other members serve in their sync answers is covered by the rooms unit tests
  (TestAForkBySyncIsFoundAndSpreads). In #beta the two versions travel by sync alone (the adversary
  answers each member's catch-up itself), so no member ever holds both: only the chain finds it, when
  the author's next post names the version Bob does not hold; without the chain check no member
  raises the alert (checked by running the scenario with the check removed).
- S23: the sync figures count, on every member, the envelopes its sync answers carried while the
  periodic comparisons ran after everyone held every post. Members that do not say what they hold
  above a hole (the Hallway before this rule) sent 204 envelopes everyone held in 9 answers: the
  whole holed log again at every comparison. The full form (1,000 holed posts, paced inside the room
  quota) measured 62 answers carrying 60 envelopes in all, where a resend of the holed log would carry
  1,000 in each.
- S25: the workspace admits members by admins (members.admission admins); without it a fresh identity
  made with the workspace key joins like any key holder, which the scenario's control shows before the
  policy is set. A request counts as answered when any byte comes back: a member sends its sync
  challenge first on any connection it keeps.
- Not covered here: power loss (SQLite's synchronous=FULL is trusted, kill -9 is what is tested), IPv6
  labs, more than 6 daemons, and a hostile peer with many LAN addresses at once.
`
