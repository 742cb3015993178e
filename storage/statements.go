package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// statements are the queries run for every message sent, received or shown,
// and over and over while a file transfer runs. Parsing and planning one
// costs SQLite more CPU than running it, so they are prepared once here;
// database/sql then prepares each again only the first time it runs on
// another connection of the pool, and keeps it there.
//
// Statements that write are prepared on the writer (the reader connections
// are query_only). Inside a transaction they are bound with tx.StmtContext,
// which reuses the writer connection's prepared statement.
type statements struct {
	// Writer.
	insertEnvelope  *sql.Stmt
	neighbourClocks *sql.Stmt
	upsertMember    *sql.Stmt
	insertRoomOp    *sql.Stmt
	advanceHead     *sql.Stmt
	insertMessage   *sql.Stmt
	queueIndex      *sql.Stmt
	storedMessage   *sql.Stmt // messageByID, inside InsertIncoming's transaction
	queueOutgoing   *sql.Stmt
	markDelivered   *sql.Stmt
	unqueue         *sql.Stmt
	setSetting      *sql.Stmt
	upsertPeer      *sql.Stmt
	peerName        *sql.Stmt // on the writer: read in the upsert's transaction
	saveProgress    *sql.Stmt
	deletedTargets  *sql.Stmt
	backlogIndex    *sql.Stmt
	backlogDone     *sql.Stmt
	putReceipt      *sql.Stmt
	chainLinks      *sql.Stmt // on the writer: read in the insert's transaction

	// Reader.
	nextRoomSeq     *sql.Stmt
	backlogAny      *sql.Stmt
	roomHeads       *sql.Stmt
	messageByID     *sql.Stmt
	outbox          *sql.Stmt
	unreadCount     *sql.Stmt
	roomMembers     *sql.Stmt
	roomMemberCount *sql.Stmt
	roomNewest      *sql.Stmt
	roomBefore      *sql.Stmt
	history         *sql.Stmt
	setting         *sql.Stmt
	peer            *sql.Stmt
	transfer        *sql.Stmt
	unfinished      *sql.Stmt
	receiptAts      *sql.Stmt
	receiptRaw      *sql.Stmt
	// syncPlans are the plans that serve a sync, by their SQL (roomsync.go).
	syncPlans map[string]*sql.Stmt
	all       []*sql.Stmt
}

func prepareStatements(ctx context.Context, writer, reader *sql.DB) (*statements, error) {
	st := &statements{}
	for _, p := range []struct {
		stmt  **sql.Stmt
		db    *sql.DB
		query string
	}{
		{&st.insertEnvelope, writer, insertEnvelopeSQL},
		{&st.neighbourClocks, writer, neighbourClocksSQL},
		{&st.upsertMember, writer, upsertMemberSQL},
		{&st.insertRoomOp, writer, insertRoomOpSQL},
		{&st.advanceHead, writer, advanceHeadSQL},
		{&st.insertMessage, writer, insertMessageSQL},
		{&st.queueIndex, writer, queueIndexSQL},
		{&st.storedMessage, writer, messageByIDSQL},
		{&st.queueOutgoing, writer, queueOutgoingSQL},
		{&st.markDelivered, writer, markDeliveredSQL},
		{&st.unqueue, writer, unqueueSQL},
		{&st.setSetting, writer, setSettingSQL},
		{&st.upsertPeer, writer, upsertPeerSQL},
		{&st.peerName, writer, peerNameSQL},
		{&st.saveProgress, writer, saveProgressSQL},
		{&st.deletedTargets, writer, deletedTargetsSQL},
		{&st.backlogIndex, writer, backlogIndexSQL},
		{&st.backlogDone, writer, backlogDoneSQL},
		{&st.putReceipt, writer, putReceiptSQL},
		{&st.chainLinks, writer, chainLinksSQL},

		{&st.nextRoomSeq, reader, nextRoomSeqSQL},
		{&st.backlogAny, reader, backlogAnySQL},
		{&st.roomHeads, reader, roomHeadRowsSQL},
		{&st.messageByID, reader, messageByIDSQL},
		{&st.outbox, reader, outboxSQL},
		{&st.unreadCount, reader, unreadCountSQL},
		{&st.roomMembers, reader, roomMembersSQL},
		{&st.roomMemberCount, reader, roomMemberCountSQL},
		{&st.roomNewest, reader, roomNewestSQL},
		{&st.roomBefore, reader, roomBeforeSQL},
		{&st.history, reader, historySQL},
		{&st.setting, reader, settingSQL},
		{&st.peer, reader, peerSQL},
		{&st.transfer, reader, transferSQL},
		{&st.unfinished, reader, unfinishedDownloadsSQL},
		{&st.receiptAts, reader, receiptAtsSQL},
		{&st.receiptRaw, reader, receiptRawSQL},
	} {
		stmt, err := p.db.PrepareContext(ctx, p.query)
		if err != nil {
			st.close()
			return nil, fmt.Errorf("prepare %s: %w", strings.Join(strings.Fields(p.query), " "), err)
		}
		*p.stmt = stmt
		st.all = append(st.all, stmt)
	}
	st.syncPlans = map[string]*sql.Stmt{}
	for _, query := range []string{envelopesInOrderSQL, envelopesByAuthorSQL, envelopesInOrderHeldSQL, envelopesByAuthorHeldSQL} {
		stmt, err := reader.PrepareContext(ctx, query)
		if err != nil {
			st.close()
			return nil, fmt.Errorf("prepare a sync plan: %w", err)
		}
		st.syncPlans[query] = stmt
		st.all = append(st.all, stmt)
	}
	return st, nil
}

func (st *statements) close() error {
	var errs []error
	for _, stmt := range st.all {
		errs = append(errs, stmt.Close())
	}
	st.all = nil
	return errors.Join(errs...)
}
