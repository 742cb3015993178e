package rooms

import (
	"bytes"
	"cmp"
	"container/heap"

	hcrypto "hallway/crypto"
)

// The order every member replays a room's membership log in
// (memberlog.go): topological, parents first, ties broken by envelope id.

// opHeap orders the operations ready to be placed by envelope id.
type opHeap []*logOp

func (h opHeap) Len() int { return len(h) }
func (h opHeap) Less(i, j int) bool {
	return cmp.Or(cmp.Compare(h[i].id, h[j].id), bytes.Compare(h[i].hash[:], h[j].hash[:])) < 0
}
func (h opHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *opHeap) Push(x any)   { *h = append(*h, x.(*logOp)) }
func (h *opHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// topoOrder places every operation whose ancestors are all held and not
// excluded; anc[i] is the set of positions of order[i]'s ancestors.
func topoOrder(byHash map[hcrypto.OpHash]*logOp, excluded map[hcrypto.OpHash]bool, root *logOp) ([]*logOp, []bitset) {
	parents := func(o *logOp) []hcrypto.OpHash {
		if len(o.op.Parents) == 0 && root != nil && o != root {
			return []hcrypto.OpHash{root.hash} // named nothing: comes after the creation
		}
		return o.op.Parents
	}
	waiting := map[hcrypto.OpHash]int{}
	children := map[hcrypto.OpHash][]*logOp{}
	ready := &opHeap{}
	for h, o := range byHash {
		if excluded[h] {
			continue
		}
		n := 0
		for _, p := range parents(o) {
			if _, ok := byHash[p]; ok && !excluded[p] {
				children[p] = append(children[p], o)
				n++
			} else {
				n = -1 << 30 // a parent never placed: neither is this one
			}
		}
		if n == 0 {
			heap.Push(ready, o)
		} else if n > 0 {
			waiting[h] = n
		}
	}
	pos := map[hcrypto.OpHash]int{}
	var order []*logOp
	var anc []bitset
	for ready.Len() > 0 {
		o := heap.Pop(ready).(*logOp)
		i := len(order)
		pos[o.hash] = i
		order = append(order, o)
		var a bitset
		for _, p := range parents(o) {
			pi := pos[p]
			a = a.union(anc[pi])
			a = a.with(pi)
		}
		anc = append(anc, a)
		for _, c := range children[o.hash] {
			if waiting[c.hash]--; waiting[c.hash] == 0 {
				heap.Push(ready, c)
			}
		}
	}
	return order, anc
}

// bitset is a set of small non-negative integers.
type bitset []uint64

func (b bitset) has(i int) bool { return i/64 < len(b) && b[i/64]&(1<<(i%64)) != 0 }

func (b bitset) with(i int) bitset {
	for len(b) <= i/64 {
		b = append(b, 0)
	}
	b[i/64] |= 1 << (i % 64)
	return b
}

func (b bitset) union(o bitset) bitset {
	out := make(bitset, max(len(b), len(o)))
	copy(out, b)
	for i, w := range o {
		out[i] |= w
	}
	return out
}
