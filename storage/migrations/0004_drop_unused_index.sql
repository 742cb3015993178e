-- No query orders or filters messages by (conv, sent_at): DM history pages
-- by (conv, seq) and rooms by (conv, hlc, author, author_seq). Keeping the
-- index cost one more page write for every message stored.
DROP INDEX IF EXISTS messages_conv_sent;
