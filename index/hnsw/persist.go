package hnsw

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
)

// File layout, all integers little-endian:
//
//	magic "SSHNSW" (6 bytes), version uint16
//	dim uint32, metric uint8, M, EfConstruction, EfSearch uint32,
//	seed uint64, CompactRatio float64, nodes uint32, live uint32,
//	entry uint64 (level<<32 | id, all ones when empty),
//	metadata length uint32, metadata bytes,
//	body length uint64, body CRC-32 (IEEE) uint32, header CRC-32 uint32
//	body: per node, key uint64, level uint8, deleted uint8, dim float32
//	values, then per level 0..level a uint16 count and that many uint32 ids.
//
// The header CRC covers every header byte after the magic and before itself.
const (
	fileMagic   = "SSHNSW"
	fileVersion = 1
)

var (
	// ErrCorrupt reports a saved index that is damaged, truncated, of an
	// unsupported version, or not an index file at all.
	ErrCorrupt = errors.New("hnsw: index file is corrupt")
	// ErrVersion reports a saved index of a format version this build
	// does not read. Errors wrapping it also wrap ErrCorrupt.
	ErrVersion = errors.New("hnsw: unsupported index file version")
)

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

// WriteTo writes the index in the versioned file format and implements
// io.WriterTo. It encodes the body in memory while holding the index
// exclusively, so it needs about as much free memory as the index uses
// and blocks other calls only for the encoding, not for the write.
func (ix *Index) WriteTo(w io.Writer) (int64, error) {
	ix.mu.Lock()
	header, body := ix.encodeLocked()
	ix.mu.Unlock()

	n, err := w.Write(header)
	if err != nil {
		return int64(n), fmt.Errorf("hnsw: write index header: %w", err)
	}
	m, err := w.Write(body)
	if err != nil {
		return int64(n + m), fmt.Errorf("hnsw: write index body: %w", err)
	}
	return int64(n + m), nil
}

func (ix *Index) encodeLocked() (header, body []byte) {
	g := ix.g
	n := g.count.Load()
	le := binary.LittleEndian
	var scratch []uint32
	for id := range n {
		nd := g.node(id)
		body = le.AppendUint64(body, nd.key)
		body = append(body, uint8(nd.level))
		if nd.deleted.Load() {
			body = append(body, 1)
		} else {
			body = append(body, 0)
		}
		for _, x := range ix.vector(id) {
			body = le.AppendUint32(body, math.Float32bits(x))
		}
		for level := 0; level <= int(nd.level); level++ {
			scratch = readLinks(ix.links(id, level), scratch)
			body = le.AppendUint16(body, uint16(len(scratch)))
			for _, x := range scratch {
				body = le.AppendUint32(body, x)
			}
		}
	}

	o := ix.opts
	header = append(header, fileMagic...)
	header = le.AppendUint16(header, fileVersion)
	header = le.AppendUint32(header, uint32(ix.dim))
	header = append(header, uint8(o.Metric))
	header = le.AppendUint32(header, uint32(o.M))
	header = le.AppendUint32(header, uint32(o.EfConstruction))
	header = le.AppendUint32(header, uint32(o.EfSearch))
	header = le.AppendUint64(header, o.Seed)
	header = le.AppendUint64(header, math.Float64bits(o.CompactRatio))
	header = le.AppendUint32(header, n)
	header = le.AppendUint32(header, uint32(len(g.keys)))
	header = le.AppendUint64(header, g.entry.Load())
	header = le.AppendUint32(header, uint32(len(o.Metadata)))
	header = append(header, o.Metadata...)
	header = le.AppendUint64(header, uint64(len(body)))
	header = le.AppendUint32(header, crc32.ChecksumIEEE(body))
	header = le.AppendUint32(header, crc32.ChecksumIEEE(header[len(fileMagic):]))
	return header, body
}

