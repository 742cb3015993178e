package p2p

import (
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// NopTracer is a gossip router tracer that ignores everything: embed it
// and implement the events wanted.
type NopTracer struct{}

var _ pubsub.RawTracer = NopTracer{}

func (NopTracer) OnNewOutboundStream(peer.ID, protocol.ID) {}
func (NopTracer) OnClosedOutboundStream(peer.ID)           {}
func (NopTracer) Join(string)                              {}
func (NopTracer) Leave(string)                             {}
func (NopTracer) Graft(peer.ID, string)                    {}
func (NopTracer) Prune(peer.ID, string)                    {}
func (NopTracer) ValidateMessage(*pubsub.Message)          {}
func (NopTracer) DeliverMessage(*pubsub.Message)           {}
func (NopTracer) RejectMessage(*pubsub.Message, string)    {}
func (NopTracer) DuplicateMessage(*pubsub.Message)         {}
func (NopTracer) ThrottlePeer(peer.ID)                     {}
func (NopTracer) RecvRPC(*pubsub.RPC)                      {}
func (NopTracer) SendRPC(*pubsub.RPC, peer.ID)             {}
func (NopTracer) DropRPC(*pubsub.RPC, peer.ID)             {}
func (NopTracer) UndeliverableMessage(*pubsub.Message)     {}
