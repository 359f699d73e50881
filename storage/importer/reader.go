package importer

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"golang.org/x/text/encoding/charmap"
)

// utf8BOM is the byte order mark some tools write at the start of UTF-8
// files (Kaggle's product_category_name_translation.csv has one).
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// inputFile is an open input file that decodes to UTF-8 and counts the raw
// bytes read, for the progress bar's ETA.
type inputFile struct {
	path string
	size int64
	file *os.File
	read *countingReader
	// text is the decoded UTF-8 stream without a byte order mark. Line ends
	// are left as they are: encoding/csv and the JSONL reader accept LF and
	// CR LF.
	text io.Reader
}

// openInput opens path and sets up decoding from enc.
func openInput(path string, enc Encoding) (*inputFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open input: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat input %s: %w", path, err)
	}
	counter := &countingReader{r: f}
	buffered := bufio.NewReaderSize(counter, 64<<10)
	var text io.Reader = buffered
	if enc == EncodingLatin1 {
		// Every byte is a valid Latin-1 character, so the decoder never
		// fails and its output is always valid UTF-8.
		text = charmap.ISO8859_1.NewDecoder().Reader(buffered)
	} else {
		head, err := buffered.Peek(len(utf8BOM))
		if err != nil && err != io.EOF {
			f.Close()
			return nil, fmt.Errorf("read input %s: %w", path, err)
		}
		if bytes.Equal(head, utf8BOM) {
			buffered.Discard(len(utf8BOM))
		}
	}
	return &inputFile{path: path, size: info.Size(), file: f, read: counter, text: text}, nil
}

// bytesRead returns the number of raw bytes read from the file so far.
func (in *inputFile) bytesRead() int64 { return in.read.n.Load() }

func (in *inputFile) Close() error { return in.file.Close() }

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