// Save writes the index to path atomically: it writes a temporary file in
// the same directory, syncs it, renames it over path and syncs the
// directory, so path holds either the old or the new index after a crash.
func (ix *Index) Save(ctx context.Context, path string) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("hnsw: save %s: create temporary file: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename

	if _, err := ix.WriteTo(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("hnsw: save %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("hnsw: save %s: sync: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("hnsw: save %s: close: %w", path, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("hnsw: save %s: canceled before rename: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("hnsw: save %s: rename: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		// Syncing the directory makes the rename durable. Some file systems
		// reject it; the file itself is already synced, so ignore that.
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// Load reads an index saved with Save or WriteTo.
func Load(ctx context.Context, path string) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hnsw: load: %w", err)
	}
	defer f.Close()
	ix, err := Read(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("hnsw: load %s: %w", path, err)
	}
	return ix, nil
}

// Read decodes one index from r. It checks the header and body checksums
// and every id before it builds the index, so it returns either a complete
// index or an error wrapping ErrCorrupt for damaged, truncated or
// unsupported input; I/O errors other than truncation are returned as is.
func Read(ctx context.Context, r io.Reader) (*Index, error) {
	h, err := readHeader(r)
	if err != nil {
		return nil, err
	}
	if h.bodyLen > h.maxBodyLen() {
		return nil, corrupt("body length %d exceeds the %d bytes that %d nodes can use", h.bodyLen, h.maxBodyLen(), h.nodes)
	}
	body := make([]byte, h.bodyLen)
	if n, err := io.ReadFull(r, body); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, corrupt("body truncated after %d of %d bytes", n, h.bodyLen)
		}
		return nil, fmt.Errorf("hnsw: read index body: %w", err)
	}
	if got := crc32.ChecksumIEEE(body); got != h.bodyCRC {
		return nil, corrupt("body checksum %08x, header records %08x", got, h.bodyCRC)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("hnsw: read index: %w", err)
	}
	return decodeBody(h, body)
}

type fileHeader struct {
	dim     int
	opts    Options
	nodes   uint32
	live    uint32
	entry   uint64
	bodyLen uint64
	bodyCRC uint32
}

// fixedHeaderLen is the header length without magic, metadata and the trailing lengths and CRCs.
const fixedHeaderLen = 2 + 4 + 1 + 4*3 + 8 + 8 + 4 + 4 + 8 + 4

func readHeader(r io.Reader) (fileHeader, error) {
	var h fileHeader
	le := binary.LittleEndian
	buf := make([]byte, len(fileMagic)+fixedHeaderLen)
	if err := readFull(r, buf, "header"); err != nil {
		return h, err
	}
	if string(buf[:len(fileMagic)]) != fileMagic {
		return h, corrupt("magic %q is not %q, so this is not an index file", buf[:len(fileMagic)], fileMagic)
	}
	p := buf[len(fileMagic):]
	if v := le.Uint16(p); v != fileVersion {
		return h, fmt.Errorf("%w: %w: file has version %d, this build reads version %d", ErrCorrupt, ErrVersion, v, fileVersion)
	}
	h.dim = int(le.Uint32(p[2:]))
	h.opts = Options{
		Metric:         Metric(p[6]),
		M:              int(le.Uint32(p[7:])),
		EfConstruction: int(le.Uint32(p[11:])),
		EfSearch:       int(le.Uint32(p[15:])),
		Seed:           le.Uint64(p[19:]),
		CompactRatio:   math.Float64frombits(le.Uint64(p[27:])),
	}
	h.nodes = le.Uint32(p[35:])
	h.live = le.Uint32(p[39:])
	h.entry = le.Uint64(p[43:])
	metaLen := le.Uint32(p[51:])
	if metaLen > maxMetadataLen {
		return h, corrupt("metadata length %d exceeds %d", metaLen, maxMetadataLen)
	}

	rest := make([]byte, int(metaLen)+8+4+4)
	if err := readFull(r, rest, "header"); err != nil {
		return h, err
	}
	h.opts.Metadata = string(rest[:metaLen])
	tail := rest[metaLen:]
	h.bodyLen = le.Uint64(tail)
	h.bodyCRC = le.Uint32(tail[8:])
	crc := crc32.NewIEEE()
	crc.Write(p)
	crc.Write(rest[:len(rest)-4])
	if got, want := crc.Sum32(), le.Uint32(tail[12:]); got != want {
		return h, corrupt("header checksum %08x, file records %08x", got, want)
	}

	if h.dim < 1 || h.dim > 1<<16 {
		return h, corrupt("dimension %d outside [1, 65536]", h.dim)
	}
	if err := h.opts.validate(); err != nil {
		return h, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if h.live > h.nodes {
		return h, corrupt("%d live keys among %d nodes", h.live, h.nodes)
	}
	return h, nil
}

func readFull(r io.Reader, buf []byte, section string) error {
	n, err := io.ReadFull(r, buf)
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return corrupt("%s truncated after %d of %d bytes", section, n, len(buf))
	}
	if err != nil {
		return fmt.Errorf("hnsw: read index %s: %w", section, err)
	}
	return nil
}

// maxBodyLen bounds the body size a header may claim, so a damaged length
// cannot trigger a huge allocation before the checksum is checked.
func (h fileHeader) maxBodyLen() uint64 {
	perNode := uint64(8 + 1 + 1 + 4*h.dim + (maxLevel+1)*2 + 4*(2*h.opts.M+maxLevel*h.opts.M))
	return uint64(h.nodes) * perNode
}

// decodeBody builds an index from a checksummed body, rejecting any
// structural inconsistency with ErrCorrupt.
func decodeBody(h fileHeader, body []byte) (*Index, error) {
	ix, err := New(h.dim, h.opts)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	g := ix.g
	m0 := 2 * h.opts.M
	for range (int(h.nodes) + pageSize - 1) / pageSize {
		g.pages = append(g.pages, newPage(h.dim, m0))
	}

	le := binary.LittleEndian
	pos := 0
	need := func(n int) bool { return len(body)-pos >= n }
	ids := make([]uint32, 0, m0)
	for id := range h.nodes {
		if !need(10 + 4*h.dim) {
			return nil, corrupt("body ends inside node %d", id)
		}
		nd := g.node(id)
		nd.key = le.Uint64(body[pos:])
		level := int(body[pos+8])
		deleted := body[pos+9]
		pos += 10
		if level > maxLevel || deleted > 1 {
			return nil, corrupt("node %d has level %d and deleted flag %d", id, level, deleted)
		}
		nd.level = int32(level)
		nd.deleted.Store(deleted == 1)
		vec := g.vectorSlot(id, h.dim)
		for i := range vec {
			x := math.Float32frombits(le.Uint32(body[pos:]))
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, corrupt("node %d value %d is %v", id, i, x)
			}
			vec[i] = x
			pos += 4
		}

		nd.upper = make([][]uint32, level)
		for l := 0; l <= level; l++ {
			if !need(2) {
				return nil, corrupt("body ends inside node %d level %d", id, l)
			}
			count := int(le.Uint16(body[pos:]))
			pos += 2
			if count > h.opts.maxNeighbors(l) || !need(4*count) {
				return nil, corrupt("node %d level %d has %d neighbours, at most %d allowed", id, l, count, h.opts.maxNeighbors(l))
			}
			ids = ids[:0]
			for range count {
				x := le.Uint32(body[pos:])
				pos += 4
				if x >= h.nodes {
					return nil, corrupt("node %d level %d links to node %d of %d", id, l, x, h.nodes)
				}
				ids = append(ids, x)
			}
			var list []uint32
			if l == 0 {
				list = g.links0Slot(id, m0)
			} else {
				list = make([]uint32, h.opts.M+1)
				nd.upper[l-1] = list
			}
			writeLinks(list, ids)
		}

		if deleted == 1 {
			g.tombstones++
			continue
		}
		if _, dup := g.keys[nd.key]; dup {
			return nil, corrupt("key %d is live in two nodes", nd.key)
		}
		g.keys[nd.key] = id
	}
	if pos != len(body) {
		return nil, corrupt("%d bytes follow the last node", len(body)-pos)
	}
	if uint32(len(g.keys)) != h.live {
		return nil, corrupt("header records %d live keys, body holds %d", h.live, len(g.keys))
	}
	if err := checkLinkLevels(g, h.nodes); err != nil {
		return nil, err
	}

	if h.entry != emptyEntry {
		id, level := unpackEntry(h.entry)
		if id >= h.nodes || int(g.node(id).level) != level {
			return nil, corrupt("entry point %d at level %d does not match a node", id, level)
		}
	} else if h.nodes > 0 {
		return nil, corrupt("no entry point for %d nodes", h.nodes)
	}
	g.entry.Store(h.entry)
	g.count.Store(h.nodes)
	return ix, nil
}

// checkLinkLevels verifies that every link at level l points at a node
// that exists on level l, so a search never indexes a missing list.
func checkLinkLevels(g *graph, nodes uint32) error {
	for id := range nodes {
		nd := g.node(id)
		for l, list := range nd.upper {
			for _, x := range readLinks(list, nil) {
				if int(g.node(x).level) < l+1 {
					return corrupt("node %d links at level %d to node %d, which has level %d", id, l+1, x, g.node(x).level)
				}
			}
		}
	}
	return nil
}
